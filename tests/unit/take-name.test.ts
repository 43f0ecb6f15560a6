import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../src/core/files/safe-file-name.js';
import { checkTakeTemplate, DEFAULT_TAKE_TEMPLATE, nextFreeName, takeFileName, type TakeNameFields } from '../../src/core/files/take-name.js';

const FIELDS: TakeNameFields = { cue: '101', character: 'Émile', take: 3, scene: '12A', project: 'Lighthouse', date: new Date(2025, 2, 14, 10, 30) };

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A name every common file system accepts (see safeFileName), with `room` characters to spare for " (9999)". */
function expectSafeTakeName(name: string, room = ' (9999)'.length): void {
  expect(name.endsWith('.wav')).toBe(true);
  expect(safeFileName(name)).toBe(name);
  expect([...name].length).toBeLessThanOrEqual(120 - room);
  expect(utf8Bytes(name)).toBeLessThanOrEqual(255 - room);
  // eslint-disable-next-line no-control-regex -- checking that no control character survives
  expect(name).not.toMatch(/[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/);
  expect(name).not.toMatch(/^[. ]/);
  expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  expect(name.slice(0, -4)).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i);
}

describe('takeFileName', () => {
  it.each([
    [DEFAULT_TAKE_TEMPLATE, {}, '101_Émile_T03.wav'],
    [DEFAULT_TAKE_TEMPLATE, { take: 12 }, '101_Émile_T12.wav'],
    [DEFAULT_TAKE_TEMPLATE, { take: 123 }, '101_Émile_T123.wav'],
    ['{cue}-{take}', {}, '101-3.wav'],
    ['{project} {scene} {cue} T{take:03}', {}, 'Lighthouse 12A 101 T003.wav'],
    ['{date}_{cue}_{take:02}', {}, '2025-03-14_101_03.wav'],
    ['{cue}_{character}_T{take:02}', { cue: 'A/B:1', character: 'Dr. "Who"?' }, 'A-B-1_Dr. -Who--_T03.wav'],
    ['{cue}', { cue: 'CON' }, '_CON.wav'],
    ['{cue}', { cue: '..hidden' }, 'hidden.wav'],
    ['{cue}{scene}', { cue: '', scene: undefined }, 'Take.wav'],
    ['{character}', { character: 'line\nbreak\ttab' }, 'linebreaktab.wav'],
    ['{character}', { character: 'ends with dots...' }, 'ends with dots.wav'],
  ] as const)('%s with %j → %s', (template, overrides, expected) => {
    expect(takeFileName(template, { ...FIELDS, ...overrides })).toBe(expected);
  });

  it('keeps long names within 120 characters and 255 bytes, with room for " (9999)"', () => {
    for (const character of ['x'.repeat(400), '語'.repeat(400), '😀'.repeat(400), 'é'.repeat(300) + ' . . .']) {
      const name = takeFileName(DEFAULT_TAKE_TEMPLATE, { ...FIELDS, character });
      expectSafeTakeName(name);
      expectSafeTakeName(nextFreeName(name, (n) => n !== name.replace('.wav', ' (9999).wav')), 0);
    }
  });

  it.each(['{cue}_{who}', '{take:2}', '{take:00}', '{Cue}', '{cue', 'cue}', '{}'])('refuses the template %j', (template) => {
    expect(() => takeFileName(template, FIELDS)).toThrow(expect.objectContaining({ code: 'TAKE_TEMPLATE_INVALID' }));
    expect(() => checkTakeTemplate(template)).toThrow(expect.objectContaining({ code: 'TAKE_TEMPLATE_INVALID' }));
  });

  it('refuses a take number that is not a whole number', () => {
    expect(() => takeFileName(DEFAULT_TAKE_TEMPLATE, { ...FIELDS, take: 1.5 })).toThrow(expect.objectContaining({ code: 'TAKE_NUMBER_INVALID' }));
  });

  it('always gives a safe .wav name', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('.', ' ', '/', '\\', ':', '*', '\u0000', '\ud800', 'CON', 'nul', 'é', '😀', '語', '\t', '{', '}'), maxLength: 80 }),
    );
    const template = fc.array(fc.constantFrom('{cue}', '{character}', '{take}', '{take:02}', '{take:04}', '{scene}', '{project}', '{date}', '_', ' ', 'T', '.', '-'), { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(template, text, text, text, text, fc.nat({ max: 100_000 }), (tpl, cue, character, scene, project, take) => {
        const name = takeFileName(tpl, { cue, character, scene, project, take, date: new Date(2025, 0, 2) });
        expectSafeTakeName(name);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('nextFreeName', () => {
  it('keeps a free name and numbers taken ones " (2)", " (3)" … before the extension', () => {
    const taken = new Set(['101_Émile_T03.wav', '101_Émile_T03 (2).wav']);
    expect(nextFreeName('101_Émile_T04.wav', (n) => taken.has(n))).toBe('101_Émile_T04.wav');
    expect(nextFreeName('101_Émile_T03.wav', (n) => taken.has(n))).toBe('101_Émile_T03 (3).wav');
    expect(nextFreeName('noext', (n) => n === 'noext')).toBe('noext (2)');
  });

  it('never returns a name that exists, and gives up after 9999 with TAKE_NAME_EXHAUSTED', () => {
    fc.assert(
      fc.property(fc.nat({ max: 300 }), (count) => {
        const taken = new Set(['a.wav', ...Array.from({ length: count }, (_, i) => `a (${i + 2}).wav`)]);
        const free = nextFreeName('a.wav', (n) => taken.has(n));
        expect(taken.has(free)).toBe(false);
        expect(free).toBe(`a (${count + 2}).wav`);
      }),
    );
    expect(() => nextFreeName('a.wav', () => true)).toThrow(expect.objectContaining({ code: 'TAKE_NAME_EXHAUSTED' }));
  });
});
