/**
 * Take file names from a per-project template (DESIGN §5). Tokens:
 *
 *   {cue} {character} {scene} {project}   the text of that field
 *   {take}                                the take number (1, 2, … 10)
 *   {take:0N}                             zero-padded to N digits ({take:02} → 01 … 10 … 100)
 *   {date}                                the recording day, yyyy-mm-dd (local time)
 *
 * The expanded name is made safe for every file system with safeFileName, kept short enough
 * that " (9999)" and ".wav" still fit in 120 characters and 255 UTF-8 bytes (ext4, APFS and
 * NTFS limits), and given the `.wav` extension. A name never replaces an existing file:
 * nextFreeName adds " (2)", " (3)" … before the extension, and the take writer opens with
 * exclusive creation as the last guard.
 */
import { LoopstageError } from '../errors.js';
import { safeFileName } from './safe-file-name.js';

export const DEFAULT_TAKE_TEMPLATE = '{cue}_{character}_T{take:02}';
export const TAKE_EXTENSION = '.wav';

/** Longest stem, in code points and in UTF-8 bytes, leaving room for " (9999)" + ".wav". */
const MAX_STEM_POINTS = 108;
const MAX_STEM_BYTES = 200;

export interface TakeNameFields {
  readonly cue: string;
  readonly character: string;
  readonly take: number;
  readonly scene?: string;
  readonly project?: string;
  /** The recording day for {date}. */
  readonly date?: Date;
}

const TOKEN = /\{([^{}]*)\}/g;
const TOKEN_NAMES = ['cue', 'character', 'take', 'take:0N', 'scene', 'project', 'date'];

function templateError(template: string, message: string): LoopstageError {
  return new LoopstageError('TAKE_TEMPLATE_INVALID', `The take name template "${template}" ${message}; use the tokens ${TOKEN_NAMES.map((t) => `{${t}}`).join(', ')}.`, { template });
}

/** Throws TAKE_TEMPLATE_INVALID unless every `{…}` in the template is a known token. */
export function checkTakeTemplate(template: string): void {
  for (const match of template.matchAll(TOKEN)) {
    const token = match[1] ?? '';
    if (!/^(cue|character|take|take:0[1-9]|scene|project|date)$/.test(token)) {
      throw templateError(template, `has the unknown token {${token}}`);
    }
  }
  if (/[{}]/.test(template.replace(TOKEN, ''))) throw templateError(template, 'has a "{" or "}" that is not part of a token');
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Replaces unpaired surrogates (which no file system can store as UTF-8) with U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Cuts a stem to the length limits, at a code point boundary, and makes it safe again. */
function fitStem(stem: string): string {
  let points = [...stem];
  if (points.length > MAX_STEM_POINTS) points = points.slice(0, MAX_STEM_POINTS);
  while (utf8Length(points.join('')) > MAX_STEM_BYTES) points.pop();
  const cut = points.join('');
  return cut === stem ? stem : safeFileName(cut, 'Take');
}

/** The file name of a take (with `.wav`) from a template; TAKE_TEMPLATE_INVALID for unknown tokens. */
export function takeFileName(template: string, fields: TakeNameFields): string {
  checkTakeTemplate(template);
  if (!Number.isSafeInteger(fields.take) || fields.take < 0) {
    throw new LoopstageError('TAKE_NUMBER_INVALID', `The take number ${fields.take} is not a whole number of zero or more.`, { take: fields.take });
  }
  const pad2 = (n: number): string => String(n).padStart(2, '0');
  const expanded = template.replace(TOKEN, (_, token: string) => {
    if (token === 'cue') return fields.cue;
    if (token === 'character') return fields.character;
    if (token === 'scene') return fields.scene ?? '';
    if (token === 'project') return fields.project ?? '';
    if (token === 'date') {
      const d = fields.date;
      return d ? `${String(d.getFullYear()).padStart(4, '0')}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}` : '';
    }
    if (token === 'take') return String(fields.take);
    return String(fields.take).padStart(Number(token.slice('take:0'.length)), '0');
  });
  // No leading dots either: a name starting with "." is hidden on macOS and Linux.
  const stem = safeFileName(safeFileName(wellFormed(expanded), 'Take').replace(/^[. ]+/, ''), 'Take');
  return `${fitStem(stem)}${TAKE_EXTENSION}`;
}

/**
 * `name` if no file has it, else the first of "stem (2).ext", "stem (3).ext" … that is free.
 * `exists` answers for the folder the take goes in (compare case-insensitively there if the file
 * system does). After 9999 the search gives up with TAKE_NAME_EXHAUSTED.
 */
export function nextFreeName(name: string, exists: (candidate: string) => boolean): string {
  if (!exists(name)) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 2; n <= 9999; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!exists(candidate)) return candidate;
  }
  throw new LoopstageError('TAKE_NAME_EXHAUSTED', `There are already 9999 takes named like "${name}" in this folder; change the take name template.`, { name });
}
