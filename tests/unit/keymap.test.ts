/** The keymap: chords from key presses, rebinding (a chord belongs to one command), and stored maps. */
import { describe, expect, it } from 'vitest';
import {
  bindingsOf,
  chordOf,
  chordProblem,
  cleanOverrides,
  COMMAND_IDS,
  COMMANDS,
  formatChord,
  lookupOf,
  normalizeChord,
  rebind,
  resetCommand,
} from '../../src/core/keys/keymap.js';

const press = (key: string, mods: Partial<{ ctrl: boolean; meta: boolean; shift: boolean; alt: boolean }> = {}) => ({
  key,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe('chordOf', () => {
  it('names letters in upper case, with Shift only when pressed (Caps Lock is not Shift)', () => {
    expect(chordOf(press('r'))).toBe('R');
    expect(chordOf(press('R', { shift: true }))).toBe('Shift+R');
    expect(chordOf(press('R'))).toBe('R');
  });

  it('writes Ctrl and ⌘ both as Mod, in a fixed order', () => {
    expect(chordOf(press('z', { ctrl: true }))).toBe('Mod+Z');
    expect(chordOf(press('Z', { meta: true, shift: true }))).toBe('Mod+Shift+Z');
    expect(chordOf(press('Enter', { ctrl: true }))).toBe('Mod+Enter');
    expect(chordOf(press('x', { alt: true, ctrl: true }))).toBe('Mod+Alt+X');
  });

  it('names Space and other keys, and keeps Shift out of printed symbols', () => {
    expect(chordOf(press(' '))).toBe('Space');
    expect(chordOf(press('Home'))).toBe('Home');
    expect(chordOf(press('F5'))).toBe('F5');
    expect(chordOf(press('?', { shift: true }))).toBe('?');
    expect(chordOf(press('/'))).toBe('/');
    expect(chordOf(press('1'))).toBe('1');
  });

  it('is null for a modifier pressed on its own or a dead key', () => {
    for (const key of ['Shift', 'Control', 'Meta', 'Alt', 'Dead', 'Unidentified']) expect(chordOf(press(key, { shift: true }))).toBeNull();
  });
});

describe('normalizeChord', () => {
  it('reads what people and files write', () => {
    expect(normalizeChord('ctrl+shift+z')).toBe('Mod+Shift+Z');
    expect(normalizeChord('Cmd+Y')).toBe('Mod+Y');
    expect(normalizeChord('shift+r')).toBe('Shift+R');
    expect(normalizeChord('Space')).toBe('Space');
    expect(normalizeChord('+')).toBe('+');
    expect(normalizeChord('Mod++')).toBe('Mod++');
  });

  it('reads named keys in any case, and refuses names that are not keys', () => {
    expect(normalizeChord('home')).toBe('Home');
    expect(normalizeChord('shift+space')).toBe('Shift+Space');
    expect(normalizeChord('f5')).toBe('F5');
    expect(normalizeChord('Hom')).toBeNull();
  });

  it('refuses what is not a chord', () => {
    for (const text of ['', 'Shift+', 'Hyper+R', 'Shift+Shift+R', 'Mod+Shift', 'x'.repeat(41), 'Not a key']) expect(normalizeChord(text)).toBeNull();
  });

  it('keeps every default key as it is', () => {
    for (const id of COMMAND_IDS) for (const chord of COMMANDS[id].defaults) expect(normalizeChord(chord)).toBe(chord);
  });
});

describe('the default keymap', () => {
  it('gives every chord to one command only, and none a reserved key', () => {
    const seen = new Map<string, string>();
    for (const id of COMMAND_IDS) {
      for (const chord of COMMANDS[id].defaults) {
        expect(seen.get(chord), `${chord} is bound twice`).toBeUndefined();
        seen.set(chord, id);
        expect(chordProblem(chord)).toBeNull();
      }
    }
  });

  it('looks a press up to its command', () => {
    const lookup = lookupOf(bindingsOf({}));
    expect(lookup.get(chordOf(press(' '))!)).toBe('transport.toggle');
    expect(lookup.get(chordOf(press('R', { shift: true }))!)).toBe('recorder.record');
    expect(lookup.get(chordOf(press('y', { ctrl: true }))!)).toBe('edit.redo');
    expect(lookup.get(chordOf(press('r', { ctrl: true }))!)).toBeUndefined(); // the browser's reload stays the browser's
  });
});

describe('rebind', () => {
  it('moves a chord from the command that had it, and records only what differs from the defaults', () => {
    const overrides = rebind({}, 'take.circle', ['Shift+C', 'A']);
    expect(overrides).toEqual({ 'take.circle': ['Shift+C', 'A'], 'take.alternate': [] });
    const bindings = bindingsOf(overrides);
    expect(bindings['take.circle']).toEqual(['Shift+C', 'A']);
    expect(bindings['take.alternate']).toEqual([]);
    expect(lookupOf(bindings).get('A')).toBe('take.circle');
    expect(lookupOf(bindings).get('C')).toBeUndefined();
  });

  it('drops a command that is back at its defaults, and a reset takes the default key back', () => {
    const moved = rebind({}, 'recorder.review', ['C']); // C leaves Circle
    expect(bindingsOf(moved)['take.circle']).toEqual([]);
    const reset = resetCommand(moved, 'take.circle');
    expect(bindingsOf(reset)['take.circle']).toEqual(['C']);
    expect(bindingsOf(reset)['recorder.review']).toEqual([]);
    expect(resetCommand(resetCommand(reset, 'recorder.review'), 'take.circle')).toEqual({});
  });

  it('keeps at most three keys per command, each once', () => {
    expect(rebind({}, 'cue.next', ['N', 'N', 'M', 'Shift+J', 'Shift+K'])['cue.next']).toEqual(['N', 'M', 'Shift+J']);
  });
});

describe('keys for commands that work while typing', () => {
  it('need Ctrl, Alt or an F key, or the key could not be typed any more', () => {
    expect(chordProblem('S', 'cue.save')).toMatch(/works while typing/);
    expect(chordProblem('Space', 'project.open')).toMatch(/works while typing/);
    expect(chordProblem('Mod+S', 'cue.save')).toBeNull();
    expect(chordProblem('Alt+S', 'cue.save')).toBeNull();
    expect(chordProblem('F9', 'cue.save')).toBeNull();
    expect(chordProblem('S', 'take.circle')).toBeNull();
    expect(cleanOverrides({ 'cue.save': ['S'], 'take.circle': [] })).toEqual({ 'take.circle': [] });
  });
});

describe('cleanOverrides', () => {
  it('drops unknown commands, non-chords and reserved keys, and normalises the rest', () => {
    const stored = { 'take.circle': ['ctrl+k', 'Tab', 42, 'not a key'], 'recorder.fly': ['Q'], 'cue.next': 'J' };
    expect(cleanOverrides(stored)).toEqual({ 'take.circle': ['Mod+K'] });
  });

  it('reads anything that is not an object as no changes', () => {
    for (const stored of [null, 'x', 3, ['a'], undefined]) expect(cleanOverrides(stored)).toEqual({});
  });
});

describe('formatChord', () => {
  it('writes Ctrl on Windows and Linux and symbols on a Mac', () => {
    expect(formatChord('Mod+Shift+Z', false)).toBe('Ctrl+Shift+Z');
    expect(formatChord('Mod+Shift+Z', true)).toBe('⇧⌘Z');
    expect(formatChord('Space', true)).toBe('Space');
    expect(formatChord('Mod++', false)).toBe('Ctrl++');
    expect(formatChord('+', false)).toBe('+');
    expect(formatChord('+', true)).toBe('+');
  });
});
