/**
 * CMX3600 EDL → cue and scene drafts, by hand (no parser library), for spotting ADR and Foley
 * from an editor's locators and for scene or shot boundaries from the cut.
 *
 * What it reads
 * - `TITLE:` (recognised, not kept), `FCM: DROP FRAME` / `FCM: NON-DROP FRAME` (applies to the
 *   lines after it; an EDL may switch), edit lines, `M2` speed lines, `AUD` extra-audio lines,
 *   `SPLIT:` / `EFFECTS NAME IS` / `REM` / `>>>` lines (recognised, ignored) and `*` comments:
 *   `* FROM CLIP NAME:`, `* TO CLIP NAME:`, `* LOC:`, `* COMMENT:`; other comments (`* SOURCE FILE:`,
 *   `*ASC_SOP`, `* BLEND, DISSOLVE`, …) are ignored. `*` may be followed by no space (`*LOC:`), and
 *   `FROM CLIP NAME:` without the star (seen in the wild) is read too.
 * - Edit lines: `event reel channels type [duration] srcIn srcOut recIn recOut`, columns separated by
 *   any run of spaces or tabs; timecodes may also be squeezed together without spaces
 *   (`01:00:04:0501:00:05:12`). Types: C, D, W / Wnnn, K, KB, KO (`K B`, `K O`). Channels: V, A, An,
 *   AA, B, NONE and `/` combinations (`AA/V`). Separators in timecodes may be `:`, `;`, `.` or `,`:
 *   the FCM, not the separator, decides drop-frame (a `;` read as non-drop is reported once).
 * - Frame rate: a 29.97 or 59.94 project rate takes drop-frame or non-drop from the FCM in force
 *   (none yet: non-drop, with an EDL_NO_FCM warning). Other rates are used as given; an
 *   `FCM: DROP FRAME` there is an EDL_FCM_MISMATCH warning, not a failure.
 *
 * What it makes
 * - Events (consecutive edit lines with the same event number, e.g. the cut and the dissolve of a
 *   transition) become SceneDrafts: `number` = the event number as written (`"001"`), or
 *   `"shot 001"` when `eventsAs: 'shots'` (so shot changes never collide with real scene numbers);
 *   `description` = the clip the event shows: `* TO CLIP NAME` for a transition, else
 *   `* FROM CLIP NAME`; in/out = the record range (earliest record in … latest record out of the
 *   event's lines). When the EDL has any video event, audio-only events (A, A2, AA, NONE, …) make
 *   no scene; an audio-only EDL makes one scene per event.
 * - `* LOC: <tc> [colour] [text]` locators become cues of `options.kind` (default ADR): `in` = the
 *   locator timecode read as record (timeline) timecode; `out` = the record out of the event the
 *   locator is written under when the locator lies inside that event's record range, else one frame
 *   after `in`; `colour` = the colour word normalised to lower case (red, green, blue, cyan,
 *   magenta, yellow, black, white, and pink, orange, purple, … — see COLOURS; a word that is no known
 *   colour is taken as the start of the text and `colour` is null); the text goes to `lineText`
 *   (ADR) or `description` (Foley); in scenes mode `scene` names the event's scene. A `* COMMENT:`
 *   line after a locator (same event) becomes that cue's `notes`.
 * - Cue numbers in locator text: `$QN=<number>` anywhere in the text (the ptulsconv tag
 *   convention), or else a leading token of 1–3 capital letters, 2–5 digits and an optional capital
 *   letter followed by a space, a colon or the end (`R101 Where were you?`, `JD2041A: Now!`). The
 *   number is taken out of the text. Anything else leaves `number` null for the project's scheme.
 * - Every timecode becomes a timeline sample with frameToPosition(labelToFrames(tc, rate), …).
 *
 * Problems are ImportIssues (file, 1-based line and column, a stable code from EDL_ISSUE_CODES and
 * one sentence); a line that cannot be read is an error and is skipped, and parsing goes on.
 * parseEdl never throws and runs in time linear in the input.
 */
import type { CueDraft, CueKind, ImportIssue, ImportResult, SceneDraft } from '../cues/cue.js';
import { isLoopstageError } from '../errors.js';
import { FRAME_RATES, frameToPosition, labelToFrames, type FrameRate } from '../time/index.js';

export interface EdlImportOptions {
  /** Named in every issue and SourceRef. */
  readonly file: string;
  /** The project's frame rate; for 29.97 and 59.94 the EDL's FCM picks drop-frame or not. */
  readonly frameRate: FrameRate;
  /** The project's sample rate (samples per second). */
  readonly sampleRate: number;
  /** What events become: scene drafts numbered by event (default) or shot changes ("shot 001"). */
  readonly eventsAs?: 'scenes' | 'shots';
  /** The kind of cue each `* LOC:` locator becomes (default 'adr'). */
  readonly kind?: CueKind;
}

/** Every code parseEdl can report, with its severity. */
export const EDL_ISSUE_CODES = {
  /** A timecode is malformed or impossible at the rate (frame 24 at 24 fps, a dropped DF label). */
  EDL_BAD_TIMECODE: 'error',
  /** A line starting with a digit is not a readable edit line. */
  EDL_BAD_EVENT: 'error',
  /** An edit line's record out is before its record in. */
  EDL_BAD_RANGE: 'error',
  /** A `* LOC:` line has no timecode. */
  EDL_BAD_LOCATOR: 'error',
  /** An `M2` line is not `M2 reel speed timecode`. */
  EDL_BAD_SPEED: 'error',
  /** Nothing to import: no event and no locator could be read. */
  EDL_NO_EVENTS: 'error',
  /** The options are unusable (unknown frame rate, bad sample rate). */
  EDL_BAD_OPTIONS: 'error',
  /** An unexpected failure inside the parser (a bug); the result is what was read before it. */
  EDL_INTERNAL: 'error',
  /** No FCM line before the first timecode: read as non-drop. */
  EDL_NO_FCM: 'warning',
  /** An FCM line whose value is neither DROP FRAME nor NON-DROP FRAME. */
  EDL_BAD_FCM: 'warning',
  /** FCM says drop-frame but the project rate has no drop-frame (not 29.97 or 59.94). */
  EDL_FCM_MISMATCH: 'warning',
  /** A timecode written with `;` (drop-frame style) is read as non-drop. */
  EDL_SEPARATOR_MISMATCH: 'warning',
  /** The same event number with the same channels is cut twice in a row. */
  EDL_DUPLICATE_EVENT: 'warning',
  /** A dissolve, wipe or key without the outgoing line before it; a dissolve or wipe without a length, or longer than its event. */
  EDL_BAD_TRANSITION: 'warning',
  /** Source and record durations differ and no M2 line explains it; record times are used. */
  EDL_DURATION_MISMATCH: 'warning',
  /** An M2 or AUD line before any event. */
  EDL_ORPHAN_LINE: 'warning',
  /** Text after an edit line's record out, ignored. */
  EDL_TRAILING_TEXT: 'warning',
  /** A line that is not part of CMX3600, ignored. */
  EDL_UNKNOWN_LINE: 'warning',
} as const satisfies Record<string, ImportIssue['severity']>;

export type EdlIssueCode = keyof typeof EDL_ISSUE_CODES;

/** Locator colour words Loopstage recognises (Avid's eight, and the names other editors use). */
export const COLOURS: ReadonlySet<string> = new Set([
  'red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white',
  'pink', 'orange', 'purple', 'violet', 'grey', 'gray', 'brown', 'teal',
  'fuchsia', 'rose', 'lavender', 'sky', 'mint', 'lemon', 'sand', 'cocoa', 'cream',
]);

// ---------------------------------------------------------------------------------------------

interface Token {
  readonly text: string;
  /** 0-based index in the line. */
  readonly start: number;
}

type EditType = 'C' | 'D' | 'W' | 'K';

interface EditLine {
  readonly line: number;
  readonly number: string;
  readonly type: EditType;
  readonly channels: string;
  readonly video: boolean;
  /** Frames at the line's rate. */
  readonly srcIn: number;
  readonly srcOut: number;
  readonly recInFrame: number;
  readonly recOutFrame: number;
  readonly recIn: number;
  readonly recOut: number;
}

interface EdlEvent {
  readonly number: string;
  readonly line: number;
  readonly edits: EditLine[];
  fromClip?: string;
  toClip?: string;
  hasSpeed: boolean;
  lastLocator: Locator | null;
}

interface Locator {
  readonly line: number;
  readonly column: number;
  readonly frame: number;
  readonly rate: FrameRate;
  readonly pos: number;
  readonly colour: string | null;
  readonly text: string;
  readonly event: EdlEvent | null;
  readonly notes: string[];
}

const TC_CHUNK = /^\d\d[:;.,]\d\d[:;.,]\d\d[:;.,]\d\d$/;
/** Looks like a (possibly broken) timecode: starts with a digit, digits and separators only, with a separator. */
const TC_ISH = { test: (t: string): boolean => /^\d[\d:;.,]*$/.test(t) && /[:;.,]/.test(t) }; // two linear tests, no backtracking
const DIGITS = /^\d+$/;
const CHANNEL_PART = /^(?:V\d*|A\d*|AA|B|NONE)$/i;
const EVENT_ZEROS = /^0+(?=\d)/;

function tokenize(text: string, offset = 0): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) tokens.push({ text: m[0], start: offset + (m.index ?? 0) });
  return tokens;
}

function parseEditType(token: string): EditType | null {
  const t = token.toUpperCase();
  if (t === 'C') return 'C';
  if (t === 'D') return 'D';
  if (/^W\d{0,3}$/.test(t)) return 'W';
  if (t === 'K' || t === 'KB' || t === 'KO') return 'K';
  return null;
}

function parseChannels(token: string): { channels: string; video: boolean } | null {
  const parts = token.split('/');
  if (!parts.every((p) => CHANNEL_PART.test(p))) return null;
  const upper = token.toUpperCase();
  return { channels: upper, video: parts.some((p) => /^(?:V|B$)/i.test(p)) };
}

function rateLabel(rate: FrameRate): string {
  const base = rate.id.replace(/n?df$/, '');
  const mode = rate.id.endsWith('ndf') ? ' non-drop' : rate.id.endsWith('df') ? ' drop-frame' : '';
  return `${base} fps${mode}`;
}

const DF_FAMILY: Readonly<Record<string, readonly [FrameRate, FrameRate]>> = {
  '29.97df': [FRAME_RATES['29.97ndf'], FRAME_RATES['29.97df']],
  '29.97ndf': [FRAME_RATES['29.97ndf'], FRAME_RATES['29.97df']],
  '59.94df': [FRAME_RATES['59.94ndf'], FRAME_RATES['59.94df']],
  '59.94ndf': [FRAME_RATES['59.94ndf'], FRAME_RATES['59.94df']],
};

function normaliseColour(word: string): string | null {
  const lower = word.toLowerCase().replace(/^resolvecolou?r/, '');
  return COLOURS.has(lower) ? lower : null;
}

/** Takes a cue number out of locator text (conventions in the module comment). */
export function splitCueNumber(text: string): { number: string | null; text: string } {
  const tag = /(^|\s)\$QN=(\S+)/.exec(text);
  if (tag && tag[2] !== undefined) {
    const before = text.slice(0, tag.index);
    const after = text.slice(tag.index + tag[0].length);
    const rest = `${before.trimEnd()} ${after.trimStart()}`.trim();
    return { number: tag[2], text: rest };
  }
  const lead = /^([A-Z]{1,3}\d{2,5}[A-Z]?)(?::|(?=\s)|$)/.exec(text);
  if (lead && lead[1] !== undefined) return { number: lead[1], text: text.slice(lead[0].length).trim() };
  return { number: null, text };
}

class EdlParser {
  private readonly issues: ImportIssue[] = [];
  private readonly events: EdlEvent[] = [];
  private readonly locators: Locator[] = [];
  private current: EdlEvent | null = null;
  private fcm: 'df' | 'ndf' | null = null;
  private warnedNoFcm = false;
  private warnedSeparator = false;
  private readonly family: readonly [FrameRate, FrameRate] | undefined;

  constructor(private readonly options: EdlImportOptions) {
    this.family = DF_FAMILY[options.frameRate.id];
  }

  result(): ImportResult {
    return this.build();
  }

  private issue(code: EdlIssueCode, line: number, message: string, column?: number): void {
    const base = { severity: EDL_ISSUE_CODES[code], code, message, file: this.options.file, line };
    this.issues.push(column === undefined ? base : { ...base, column });
  }

  private rate(): FrameRate {
    if (this.family) return this.fcm === 'df' ? this.family[1] : this.family[0];
    return this.options.frameRate;
  }

  private noteTimecodeUse(line: number): void {
    if (this.fcm === null && !this.warnedNoFcm) {
      this.warnedNoFcm = true;
      this.issue(
        'EDL_NO_FCM',
        line,
        this.family
          ? `The EDL has no FCM line before its first timecode, so timecodes are read as ${rateLabel(this.rate())}; add "FCM: DROP FRAME" at the top of the file if it is drop-frame.`
          : `The EDL has no FCM line before its first timecode, so timecodes are read as non-drop-frame at ${rateLabel(this.rate())}; add "FCM: NON-DROP FRAME" at the top of the file to confirm it.`,
      );
    }
  }

  /** Reads one 11-character timecode; null (and an error issue) when it is not valid at the rate. */
  private timecode(chunk: string, line: number, column: number, what: string): { frame: number; pos: number; rate: FrameRate } | null {
    this.noteTimecodeUse(line);
    const rate = this.rate();
    const sep = chunk.charAt(8);
    if ((sep === ';' || sep === '.') && !rate.dropFrame && this.family && !this.warnedSeparator) {
      this.warnedSeparator = true;
      this.issue(
        'EDL_SEPARATOR_MISMATCH',
        line,
        `The ${what} timecode ${chunk} is written drop-frame style ("${sep}") but the EDL is read as non-drop because ${this.fcm === null ? 'it has no FCM line' : 'its FCM says NON-DROP FRAME'}; add or correct the FCM line if the EDL is drop-frame.`,
        column,
      );
    }
    const label = `${chunk.slice(0, 2)}:${chunk.slice(3, 5)}:${chunk.slice(6, 8)}${rate.dropFrame ? ';' : ':'}${chunk.slice(9, 11)}`;
    try {
      const frame = labelToFrames(label, rate);
      return { frame, pos: frameToPosition(frame, rate, this.options.sampleRate), rate };
    } catch (err) {
      this.issue('EDL_BAD_TIMECODE', line, timecodeMessage(err, chunk, rate, what), column);
      return null;
    }
  }

  /** The timecode in a token that should be exactly one timecode, with an issue when it is not. */
  private singleTimecode(token: Token | undefined, line: number, what: string, missingCode: EdlIssueCode, missing: string) {
    if (!token || !/^\d/.test(token.text)) {
      this.issue(missingCode, line, missing, token ? token.start + 1 : undefined);
      return null;
    }
    if (!TC_CHUNK.test(token.text)) {
      this.issue('EDL_BAD_TIMECODE', line, `The ${what} timecode "${token.text}" is not a timecode; write it as HH:MM:SS:FF.`, token.start + 1);
      return null;
    }
    return this.timecode(token.text, line, token.start + 1, what);
  }

  parseLine(raw: string, line: number): void {
    const text = raw.trimEnd();
    const s = text.trimStart();
    if (s === '') return;
    const lead = text.length - s.length;
    const upper = s.toUpperCase();

    if (/^TITLE\s*:/.test(upper)) return;
    if (/^FCM\s*:/.test(upper)) return this.parseFcm(upper, line);
    if (s.charAt(0) === '*') return this.parseComment(s, lead, line);
    if (/^M2(?:\s|$)/.test(upper)) return this.parseSpeed(text, line);
    if (/^AUD(?:\s|$)/.test(upper)) {
      if (!this.current) this.issue('EDL_ORPHAN_LINE', line, 'This AUD line comes before any event, so it has nothing to add audio channels to; move it under its event or delete it.', lead + 1);
      return;
    }
    if (/^(?:FROM|TO) CLIP NAME\s*:/.test(upper)) return this.parseComment(`*${s}`, lead - 1, line);
    if (/^(?:EFFECTS NAME IS|SPLIT\s*:|REM(?:\s|$)|>>>|GPI|SWITCHER|NOTE\s*:)/.test(upper)) return;
    if (/^\d/.test(s)) return this.parseEdit(text, line);
    const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
    this.issue('EDL_UNKNOWN_LINE', line, `"${shown}" is not a CMX3600 line and was ignored; delete it or make it a comment starting with "*".`, lead + 1);
  }

  private parseFcm(upper: string, line: number): void {
    const value = upper.replace(/^FCM\s*:/, '').replace(/[\s_-]+/g, '');
    if (value === 'NONDROPFRAME' || value === 'NDF' || value === 'NONDROP') {
      this.fcm = 'ndf';
      return;
    }
    if (value === 'DROPFRAME' || value === 'DF' || value === 'DROP') {
      this.fcm = 'df';
      if (!this.family) {
        this.issue(
          'EDL_FCM_MISMATCH',
          line,
          `The EDL says DROP FRAME but the project runs at ${rateLabel(this.options.frameRate)}, which has no drop-frame timecode, so its timecodes are read as ${rateLabel(this.options.frameRate)}; check that the project frame rate matches the EDL (29.97 or 59.94 for drop-frame).`,
        );
      }
      return;
    }
    this.issue('EDL_BAD_FCM', line, `This FCM line says neither DROP FRAME nor NON-DROP FRAME, so the previous setting is kept; correct it to "FCM: DROP FRAME" or "FCM: NON-DROP FRAME".`);
  }

  private parseComment(s: string, lead: number, line: number): void {
    const body = s.slice(1);
    const bodyLead = body.length - body.trimStart().length;
    const b = body.trimStart();
    const upper = b.toUpperCase();
    const bodyStart = lead + 1 + bodyLead; // 0-based index of b in the line
    const loc = /^LOC\s*:/.exec(upper);
    if (loc) return this.parseLocator(b.slice(loc[0].length), bodyStart + loc[0].length, line);
    const from = /^FROM CLIP NAME\s*:/.exec(upper);
    if (from) {
      if (this.current) this.current.fromClip = b.slice(from[0].length).trim();
      return;
    }
    const to = /^TO CLIP NAME\s*:/.exec(upper);
    if (to) {
      if (this.current) this.current.toClip = b.slice(to[0].length).trim();
      return;
    }
    const comment = /^COMMENTS?(?:\s*:|\s|$)/.exec(upper);
    if (comment) {
      const note = b.slice(comment[0].length).trim();
      const target = this.current ? this.current.lastLocator : this.orphanLocator();
      if (target && note !== '') target.notes.push(note);
    }
  }

  /** The last locator if it was written before any event (so comments after it still attach). */
  private orphanLocator(): Locator | null {
    const last = this.locators[this.locators.length - 1];
    return last && last.event === null ? last : null;
  }

  private parseLocator(rest: string, restStart: number, line: number): void {
    const tokens = tokenize(rest, restStart);
    const first = tokens[0];
    const tc = this.singleTimecode(
      first,
      line,
      'locator',
      'EDL_BAD_LOCATOR',
      'This LOC line has no timecode, so no cue was made from it; write it as "* LOC: HH:MM:SS:FF COLOUR text".',
    );
    if (!tc || !first) {
      if (this.current) this.current.lastLocator = null;
      return;
    }
    let textStart = first.start + first.text.length;
    let colour: string | null = null;
    const second = tokens[1];
    if (second) {
      colour = normaliseColour(second.text);
      if (colour !== null) textStart = second.start + second.text.length;
    }
    const text = rest.slice(textStart - restStart).trim();
    const locator: Locator = { line, column: first.start + 1, frame: tc.frame, rate: tc.rate, pos: tc.pos, colour, text, event: this.current, notes: [] };
    this.locators.push(locator);
    if (this.current) this.current.lastLocator = locator;
  }

  private parseSpeed(text: string, line: number): void {
    const tokens = tokenize(text);
    if (!this.current) {
      this.issue('EDL_ORPHAN_LINE', line, 'This M2 speed line comes before any event, so it applies to nothing; move it under its event or delete it.', (tokens[0]?.start ?? 0) + 1);
    } else {
      this.current.hasSpeed = true;
    }
    const last = tokens[tokens.length - 1];
    const speed = tokens[tokens.length - 2];
    if (tokens.length < 4 || !speed || !/^[-+]?\d+(?:\.\d*)?$/.test(speed.text)) {
      this.issue('EDL_BAD_SPEED', line, 'This M2 line is not "M2 reel speed timecode" (e.g. "M2   A001   048.0   01:00:00:00"); correct or delete it.', (tokens[0]?.start ?? 0) + 1);
      return;
    }
    this.singleTimecode(last, line, 'M2', 'EDL_BAD_SPEED', 'This M2 line does not end with a timecode; write it as "M2 reel speed timecode".');
  }

  private rejectEdit(code: EdlIssueCode, line: number, message: string, column?: number): void {
    this.issue(code, line, message, column);
    // Comments and locators after a line that could not be read belong to no event.
    this.finishEvent();
  }

  private parseEdit(text: string, line: number): void {
    const tokens = tokenize(text);
    // The first timecode-looking token after the event number and one more field (a reel such as
    // "001.2" could look like a broken timecode; the type and track fields never do).
    const firstTc = tokens.findIndex((t, i) => i >= 2 && TC_ISH.test(t.text));
    const header = firstTc < 0 ? tokens : tokens.slice(0, firstTc);
    const number = header[0];
    if (!number || !DIGITS.test(number.text)) {
      const at = number ?? tokens[0];
      return this.rejectEdit('EDL_BAD_EVENT', line, `This line starts with "${at?.text ?? ''}", which is no event number; an edit line starts with digits such as "001" followed by a space and the reel name.`, (at?.start ?? 0) + 1);
    }
    if (firstTc < 0) {
      return this.rejectEdit('EDL_BAD_EVENT', line, `Event ${number.text} has no record timecodes; an edit line needs source in, source out, record in and record out as HH:MM:SS:FF.`, number.start + 1);
    }

    // Header, right to left: [duration] type, channels, reel…
    let j = header.length - 1;
    let durationToken: Token | null = null;
    const last = header[j];
    if (last && DIGITS.test(last.text) && j >= 2) {
      durationToken = last;
      j -= 1;
    }
    let type: EditType | null = null;
    const typeToken = header[j];
    const before = header[j - 1];
    if (typeToken && before && /^[BO]$/i.test(typeToken.text) && /^K$/i.test(before.text)) {
      type = 'K';
      j -= 2;
    } else if (typeToken && j >= 1) {
      type = parseEditType(typeToken.text);
      j -= 1;
    }
    if (type === null) {
      const at = typeToken ?? number;
      return this.rejectEdit('EDL_BAD_EVENT', line, `Event ${number.text} has no edit type where one belongs ("${at.text}"); use C (cut), D (dissolve), Wnnn (wipe) or K (key) before the timecodes.`, at.start + 1);
    }
    if (durationToken && type === 'C') {
      return this.rejectEdit('EDL_BAD_EVENT', line, `Event ${number.text} is a cut but has a transition length "${durationToken.text}"; a cut (C) takes no length, so delete it or change the type.`, durationToken.start + 1);
    }
    const channelToken = header[j];
    const channels = channelToken && j >= 1 ? parseChannels(channelToken.text) : null;
    if (!channels || !channelToken) {
      const at = channelToken ?? number;
      return this.rejectEdit('EDL_BAD_EVENT', line, `Event ${number.text} has no track field where one belongs ("${at.text}"); write V, A, A2, AA, B or NONE between the reel name and the edit type.`, at.start + 1);
    }

    // Timecodes: every token from the first timecode on, split into 11-character chunks.
    const chunks: Array<{ text: string; column: number }> = [];
    let k = firstTc;
    for (; k < tokens.length && chunks.length < 4; k++) {
      const t = tokens[k];
      if (!t) break;
      if (!TC_ISH.test(t.text)) break;
      if (t.text.length % 11 !== 0) {
        return this.rejectEdit('EDL_BAD_TIMECODE', line, `Event ${number.text} has "${t.text}" where a timecode belongs; write each timecode as HH:MM:SS:FF with two digits per field.`, t.start + 1);
      }
      for (let c = 0; c < t.text.length; c += 11) {
        const chunk = t.text.slice(c, c + 11);
        if (!TC_CHUNK.test(chunk)) {
          return this.rejectEdit('EDL_BAD_TIMECODE', line, `Event ${number.text} has "${chunk}" where a timecode belongs; write each timecode as HH:MM:SS:FF with two digits per field.`, t.start + c + 1);
        }
        chunks.push({ text: chunk, column: t.start + c + 1 });
      }
    }
    if (chunks.length !== 4) {
      return this.rejectEdit(
        'EDL_BAD_EVENT',
        line,
        `Event ${number.text} has ${chunks.length} timecode${chunks.length === 1 ? '' : 's'} where four belong; an edit line needs source in, source out, record in and record out.`,
        (tokens[firstTc]?.start ?? 0) + 1,
      );
    }
    const trailing = tokens[k];
    if (trailing) {
      if (TC_ISH.test(trailing.text) || /^\d/.test(trailing.text)) {
        return this.rejectEdit('EDL_BAD_EVENT', line, `Event ${number.text} has more than four timecodes ("${trailing.text}" after the record out); an edit line has exactly source in, source out, record in and record out.`, trailing.start + 1);
      }
      this.issue('EDL_TRAILING_TEXT', line, `Event ${number.text} has "${trailing.text}" after its record out, which was ignored; delete it or move it to a comment line starting with "*".`, trailing.start + 1);
    }

    const names = ['source in', 'source out', 'record in', 'record out'] as const;
    const read = chunks.map((c, i) => this.timecode(c.text, line, c.column, names[i] ?? 'record'));
    const [srcIn, srcOut, recIn, recOut] = read;
    if (!srcIn || !srcOut || !recIn || !recOut) return this.finishEvent();
    if (recOut.frame < recIn.frame) {
      return this.rejectEdit('EDL_BAD_RANGE', line, `Event ${number.text} ends (record out ${chunks[3]?.text ?? ''}) before it starts (record in ${chunks[2]?.text ?? ''}); swap or correct the record timecodes.`, chunks[3]?.column);
    }
    if (type !== 'C') {
      const recordLength = recOut.frame - recIn.frame;
      if (!durationToken && type !== 'K') {
        this.issue('EDL_BAD_TRANSITION', line, `Event ${number.text} is a ${type === 'D' ? 'dissolve' : 'wipe'} without a length in frames; add it after the edit type (e.g. "${type === 'D' ? 'D' : 'W001'} 024").`, typeToken ? typeToken.start + 1 : undefined);
      } else if (durationToken && Number(durationToken.text) > recordLength) {
        this.issue(
          'EDL_BAD_TRANSITION',
          line,
          `Event ${number.text}'s transition lasts ${Number(durationToken.text)} frames but the event only ${recordLength}; check the transition length and the record timecodes.`,
          durationToken.start + 1,
        );
      }
    }
    const edit: EditLine = {
      line,
      number: number.text,
      type,
      channels: channels.channels,
      video: channels.video,
      srcIn: srcIn.frame,
      srcOut: srcOut.frame,
      recInFrame: recIn.frame,
      recOutFrame: recOut.frame,
      recIn: recIn.pos,
      recOut: recOut.pos,
    };
    this.addEdit(edit, number.start + 1);
  }

  private addEdit(edit: EditLine, column: number): void {
    const cur = this.current;
    const same = cur !== null && cur.edits.length > 0 && sameEventNumber(cur.number, edit.number);
    if (cur && same) {
      if (edit.type === 'C' && cur.edits.some((e) => e.channels === edit.channels)) {
        this.issue(
          'EDL_DUPLICATE_EVENT',
          edit.line,
          `Event ${edit.number} is cut twice on the same track; give this line its own event number, or make it the dissolve (D), wipe (W) or key (K) line of the transition it belongs to.`,
          column,
        );
      }
      cur.edits.push(edit);
      return;
    }
    this.finishEvent();
    if (edit.type !== 'C') {
      this.issue(
        'EDL_BAD_TRANSITION',
        edit.line,
        `Event ${edit.number} is a transition with no outgoing line before it (a line with the same event number and type C); the event's record range was used as it stands, so check the transition in the edit.`,
        column,
      );
    }
    this.current = { number: edit.number, line: edit.line, edits: [edit], hasSpeed: false, lastLocator: null };
  }

  private finishEvent(): void {
    const ev = this.current;
    this.current = null;
    if (!ev || ev.edits.length === 0) return;
    this.events.push(ev);
    if (ev.hasSpeed) return;
    for (const e of ev.edits) {
      const src = e.srcOut - e.srcIn;
      const rec = e.recOutFrame - e.recInFrame;
      if (src >= 0 && src !== rec) {
        this.issue(
          'EDL_DURATION_MISMATCH',
          e.line,
          `Event ${e.number} takes ${src} frames from its source but lasts ${rec} frames on the record side, with no M2 speed line to explain it; the record timecodes were used, so check the event if its timing matters.`,
        );
      }
    }
  }

  private build(): ImportResult {
    this.finishEvent();
    const { file } = this.options;
    const eventsAs = this.options.eventsAs ?? 'scenes';
    const kind: CueKind = this.options.kind ?? 'adr';
    const anyVideo = this.events.some((ev) => ev.edits.some((e) => e.video));
    const ranges = new Map<EdlEvent, { in: number; out: number; scene: string | null }>();
    const scenes: SceneDraft[] = [];
    for (const ev of this.events) {
      const video = ev.edits.filter((e) => e.video);
      const lines = video.length > 0 ? video : ev.edits;
      let lo = Infinity;
      let hi = -Infinity;
      for (const e of lines) {
        lo = Math.min(lo, e.recIn);
        hi = Math.max(hi, e.recOut);
      }
      if (!(lo <= hi)) continue;
      const makesScene = !anyVideo || video.length > 0;
      const number = eventsAs === 'shots' ? `shot ${ev.number}` : ev.number;
      ranges.set(ev, { in: lo, out: hi, scene: makesScene && eventsAs === 'scenes' ? number : null });
      if (!makesScene) continue;
      const description = ev.edits.some((e) => e.type !== 'C') ? (ev.toClip ?? ev.fromClip) : ev.fromClip;
      scenes.push({
        number,
        ...(description !== undefined && description !== '' ? { description } : {}),
        in: lo,
        out: hi,
        source: { file, line: ev.line },
      });
    }

    const cues: CueDraft[] = [];
    for (const loc of this.locators) {
      const range = loc.event ? ranges.get(loc.event) : undefined;
      const inside = range !== undefined && range.in <= loc.pos && loc.pos < range.out;
      const out = inside ? range.out : frameToPosition(loc.frame + 1, loc.rate, this.options.sampleRate);
      const { number, text } = splitCueNumber(loc.text);
      cues.push({
        kind,
        number,
        in: loc.pos,
        out,
        colour: loc.colour,
        ...(kind === 'adr' ? { lineText: text } : { description: text }),
        ...(loc.notes.length > 0 ? { notes: loc.notes.join('\n') } : {}),
        ...(inside && range.scene !== null ? { scene: range.scene } : {}),
        source: { file, line: loc.line, column: loc.column },
      });
    }

    if (this.events.length === 0 && this.locators.length === 0) {
      this.issue('EDL_NO_EVENTS', 1, 'No event or locator could be read from this file; check that it is a CMX3600 EDL and fix the errors reported for its lines.');
    }
    return { cues, scenes, characters: [], issues: this.issues };
  }
}

function sameEventNumber(a: string, b: string): boolean {
  return a.replace(EVENT_ZEROS, '') === b.replace(EVENT_ZEROS, '');
}

function timecodeMessage(err: unknown, chunk: string, rate: FrameRate, what: string): string {
  if (isLoopstageError(err)) {
    if (err.code === 'TC_OUT_OF_RANGE') {
      const { field, value, max } = err.details;
      return `The ${what} timecode ${chunk} is not valid at ${rateLabel(rate)}: its ${String(field)} is ${String(value)} but can be at most ${String(max)}; check that the project frame rate matches the EDL, or correct the timecode.`;
    }
    if (err.code === 'TC_DROPPED_FRAME_LABEL') {
      return `The ${what} timecode ${chunk} does not exist in ${rateLabel(rate)} timecode, which skips it; correct it to ${String(err.details.nextValid)}, or use "FCM: NON-DROP FRAME" if the EDL is non-drop.`;
    }
  }
  return `The ${what} timecode ${chunk} could not be read at ${rateLabel(rate)}; write it as HH:MM:SS:FF.`;
}

function optionsProblem(options: EdlImportOptions): string | null {
  const rate = options.frameRate as FrameRate | undefined;
  const known = rate !== undefined && rate !== null && Object.values(FRAME_RATES).some((r) => r.id === rate.id);
  if (!known) return 'The frame rate given for this EDL is not one Loopstage knows; choose the project frame rate (e.g. 24, 25 or 29.97).';
  const sr = options.sampleRate;
  if (!Number.isSafeInteger(sr) || sr <= 0 || sr > 0xffff_ffff) {
    return `The sample rate ${String(sr)} is not usable; give a whole number of samples per second such as 48000.`;
  }
  return null;
}

/**
 * Reads a CMX3600 EDL into cue drafts (from `* LOC:` locators) and scene or shot drafts (from
 * events). Never throws: problems come back as issues. See the module comment for the conventions.
 */
export function parseEdl(text: string, options: EdlImportOptions): ImportResult {
  const file = typeof options?.file === 'string' ? options.file : '';
  const problem = options ? optionsProblem(options) : 'No options were given; pass the file name, frame rate and sample rate.';
  if (problem !== null) {
    return { cues: [], scenes: [], characters: [], issues: [{ severity: 'error', code: 'EDL_BAD_OPTIONS', message: problem, file, line: 1 }] };
  }
  const parser = new EdlParser({ ...options, frameRate: FRAME_RATES[options.frameRate.id] });
  let lineNo = 1;
  try {
    const source = typeof text === 'string' ? text.replace(/^\uFEFF/, '') : '';
    const lines = source.split(/\r\n|\r|\n/);
    for (const raw of lines) {
      parser.parseLine(raw, lineNo);
      lineNo += 1;
    }
    lineNo = lines.length;
    return parser.result();
  } catch (err) {
    const internal: ImportIssue = {
      severity: 'error',
      code: 'EDL_INTERNAL',
      message: `Loopstage failed while reading this line (${err instanceof Error ? err.message : String(err)}); please report it with the EDL attached.`,
      file,
      line: lineNo,
    };
    try {
      const partial = parser.result();
      return { ...partial, issues: [...partial.issues, internal] };
    } catch {
      return { cues: [], scenes: [], characters: [], issues: [internal] };
    }
  }
}
