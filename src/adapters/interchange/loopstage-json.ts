/**
 * Loopstage's own cue list format: lossless JSON of an import's drafts, for moving cue lists
 * between projects and tools without losing a field.
 *
 * ```json
 * { "format": "loopstage-cues", "version": 1, "frameRate": "23.976", "sampleRate": 48000,
 *   "characters": [CharacterDraft…], "scenes": [SceneDraft…], "cues": [CueDraft…] }
 * ```
 * Times are timeline samples at `sampleRate` (see core/cues/cue.ts); `frameRate` is a FrameRateId.
 * Every CueDraft field is written when set and read back as it was (null and absent stay distinct).
 *
 * Reading never throws. Syntax errors are found with jsonc-parser (VS Code's JSON parser), which
 * gives the offset of the problem, so the issue names its line and column; the value itself is then
 * read with JSON.parse and checked with zod. A bad envelope (not this format, another version, no
 * frame rate) stops the read; a bad character, scene or cue is an error naming the line of the
 * offending value, and the rest is still read for the preview.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import {
  CUE_KINDS,
  CUE_STATUSES,
  FOLEY_PASSES,
  type CharacterDraft,
  type CueDraft,
  type ImportIssue,
  type ImportResult,
  type SceneDraft,
} from '../../core/cues/cue.js';
import { FRAME_RATE_IDS, FRAME_RATES, type FrameRate } from '../../core/time/index.js';

export const LOOPSTAGE_CUES_FORMAT = 'loopstage-cues';
export const LOOPSTAGE_CUES_VERSION = 1;

const sample = z.int().min(0);
const text = z.string();
const name = z.string().nullable().optional();

const sourceSchema = z.strictObject({ file: z.string(), line: z.int().min(0), column: z.int().min(0).optional() });

const cueSchema = z
  .strictObject({
    kind: z.enum(CUE_KINDS),
    number: z.string().nullable(),
    in: sample,
    out: sample,
    reel: name,
    scene: name,
    character: name,
    notes: text.optional(),
    engNotes: text.optional(),
    status: z.enum(CUE_STATUSES).optional(),
    colour: name,
    lineText: text.optional(),
    altText: text.optional(),
    reason: name,
    priority: z.number().nullable().optional(),
    onScreen: z.boolean().nullable().optional(),
    tv: z.boolean().optional(),
    tbw: z.boolean().optional(),
    adlib: z.boolean().optional(),
    optional: z.boolean().optional(),
    pass: z.enum(FOLEY_PASSES).nullable().optional(),
    surface: text.optional(),
    footwear: text.optional(),
    prop: text.optional(),
    description: text.optional(),
    track: text.optional(),
    source: sourceSchema.optional(),
  })
  .refine((cue) => cue.out >= cue.in, { message: 'the cue ends before it starts', path: ['out'] });

const sceneSchema = z
  .strictObject({
    number: z.string(),
    description: text.optional(),
    reel: name,
    in: sample,
    out: sample,
    source: sourceSchema.optional(),
  })
  .refine((scene) => scene.out >= scene.in, { message: 'the scene ends before it starts', path: ['out'] });

const characterSchema = z.strictObject({
  name: z.string().min(1),
  actor: name,
  prefix: name,
  source: sourceSchema.optional(),
});

// The schemas must cover every field of the drafts, or a round trip would drop one: checked here.
type Missing<T, S> = Exclude<keyof T, keyof S>;
const _covered: [Missing<CueDraft, z.infer<typeof cueSchema>> | Missing<SceneDraft, z.infer<typeof sceneSchema>> | Missing<CharacterDraft, z.infer<typeof characterSchema>>] extends [never] ? true : never = true;
void _covered;

const envelopeSchema = z.object({
  format: z.literal(LOOPSTAGE_CUES_FORMAT),
  version: z.literal(LOOPSTAGE_CUES_VERSION),
  frameRate: z.enum(FRAME_RATE_IDS),
  sampleRate: z.int().min(1).max(0xffff_ffff),
  characters: z.array(z.unknown()),
  scenes: z.array(z.unknown()),
  cues: z.array(z.unknown()),
});

/** Key orders for the file, so the same drafts always give the same text. */
const ORDER = {
  cue: ['kind', 'number', 'in', 'out', 'reel', 'scene', 'character', 'lineText', 'altText', 'reason', 'priority', 'onScreen', 'tv', 'tbw', 'adlib', 'optional', 'pass', 'surface', 'footwear', 'prop', 'description', 'track', 'notes', 'engNotes', 'status', 'colour', 'source'],
  scene: ['number', 'description', 'reel', 'in', 'out', 'source'],
  character: ['name', 'actor', 'prefix', 'source'],
  source: ['file', 'line', 'column'],
} as const;

function ordered(value: object, keys: readonly string[]): Record<string, unknown> {
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out[key] = key === 'source' && v !== null && typeof v === 'object' ? ordered(v, ORDER.source) : v;
  }
  return out;
}

export interface LoopstageJsonMeta {
  readonly frameRate: FrameRate;
  readonly sampleRate: number;
}

/** The drafts as a Loopstage cue file (2-space indented, final newline, keys in a fixed order). */
export function writeLoopstageJson(result: Pick<ImportResult, 'cues' | 'scenes' | 'characters'>, meta: LoopstageJsonMeta): string {
  const document = {
    format: LOOPSTAGE_CUES_FORMAT,
    version: LOOPSTAGE_CUES_VERSION,
    frameRate: meta.frameRate.id,
    sampleRate: meta.sampleRate,
    characters: result.characters.map((c) => ordered(c, ORDER.character)),
    scenes: result.scenes.map((s) => ordered(s, ORDER.scene)),
    cues: result.cues.map((c) => ordered(c, ORDER.cue)),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface LoopstageJsonRead extends ImportResult {
  /** The file's frame rate and sample rate; null when the envelope could not be read. */
  readonly frameRate: FrameRate | null;
  readonly sampleRate: number | null;
}

/** Offsets to 1-based line and column (CRLF, LF and CR end lines). */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: Math.max(0, offset - lineStart) + 1 };
}

/** jsonc-parser's error names (printParseErrorCode) in words. */
const SYNTAX: Readonly<Record<string, string>> = {
  InvalidSymbol: 'an unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name in double quotes is missing',
  ValueExpected: 'a value is missing',
  ColonExpected: 'a colon is missing',
  CommaExpected: 'a comma is missing',
  CloseBraceExpected: 'a closing "}" is missing',
  CloseBracketExpected: 'a closing "]" is missing',
  EndOfFileExpected: 'there is more text after the end of the JSON value',
  InvalidCommentToken: 'JSON has no comments',
  UnexpectedEndOfComment: 'a comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'a \\u escape is malformed',
  InvalidEscapeCharacter: 'a backslash escape is not valid JSON',
  InvalidCharacter: 'a control character must be escaped inside a string',
};

/** Reads a Loopstage cue file (see the module comment). Never throws. */
export function readLoopstageJson(text: string, options: { file: string }): LoopstageJsonRead {
  const { file } = options;
  const issues: ImportIssue[] = [];
  const failed = (): LoopstageJsonRead => ({ cues: [], scenes: [], characters: [], issues, frameRate: null, sampleRate: null });
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const errors: ParseError[] = [];
  const tree = parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !tree) {
    const at = positionOf(body, first?.offset ?? 0);
    const what = first ? (SYNTAX[printParseErrorCode(first.error)] ?? 'the text is not valid JSON') : 'the file is empty';
    issues.push({ severity: 'error', code: 'JSON_SYNTAX', file, ...at, message: `This is not valid JSON here: ${what}; fix the file or export the cue list again.` });
    return failed();
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    issues.push({ severity: 'error', code: 'JSON_SYNTAX', file, line: 1, message: `This is not valid JSON (${String(error)}); fix the file or export the cue list again.` });
    return failed();
  }

  /** Where a value sits in the file, by its path from the root. */
  const locate = (path: (string | number)[]): { line: number; column: number } => {
    for (let n = path.length; n >= 0; n--) {
      const node: JsonNode | undefined = findNodeAtLocation(tree, path.slice(0, n));
      if (node) return positionOf(body, node.offset);
    }
    return { line: 1, column: 1 };
  };

  const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  if (!record || record.format !== LOOPSTAGE_CUES_FORMAT) {
    issues.push({ severity: 'error', code: 'JSON_NOT_LOOPSTAGE', file, ...locate(['format']), message: `This JSON is not a Loopstage cue list (its "format" is not "${LOOPSTAGE_CUES_FORMAT}"); choose a file Loopstage exported as JSON.` });
    return failed();
  }
  if (record.version !== LOOPSTAGE_CUES_VERSION) {
    const newer = typeof record.version === 'number' && record.version > LOOPSTAGE_CUES_VERSION;
    issues.push({
      severity: 'error',
      code: 'JSON_UNSUPPORTED_VERSION',
      file,
      ...locate(['version']),
      message: newer
        ? `This cue list is format version ${String(record.version)}, made by a newer Loopstage, and this one reads version ${LOOPSTAGE_CUES_VERSION}; update Loopstage to import it.`
        : `This cue list has version ${JSON.stringify(record.version) ?? 'missing'}, which no Loopstage wrote; this one reads version ${LOOPSTAGE_CUES_VERSION}, so export the list again.`,
    });
    return failed();
  }
  const envelope = envelopeSchema.safeParse(record);
  if (!envelope.success) {
    const problem = envelope.error.issues[0];
    const path = (problem?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
    issues.push({ severity: 'error', code: 'JSON_BAD_ENVELOPE', file, ...locate(path), message: `The cue list's ${path.join('.') || 'top level'} is not valid (${problem?.message ?? 'unknown problem'}); export the cue list again.` });
    return failed();
  }

  const read = <T>(list: readonly unknown[], key: 'characters' | 'scenes' | 'cues', schema: z.ZodType<T>, what: string, code: string): T[] => {
    const items: T[] = [];
    list.forEach((item, index) => {
      const parsed = schema.safeParse(item);
      if (parsed.success) {
        items.push(parsed.data);
        return;
      }
      const problem = parsed.error.issues[0];
      const path = (problem?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
      // An unknown key is named by the issue, not its path: point at the key itself.
      if (problem?.code === 'unrecognized_keys' && problem.keys[0] !== undefined) path.push(problem.keys[0]);
      const field = path.length > 0 ? `"${path.join('.')}"` : 'it';
      issues.push({ severity: 'error', code, file, ...locate([key, index, ...path]), message: `${what} ${index + 1} is not valid: ${field} — ${problem?.message ?? 'unknown problem'}; fix it or export the cue list again.` });
    });
    return items;
  };

  const data = envelope.data;
  return {
    characters: read(data.characters, 'characters', characterSchema, 'Character', 'JSON_BAD_CHARACTER') as CharacterDraft[],
    scenes: read(data.scenes, 'scenes', sceneSchema, 'Scene', 'JSON_BAD_SCENE') as SceneDraft[],
    cues: read(data.cues, 'cues', cueSchema, 'Cue', 'JSON_BAD_CUE') as CueDraft[],
    issues,
    frameRate: FRAME_RATES[data.frameRate],
    sampleRate: data.sampleRate,
  };
}
