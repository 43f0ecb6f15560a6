/**
 * SRT and WebVTT files to neutral subtitle cues (core/interchange/subtitles.ts turns them into ADR
 * drafts). Both go through webvtt-parser, the W3C's own parser (w3c/webvtt.js, the validator behind
 * the spec, whose tests are tests/fixtures/webvtt): it follows the spec's parsing algorithm, reports
 * every problem with its line, never stops at the first bad block, and parses cue text into a tree,
 * so `<v Name>` voice spans and character references are read as the spec says.
 *
 * SRT is read by the same parser after four line-preserving rewrites: a `WEBVTT` signature and a
 * blank line go first (line numbers are shifted back), the decimal comma of each timing line becomes
 * a dot (and milliseconds written with one or two digits are padded, as SRT players accept them),
 * lines of only spaces count as blank, and a `<` in text that starts no tag is escaped (SRT has no
 * character references, so "a < b" is text). Why not an SRT library: `subtitle` (4.2.2) throws at the
 * first malformed block and reads `00:00:01,5` as 1005 ms; `srt-parser-2` (1.2.3) reports nothing
 * and silently appends a malformed block (timing line included) to the previous subtitle's text.
 * Neither gives line numbers.
 *
 * Line numbers: the parser does not say where each cue was, so every line with `-->` whose timing
 * parses (by the library's own timing parser) is matched, in file order, to the parsed cues with the
 * same times and text. A valid timing line hidden in a NOTE block, followed by the same text as a
 * later cue, could take that cue's line; nothing else can.
 *
 * Issues: a line with `-->` that is not a valid timing line (its subtitle is skipped) is an error;
 * text outside any subtitle is an error in SRT and a warning in WebVTT (whose spec ignores such
 * blocks, e.g. REGION definitions, which are not reported at all); WebVTT header problems are
 * warnings. Cue settings (position, size, region…) and markup nits do not matter to an ADR line and
 * are not reported.
 */
import { createRequire } from 'node:module';
import webvtt from 'webvtt-parser';
import type { Cue as VttCue, Entity, TreeNode, VTTData } from 'webvtt-parser';
import type { ImportIssue, ImportResult } from '../../core/cues/cue.js';
import {
  subtitlesToDrafts,
  suggestSubtitleOrigin,
  type SpeakerRule,
  type SubtitleCue,
} from '../../core/interchange/subtitles.js';

const require = createRequire(import.meta.url);
/** The full HTML character reference table the parser ships; its small default table decodes `&amp;` as `&;`. */
const ENTITIES = require('webvtt-parser/html-entities.json') as Record<Entity, string>;

export interface SubtitleRead {
  readonly cues: SubtitleCue[];
  readonly issues: ImportIssue[];
}

type Format = 'srt' | 'vtt';

const NEWLINE = /\r\n|\r|\n/;

/** Plain text of a cue tree split by voice: one segment per `<v>` span, text outside spans on its own. */
function voiceSegments(nodes: readonly TreeNode[]): { voice: string | undefined; text: string }[] {
  const segments: { voice: string | undefined; text: string }[] = [];
  const add = (text: string, voice: string | undefined): void => {
    const last = segments[segments.length - 1];
    if (last && last.voice === voice) last.text += text;
    else segments.push({ voice, text });
  };
  const walk = (list: readonly TreeNode[], voice: string | undefined): void => {
    for (const node of list) {
      if (node.type === 'text') add(node.value, voice);
      else if (node.type === 'object') {
        if (node.name === 'v') walk(node.children, node.value.trim() || voice);
        else if ((node.name as string) !== 'rt') walk(node.children as readonly TreeNode[], voice);
      }
    }
  };
  walk(nodes, undefined);
  const spoken = segments.filter((s) => s.text.trim() !== '');
  return spoken.length > 0 ? spoken : [{ voice: segments[0]?.voice, text: '' }];
}

/** Plain text back to markup the core reads (it strips tags and decodes references). */
function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Whether the library's timing parser accepts this line, and the times it reads. */
function timingOf(line: string): { start: number; end: number } | null {
  const probe = { startTime: 0, endTime: 0 } as unknown as VttCue;
  try {
    const parser = new webvtt.WebVTTCueTimingsAndSettingsParser(line, () => undefined);
    return parser.parse(probe, 0) ? { start: probe.startTime, end: probe.endTime } : null;
  } catch {
    return null;
  }
}

const TIMING_MESSAGES = /timestamp|time unit|two digits|seconds found|decimal separator|milliseconds|more than 59/i;

function parse(text: string, format: Format, file: string): SubtitleRead {
  const issues: ImportIssue[] = [];
  // What the parser sees, and how many lines were put before the file's own.
  let input = text.replace(/\0/g, '\ufffd');
  let shift = 0;
  if (format === 'srt') {
    input = input.replace(/^\ufeff/, '');
    const lines = input.split(/(\r\n|\r|\n)/);
    for (let i = 0; i < lines.length; i += 2) {
      const line = lines[i] ?? '';
      if (line.trim() === '') lines[i] = '';
      else if (!line.includes('-->')) {
        // SRT has no character references: a "<" that starts no tag is text, as players show it.
        lines[i] = line.replace(/<(?![/A-Za-z])/g, '&lt;');
      } else {
        lines[i] = line.replace(/(\d),(\d)/g, '$1.$2').replace(/(\d:\d{2})\.(\d{1,2})(?!\d)/g, (_, hms: string, ms: string) => `${hms}.${ms.padEnd(3, '0')}`);
      }
    }
    input = `WEBVTT\n\n${lines.join('')}`;
    shift = 2;
  }
  const fileLine = (line: number): number => Math.max(1, line - shift);

  let data: VTTData;
  try {
    data = new webvtt.WebVTTParser(ENTITIES).parse(input);
  } catch (error) {
    issues.push({ severity: 'error', code: 'SUBTITLE_UNREADABLE', file, line: 1, message: `The subtitle file could not be read (${String(error)}); check that it is ${format === 'srt' ? 'SRT' : 'WebVTT'} text.` });
    return { cues: [], issues };
  }

  // Where each parsed cue came from: its timing line (see the module comment).
  const lines = input.replace(/^\ufeff/, '').split(NEWLINE);
  const candidates = new Map<string, number[]>();
  lines.forEach((line, index) => {
    if (!line.includes('-->')) return;
    const timing = timingOf(line);
    if (!timing) return;
    const body: string[] = [];
    for (let j = index + 1; j < lines.length && lines[j] !== '' && !(lines[j] ?? '').includes('-->'); j++) body.push(lines[j] ?? '');
    const key = `${timing.start}|${timing.end}|${body.join('\n')}`;
    const list = candidates.get(key) ?? [];
    list.push(index + 1);
    candidates.set(key, list);
  });
  const accepted = new Set<number>();
  const located = data.cues.map((cue) => {
    const list = candidates.get(`${cue.startTime}|${cue.endTime}|${cue.text}`);
    const line = list?.shift() ?? 1;
    accepted.add(line);
    return { cue, line };
  });
  located.sort((a, b) => a.line - b.line);

  const cues: SubtitleCue[] = [];
  for (const { cue, line } of located) {
    const startMs = Math.round(cue.startTime * 1000);
    const endMs = Math.round(cue.endTime * 1000);
    for (const segment of voiceSegments(cue.tree.children)) {
      const neutral: SubtitleCue = { startMs, endMs, text: escapeMarkup(segment.text), line: fileLine(line) };
      cues.push(segment.voice ? { ...neutral, voice: segment.voice } : neutral);
    }
  }

  // The parser's complaints that matter to an import, one issue per line or block.
  const reported = new Set<string>();
  const report = (issue: ImportIssue): void => {
    const key = `${issue.code}:${issue.line}`;
    if (reported.has(key)) return;
    reported.add(key);
    issues.push(issue);
  };
  const blockStart = (line: number): number => {
    let i = Math.min(line, lines.length) - 1;
    while (i > 0 && lines[i - 1] !== '') i--;
    return i + 1;
  };
  const badTiming = new Map<number, VTTData['errors'][number]>();
  for (const error of data.errors) {
    const line = error.line;
    const text = lines[line - 1] ?? '';
    if (error.message.startsWith('No valid signature')) {
      report({ severity: 'warning', code: 'SUBTITLE_NO_SIGNATURE', file, line: 1, message: 'The file does not start with "WEBVTT", so it may not be WebVTT; it was read as WebVTT anyway, so check the result.' });
    } else if (error.message.startsWith('No blank line after the signature')) {
      if (format === 'vtt' && !text.includes('-->')) {
        report({ severity: 'warning', code: 'SUBTITLE_HEADER_TEXT', file, line, message: 'This line follows the WEBVTT line without a blank line between, so it belongs to the header and was ignored; put a blank line before it if it is a subtitle.' });
      }
    } else if (error.message.startsWith('Cue identifier')) {
      const start = blockStart(line);
      const first = lines[start - 1] ?? '';
      if (format === 'vtt' && /^REGION($|[ \t])/.test(first)) continue;
      report(
        format === 'srt'
          ? { severity: 'error', code: 'SUBTITLE_STRAY_TEXT', file, line: fileLine(start), message: 'This block has no timing line ("00:00:01,000 --> 00:00:02,000"), so its text was not imported; add the timing line or join the text to the subtitle above (no blank line inside a subtitle).' }
          : { severity: 'warning', code: 'SUBTITLE_STRAY_TEXT', file, line: start, message: 'This block has no timing line ("00:00:01.000 --> 00:00:02.000"), so WebVTT ignores it and so did the import; add the timing line if it is a subtitle.' },
      );
    } else if (error.message.startsWith('Cannot have timestamp in')) {
      report({ severity: 'warning', code: 'SUBTITLE_IN_COMMENT', file, line: fileLine(line), message: 'This timing line is inside a NOTE or STYLE block, so it was ignored; put a blank line before it if it starts a subtitle.' });
    } else if (text.includes('-->') && !accepted.has(line) && TIMING_MESSAGES.test(error.message)) {
      // The parser may complain more than once about a line; the last complaint is the one that stopped it.
      badTiming.set(line, error);
    }
  }
  for (const [line, error] of badTiming) {
    report({ severity: 'error', code: 'SUBTITLE_BAD_TIMING', file, line: fileLine(line), column: error.col, message: `This timing line could not be read (${error.message.replace(/\.$/, '').toLowerCase()}), so its subtitle was skipped; write it as ${format === 'srt' ? '00:00:01,000 --> 00:00:02,000' : '00:00:01.000 --> 00:00:02.000'}.` });
  }
  issues.sort((a, b) => a.line - b.line);
  return { cues, issues };
}

/** The subtitles of an SRT file, each with the line of its timing line. Never throws. */
export function readSrt(text: string, options: { file: string }): SubtitleRead {
  return parse(text, 'srt', options.file);
}

/** The subtitles of a WebVTT file, one per voice span, each with the line of its timing line. Never throws. */
export function readVtt(text: string, options: { file: string }): SubtitleRead {
  return parse(text, 'vtt', options.file);
}

export interface ImportSubtitlesOptions {
  readonly file: string;
  readonly sampleRate: number;
  /** The project's start on the timeline, for the suggested origin. */
  readonly projectStart: number;
  /** Where subtitle time 0 lands; default suggestSubtitleOrigin(first subtitle, projectStart). */
  readonly origin?: number;
  readonly speakers?: SpeakerRule;
}

/** An SRT or WebVTT file to ADR drafts, with the origin used (to show the user). */
export function importSubtitles(format: Format, text: string, options: ImportSubtitlesOptions): { result: ImportResult; origin: number } {
  const read = format === 'srt' ? readSrt(text, options) : readVtt(text, options);
  const first = read.cues.reduce((min, cue) => Math.min(min, cue.startMs), Number.POSITIVE_INFINITY);
  const origin = options.origin ?? (Number.isFinite(first) ? suggestSubtitleOrigin(first, options.projectStart, options.sampleRate) : options.projectStart);
  const result = subtitlesToDrafts(read.cues, { file: options.file, sampleRate: options.sampleRate, origin, speakers: options.speakers });
  return { result: { ...result, issues: [...read.issues, ...result.issues].sort((a, b) => a.line - b.line) }, origin };
}
