/**
 * The keyboard map: every command a key can run, its default keys, and the rules for a chord
 * ("R", "Shift+R", "Mod+Z", "Space"). One table for the whole app: the window's one key handler
 * looks a chord up here, the shortcuts panel lists and rebinds from it, and the project keeps the
 * operator's changes (only the commands that differ from the defaults).
 *
 * "Mod" is Ctrl on Windows and Linux and ⌘ on a Mac; a chord names it once so a keymap travels.
 */

/** Where a command's keys work: only outside text fields (plain), or also while typing in one. */
export type KeyScope = 'plain' | 'anywhere';

export interface CommandInfo {
  readonly group: 'Transport' | 'Recorder' | 'Takes' | 'Cues' | 'Editing' | 'Project';
  readonly label: string;
  readonly defaults: readonly string[];
  readonly scope: KeyScope;
  /** Whether holding the key repeats the command (undo does; record must not). */
  readonly repeats?: boolean;
}

export const COMMANDS = {
  'transport.toggle': { group: 'Transport', label: 'Play / stop; stops a rehearsal, take or playback', defaults: ['Space'], scope: 'plain' },
  'transport.start': { group: 'Transport', label: 'Go to the project start', defaults: ['Home'], scope: 'plain' },
  'transport.locate': { group: 'Transport', label: 'Jump to the locate field', defaults: ['G'], scope: 'plain' },
  'recorder.arm': { group: 'Recorder', label: 'Record-arm on / off', defaults: ['R'], scope: 'plain' },
  'recorder.record': { group: 'Recorder', label: 'Record a take of the selected cue (while armed)', defaults: ['Shift+R'], scope: 'plain' },
  'recorder.rehearse': { group: 'Recorder', label: 'Rehearse the selected cue (beeps and streamer, nothing recorded)', defaults: ['E'], scope: 'plain' },
  'recorder.loop': { group: 'Recorder', label: 'Loop rehearsals on / off', defaults: ['L'], scope: 'plain' },
  'recorder.review': { group: 'Recorder', label: 'Review: play the marked take against picture', defaults: ['P'], scope: 'plain' },
  'recorder.compare': { group: 'Recorder', label: 'Compare: play takes A and B against picture', defaults: ['V'], scope: 'plain' },
  'recorder.switchAB': { group: 'Recorder', label: 'Switch between A and B while comparing', defaults: ['B'], scope: 'plain' },
  'take.circle': { group: 'Takes', label: 'Circle the marked take (the newest, or the row chosen)', defaults: ['C'], scope: 'plain' },
  'take.alternate': { group: 'Takes', label: 'Make the marked take an alternate', defaults: ['A'], scope: 'plain' },
  'take.noGood': { group: 'Takes', label: 'Mark the marked take NG', defaults: ['X'], scope: 'plain' },
  'take.falseStart': { group: 'Takes', label: 'Mark the marked take a false start', defaults: ['F'], scope: 'plain' },
  'take.rate1': { group: 'Takes', label: 'Rate the marked take 1 star', defaults: ['1'], scope: 'plain' },
  'take.rate2': { group: 'Takes', label: 'Rate the marked take 2 stars', defaults: ['2'], scope: 'plain' },
  'take.rate3': { group: 'Takes', label: 'Rate the marked take 3 stars', defaults: ['3'], scope: 'plain' },
  'take.rate4': { group: 'Takes', label: 'Rate the marked take 4 stars', defaults: ['4'], scope: 'plain' },
  'take.rate5': { group: 'Takes', label: 'Rate the marked take 5 stars', defaults: ['5'], scope: 'plain' },
  'take.unrate': { group: 'Takes', label: 'Clear the marked take’s rating', defaults: ['0'], scope: 'plain' },
  'take.note': { group: 'Takes', label: 'Type a note on the marked take (works while the next take rolls)', defaults: ['T'], scope: 'plain' },
  'cue.next': { group: 'Cues', label: 'Select the next cue', defaults: ['J'], scope: 'plain', repeats: true },
  'cue.previous': { group: 'Cues', label: 'Select the previous cue', defaults: ['K'], scope: 'plain', repeats: true },
  'cue.done': { group: 'Cues', label: 'Mark the selected cue done (again: back to do)', defaults: ['D'], scope: 'plain' },
  'cue.new': { group: 'Cues', label: 'New cue at the current position', defaults: ['N'], scope: 'plain' },
  'cue.search': { group: 'Cues', label: 'Jump to the cue search', defaults: ['/'], scope: 'plain' },
  'cue.takeIn': { group: 'Editing', label: 'Take the current position for the cue’s TC In', defaults: ['I'], scope: 'plain' },
  'cue.takeOut': { group: 'Editing', label: 'Take the current position for the cue’s TC Out', defaults: ['O'], scope: 'plain' },
  'cue.save': { group: 'Editing', label: 'Save the cue being edited', defaults: ['Mod+Enter'], scope: 'anywhere' },
  'edit.undo': { group: 'Editing', label: 'Undo the last cue change', defaults: ['Mod+Z'], scope: 'plain', repeats: true },
  'edit.redo': { group: 'Editing', label: 'Redo', defaults: ['Mod+Shift+Z', 'Mod+Y'], scope: 'plain', repeats: true },
  'project.open': { group: 'Project', label: 'Jump to the field that opens a project', defaults: ['Mod+O'], scope: 'anywhere' },
} as const satisfies Record<string, CommandInfo>;

export type CommandId = keyof typeof COMMANDS;
export const COMMAND_IDS = Object.keys(COMMANDS) as CommandId[];

export function isCommandId(value: string): value is CommandId {
  return Object.hasOwn(COMMANDS, value);
}

/** The commands whose keys differ from the defaults: command → its keys (none: unbound). */
export type KeymapOverrides = Partial<Record<CommandId, readonly string[]>>;

/** The keys a command may have at most (the panel shows them in one cell). */
export const MAX_KEYS_PER_COMMAND = 3;

/** The pressed key as the browser reports it (a KeyboardEvent fits). */
export interface KeyPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

const MODIFIER_KEYS = new Set(['Control', 'Meta', 'Shift', 'Alt', 'AltGraph', 'CapsLock', 'Fn', 'OS', 'Hyper', 'Super']);
const NAMED: Readonly<Record<string, string>> = { ' ': 'Space', Spacebar: 'Space', Esc: 'Escape', Up: 'ArrowUp', Down: 'ArrowDown', Left: 'ArrowLeft', Right: 'ArrowRight', Del: 'Delete' };
/** Keys a chord may not take: they belong to moving through the page and to leaving fields. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['Tab', 'Escape', 'Enter', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Delete', 'Backspace', 'F2']);

/** Named keys a chord may use, by their lower-case spelling (a hand-edited "home" is Home). */
const KEY_NAMES: ReadonlyMap<string, string> = new Map(
  ['Space', 'Enter', 'Tab', 'Escape', 'Backspace', 'Delete', 'Insert', 'Home', 'End', 'PageUp', 'PageDown', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Pause', 'ScrollLock', 'PrintScreen', 'ContextMenu',
    ...Array.from({ length: 24 }, (_, i) => `F${i + 1}`)].map((name) => [name.toLowerCase(), name]),
);

/** The key part of a chord: one upper-case letter, a printed character, or a known key name. */
function keyName(key: string): string | null {
  const named = NAMED[key] ?? key;
  if (MODIFIER_KEYS.has(named)) return null;
  if ([...named].length === 1) return named.toUpperCase();
  return KEY_NAMES.get(named.toLowerCase()) ?? null;
}

/** The chord a key press makes ("Shift+R", "Mod+Z", "Space"), or null for a lone modifier. */
export function chordOf(press: KeyPress): string | null {
  const key = keyName(press.key);
  if (key === null) return null;
  const parts: string[] = [];
  if (press.ctrlKey || press.metaKey) parts.push('Mod');
  if (press.altKey) parts.push('Alt');
  // Shift that made a printed symbol ("?" from Shift+/) is part of the symbol, not the chord.
  const printedSymbol = [...key].length === 1 && key.toLowerCase() === key.toUpperCase() && !/[0-9]/.test(key);
  if (press.shiftKey && !printedSymbol) parts.push('Shift');
  parts.push(key);
  return parts.join('+');
}

/** A chord as written by a person or a file, in canonical form; null when it is not one. */
export function normalizeChord(text: string): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > 40) return null;
  const parts = text === '+' ? ['+'] : text.endsWith('++') ? [...text.slice(0, -2).split('+').filter(Boolean), '+'] : text.split('+');
  const key = parts.pop();
  if (key === undefined || key === '') return null;
  const mods = new Set<string>();
  for (const part of parts) {
    const mod = { mod: 'Mod', ctrl: 'Mod', cmd: 'Mod', meta: 'Mod', shift: 'Shift', alt: 'Alt', option: 'Alt' }[part.toLowerCase()];
    if (!mod || mods.has(mod)) return null;
    mods.add(mod);
  }
  const chord = chordOf({ key, ctrlKey: mods.has('Mod'), metaKey: false, shiftKey: mods.has('Shift'), altKey: mods.has('Alt') });
  return chord;
}

/** Why a chord cannot be bound (to `command`, when given), or null when it can. */
export function chordProblem(chord: string, command?: CommandId): string | null {
  const key = chord.endsWith('++') ? '+' : chord.split('+').pop()!;
  if (RESERVED_KEYS.has(key) && !chord.startsWith('Mod+')) return `${key} moves through the page and leaves fields, so it cannot be a shortcut on its own; add Ctrl or choose another key.`;
  // A command that works while typing would eat the key from every field.
  const modified = chord.startsWith('Mod+') || chord.startsWith('Alt+') || /^F\d+$/.test(key);
  if (command && COMMANDS[command].scope === 'anywhere' && !modified) return `“${COMMANDS[command].label}” works while typing, so its key needs Ctrl (or Alt), or an F key; ${key} alone would stop it being typed.`;
  return null;
}

/** Each command's keys: the defaults with the overrides applied (a chord belongs to one command). */
export function bindingsOf(overrides: KeymapOverrides): Record<CommandId, readonly string[]> {
  const bindings = {} as Record<CommandId, readonly string[]>;
  for (const id of COMMAND_IDS) bindings[id] = overrides[id] ?? COMMANDS[id].defaults;
  // A chord taken by an override leaves the default that had it (the newer choice wins).
  const claimed = new Set(COMMAND_IDS.filter((id) => overrides[id]).flatMap((id) => overrides[id]!));
  for (const id of COMMAND_IDS) {
    if (!overrides[id]) bindings[id] = bindings[id].filter((chord) => !claimed.has(chord));
  }
  return bindings;
}

/** The chord → command table for looking a key press up. */
export function lookupOf(bindings: Readonly<Record<CommandId, readonly string[]>>): ReadonlyMap<string, CommandId> {
  const table = new Map<string, CommandId>();
  for (const id of COMMAND_IDS) for (const chord of bindings[id]) if (!table.has(chord)) table.set(chord, id);
  return table;
}

/**
 * The overrides after binding `chords` to `command`: other commands give those chords up, and a
 * command back at its defaults drops out of the overrides.
 */
export function rebind(overrides: KeymapOverrides, command: CommandId, chords: readonly string[]): KeymapOverrides {
  const wanted = [...new Set(chords)].slice(0, MAX_KEYS_PER_COMMAND);
  const current = bindingsOf(overrides);
  const next: Record<string, readonly string[]> = {};
  for (const id of COMMAND_IDS) {
    const keys = id === command ? wanted : current[id].filter((chord) => !wanted.includes(chord));
    if (!sameKeys(keys, COMMANDS[id].defaults)) next[id] = keys;
  }
  return next as KeymapOverrides;
}

/** The overrides with one command back at its default keys (which it takes back from others). */
export function resetCommand(overrides: KeymapOverrides, command: CommandId): KeymapOverrides {
  return rebind(overrides, command, COMMANDS[command].defaults);
}

/**
 * Overrides read from storage or sent by a client, cleaned: unknown commands (a keymap from a
 * newer or older Loopstage) and chords that are not chords are dropped, never an error.
 */
export function cleanOverrides(stored: unknown): KeymapOverrides {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const clean: Record<string, string[]> = {};
  for (const [id, keys] of Object.entries(stored)) {
    if (!isCommandId(id) || !Array.isArray(keys)) continue;
    const chords = keys.map((k) => (typeof k === 'string' ? normalizeChord(k) : null)).filter((c): c is string => c !== null && chordProblem(c, id) === null);
    // Keys that were all unusable fall back to the defaults; an empty list (no key, chosen) stays.
    if (keys.length > 0 && chords.length === 0) continue;
    clean[id] = [...new Set(chords)].slice(0, MAX_KEYS_PER_COMMAND);
  }
  return clean as KeymapOverrides;
}

/** How a chord reads on this platform: "Ctrl+Shift+Z" or "⇧⌘Z". */
export function formatChord(chord: string, mac: boolean): string {
  const plus = chord === '+' || chord.endsWith('++');
  const parts = plus ? chord.slice(0, -1).split('+').filter(Boolean) : chord.split('+');
  const key = plus ? '+' : parts.pop()!;
  const mods = parts;
  if (mac) {
    const symbol: Record<string, string> = { Mod: '⌘', Shift: '⇧', Alt: '⌥' };
    const order = ['Alt', 'Shift', 'Mod'];
    return mods.sort((a, b) => order.indexOf(a) - order.indexOf(b)).map((m) => symbol[m]).join('') + key;
  }
  return [...mods.map((m) => (m === 'Mod' ? 'Ctrl' : m)), key].join('+');
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((chord, i) => chord === b[i]);
}
