/**
 * Subtitles (SRT, WebVTT) to ADR cue drafts. Pure: the adapter (src/adapters/interchange/subtitles.ts)
 * parses the file with a library and hands over neutral cues; this module decides what they mean.
 *
 * - Each subtitle becomes an ADR line. Its text is the subtitle's text with markup removed: tags
 *   (`<i>`, `<b>`, `<font …>`, `<c.x>`, `<v Name>`, timestamp tags) and `{\an8}`-style override
 *   codes are stripped and character references (`&amp;`, `&#233;` …) decoded. A subtitle's line
 *   breaks are layout, so a speaker's lines are joined with a space; dialogue lines without speaker
 *   names keep their dashes, one per line.
 * - Speakers become characters: a WebVTT voice (`<v Robin>`, given as `voice` or left in the text)
 *   and a speaker prefix at the start of a line — `ROBIN: text`, `- ROBIN: text`, `[ROBIN] text`,
 *   `(ROBIN) text`, or `ROBIN:` alone on a line before the text. A subtitle with two dialogue lines
 *   (`- ROBIN: Hi` / `- JOHN: Hello`) becomes two ADR lines with the same times. By default a prefix
 *   counts only when the name has no lower-case letters (`speakers: 'caps'`), as subtitles for the
 *   deaf write them, so "Remember: …" or "[door slams]" stay text; `'any'` accepts any 1–4 word
 *   name, `'off'` none. A name followed by (O.S.), (V.O.) or (OFF) marks the line off screen.
 * - Times: subtitle time t ms lands on timeline sample `origin + round(t · sampleRate / 1000)`.
 *
 * Choosing `origin` (the timeline sample that subtitle time 00:00:00.000 maps to):
 * - Files made for the picture from its first frame (most subtitle files: the first line at a few
 *   seconds) need the project's start, e.g. the sample of 01:00:00:00 — origin = projectStart.
 * - Files that already carry the timeline's hour-based times (a first line at 01:00:05.000 in a
 *   project starting at 01:00:00:00) need origin = 0.
 * suggestSubtitleOrigin makes that choice from the first subtitle's time: when it lies at or after the
 * project start the file is taken to be in timeline time (0), otherwise relative to picture start.
 * A caller shows the choice and lets the user change it.
 */
import type { CharacterDraft, CueDraft, ImportIssue, ImportResult } from '../cues/cue.js';

/** A subtitle as an adapter read it: what every subtitle format has in common. */
export interface SubtitleCue {
  readonly startMs: number;
  readonly endMs: number;
  /** Cue text as the file writes it: may hold tags and character references; lines split by "\n". */
  readonly text: string;
  /** Line (1-based) of the cue's timing line in the file. */
  readonly line: number;
  /** The speaker the format names outside the text (a WebVTT `<v>` span the adapter resolved). */
  readonly voice?: string;
}

export type SpeakerRule = 'caps' | 'any' | 'off';

export interface SubtitleImportOptions {
  readonly file: string;
  readonly sampleRate: number;
  /** The timeline sample subtitle time 0 maps to; see the module comment and suggestSubtitleOrigin. */
  readonly origin: number;
  /** Which speaker prefixes count (default 'caps'). */
  readonly speakers?: SpeakerRule;
}

function validSampleRate(sampleRate: number): boolean {
  return Number.isSafeInteger(sampleRate) && sampleRate > 0 && sampleRate <= 0xffff_ffff;
}

/** round(ms · sampleRate / 1000), halves up, exactly; NaN when the result is not a safe integer. */
export function msToSamples(ms: number, sampleRate: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0 || !validSampleRate(sampleRate)) return Number.NaN;
  const top = 2 * ms * sampleRate + 1000;
  if (Number.isSafeInteger(top)) return Math.floor(top / 2000);
  const exact = (2n * BigInt(ms) * BigInt(sampleRate) + 1000n) / 2000n;
  return exact <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(exact) : Number.NaN;
}

/**
 * The origin to propose for a subtitle file: 0 when its first subtitle already lies at or after the
 * project start on the timeline (the file carries timeline times, e.g. from 01:00:00.000), else the
 * project start (the file counts from the picture's first frame).
 */
export function suggestSubtitleOrigin(firstStartMs: number, projectStart: number, sampleRate: number): number {
  const first = msToSamples(firstStartMs, sampleRate);
  return Number.isFinite(first) && first >= projectStart ? 0 : projectStart;
}

const NAMED_REFERENCES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', lrm: '\u200e', rlm: '\u200f',
};

/** Subtitle markup to plain text: tags and override codes removed, character references decoded. */
export function subtitleText(markup: string): string {
  return markup
    .replace(/<\/?[A-Za-z][^<>]*>|<\d[\d:.]*>/g, '')
    .replace(/\{\\[^{}]*\}/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
      }
      return NAMED_REFERENCES[name.toLowerCase()] ?? whole;
    })
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\f\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Splits markup at `<v Name>` start tags: the text before the first belongs to `voice`. */
function voiceSegments(markup: string, voice: string | undefined): { voice: string | undefined; markup: string }[] {
  const segments: { voice: string | undefined; markup: string }[] = [];
  const tag = /<v(?:\.[^\s<>]*)?(?:[ \t\f\n]+([^<>]*))?>/g;
  let last = 0;
  let current = voice;
  for (let match = tag.exec(markup); match; match = tag.exec(markup)) {
    segments.push({ voice: current, markup: markup.slice(last, match.index) });
    current = (match[1] ?? '').replace(/\s+/g, ' ').trim() || voice;
    last = tag.lastIndex;
  }
  segments.push({ voice: current, markup: markup.slice(last) });
  return segments.filter((s) => subtitleText(s.markup) !== '');
}

const OFF_SCREEN = /\s*\((?:O\.?\s?S\.?|V\.?\s?O\.?|OFF|O\.?C\.?)\)\s*$/i;

/** A speaker name if `text` is one under the rule: 1–4 words, starting with a letter. */
function speakerName(text: string, rule: SpeakerRule): { name: string; offScreen: boolean } | null {
  if (rule === 'off') return null;
  const offScreen = OFF_SCREEN.test(text);
  const name = text.replace(OFF_SCREEN, '').trim();
  if (!/^\p{L}[\p{L}\p{N} .'’&#-]{0,39}$/u.test(name)) return null;
  if (name.split(/\s+/).length > 4) return null;
  if (rule === 'caps' && (/\p{Ll}/u.test(name) || !/\p{Lu}/u.test(name))) return null;
  return { name, offScreen };
}

interface Turn {
  speaker: { name: string; offScreen: boolean } | null;
  /** Whether the turn began with a dialogue dash. */
  dash: boolean;
  lines: string[];
}

/** Dialogue turns of plain text: a line starting with a dash starts a turn; speaker prefixes read. */
function turnsOf(text: string, rule: SpeakerRule): Turn[] {
  const lines = text.split('\n');
  const turns: Turn[] = [];
  for (const raw of lines) {
    const dash = /^[-‐‑–—]\s*(?=\S)/.exec(raw);
    let line = dash ? raw.slice(dash[0].length) : raw;
    const current = turns[turns.length - 1];
    // A name alone on its line ("ROBIN:") is the speaker of the lines that follow.
    const alone = /^(.+?):$/.exec(line);
    const aloneName = alone ? speakerName(alone[1] ?? '', rule) : null;
    if (aloneName) {
      turns.push({ speaker: aloneName, dash: dash !== null, lines: [] });
      continue;
    }
    let speaker: Turn['speaker'] = null;
    const bracket = /^[[(]([^\])]+)[\])]\s*(\S.*)$/.exec(line);
    const colon = /^([^:]{1,44}?):\s+(\S.*)$/.exec(line);
    const found = bracket ?? colon;
    if (found) {
      speaker = speakerName(found[1] ?? '', rule);
      if (speaker) line = found[2] ?? '';
    }
    if (dash || speaker || !current) {
      turns.push({ speaker, dash: dash !== null, lines: [line] });
    } else {
      current.lines.push(line);
    }
  }
  return turns.filter((t) => t.lines.length > 0);
}

/**
 * ADR drafts from subtitles (see the module comment). Never throws: bad times and empty subtitles
 * come back as issues naming the subtitle's timing line.
 */
export function subtitlesToDrafts(cues: readonly SubtitleCue[], options: SubtitleImportOptions): ImportResult {
  const { file, sampleRate, origin } = options;
  const rule = options.speakers ?? 'caps';
  const drafts: CueDraft[] = [];
  const characters: CharacterDraft[] = [];
  const issues: ImportIssue[] = [];
  const firstLine = Math.max(1, cues[0]?.line ?? 1);
  if (!validSampleRate(sampleRate)) {
    issues.push({ severity: 'error', code: 'SUBTITLE_BAD_SAMPLE_RATE', file, line: firstLine, message: `Sample rate ${String(sampleRate)} is not usable; import into a project with a sample rate such as 48000.` });
    return { cues: drafts, scenes: [], characters, issues };
  }
  if (!Number.isSafeInteger(origin) || origin < 0) {
    issues.push({ severity: 'error', code: 'SUBTITLE_BAD_ORIGIN', file, line: firstLine, message: `The subtitle origin ${String(origin)} is not a timeline position; give the sample where subtitle time 0 lands, such as the project start.` });
    return { cues: drafts, scenes: [], characters, issues };
  }
  if (cues.length === 0) {
    issues.push({ severity: 'warning', code: 'SUBTITLE_NONE', file, line: 1, message: 'The file holds no subtitles, so there is nothing to import; check that it is the right file.' });
  }
  const known = new Set<string>();
  const addCharacter = (name: string, line: number): void => {
    const key = name.toLowerCase();
    if (known.has(key)) return;
    known.add(key);
    characters.push({ name, source: { file, line } });
  };

  for (const cue of cues) {
    const line = Number.isSafeInteger(cue.line) && cue.line >= 1 ? cue.line : 1;
    const issue = (severity: 'error' | 'warning', code: string, message: string): void => {
      issues.push({ severity, code, file, line, message });
    };
    const startRel = msToSamples(cue.startMs, sampleRate);
    const endRel = msToSamples(cue.endMs, sampleRate);
    const start = origin + startRel;
    const end = origin + endRel;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
      issue('error', 'SUBTITLE_TIME_OUT_OF_RANGE', 'This subtitle\'s times are not usable (negative, fractional or too far out); correct its timing line.');
      continue;
    }
    if (end < start) {
      issue('error', 'SUBTITLE_END_BEFORE_START', 'This subtitle ends before it starts, so it was skipped; correct its timing line.');
      continue;
    }
    if (end === start) issue('warning', 'SUBTITLE_NO_LENGTH', 'This subtitle ends where it starts, so its ADR line has no length; give it an end time.');

    const produced: CueDraft[] = [];
    for (const segment of voiceSegments(cue.text, cue.voice?.trim() || undefined)) {
      const turns = turnsOf(subtitleText(segment.markup), rule);
      // With speakers, one ADR line per turn; without, one line keeping the dialogue dashes.
      const parts = turns.some((t) => t.speaker !== null)
        ? turns.map((t) => ({ speaker: t.speaker, text: t.lines.join(' ') }))
        : [{ speaker: null, text: turns.map((t) => `${t.dash ? '- ' : ''}${t.lines.join(' ')}`).join('\n') }];
      for (const part of parts) {
        const name = part.speaker?.name ?? segment.voice ?? null;
        const draft: Record<string, unknown> = { kind: 'adr', number: null, in: start, out: end };
        if (name) {
          draft.character = name;
          addCharacter(name, line);
        }
        if (part.speaker?.offScreen) draft.onScreen = false;
        draft.lineText = part.text;
        draft.source = { file, line };
        produced.push(draft as unknown as CueDraft);
      }
    }
    if (produced.length === 0) issue('warning', 'SUBTITLE_EMPTY', 'This subtitle has no text once its markup is removed, so it was skipped; add the line or delete the subtitle.');
    drafts.push(...produced);
  }
  return { cues: drafts, scenes: [], characters, issues };
}
