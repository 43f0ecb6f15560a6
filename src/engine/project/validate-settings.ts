import { LoopstageError } from '../../core/errors.js';
import { framesPerDay, frameToPosition, parseFrameRate, SESSION_SAMPLE_RATES, type FrameRate } from '../../core/time/index.js';
import type { ProjectSettings } from '../ports/project-store.js';

/** Sample rates a project may run at. */
export const PROJECT_SAMPLE_RATES: readonly number[] = SESSION_SAMPLE_RATES;

/** Longest project title, in characters (Unicode code points). */
export const PROJECT_TITLE_MAX = 200;

/** C0 and C1 control characters (line breaks, tabs, escapes…): a title goes into file metadata. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f)) return true;
  }
  return false;
}

function invalid(field: keyof ProjectSettings, value: unknown, message: string): LoopstageError {
  return new LoopstageError('PROJECT_SETTINGS_INVALID', message, { field, value });
}

/**
 * The first timeline sample after the timecode day at this rate (where 24:00:00:00 would be): a
 * session must start before it. Measured in timecode, not wall-clock hours, so every label of the
 * day is usable even at 1000/1001 rates, whose timecode day lasts longer than 24 h.
 */
export function endOfTimecodeDay(rate: FrameRate, sampleRate: number): number {
  return frameToPosition(framesPerDay(rate), rate, sampleRate);
}

/**
 * Checks project settings and returns them normalised (title trimmed, frame rate as its canonical
 * id). Throws RATE_UNKNOWN for a frame rate the timecode core does not know, and
 * PROJECT_SETTINGS_INVALID (details: field, value) for anything else.
 */
export function validateProjectSettings(settings: Readonly<ProjectSettings>): ProjectSettings {
  const { title, frameRate, sampleRate, start } = settings as Readonly<Record<keyof ProjectSettings, unknown>>;

  if (typeof title !== 'string') {
    throw invalid('title', title, 'The project title is missing; give the project a title.');
  }
  const trimmed = title.trim();
  if (trimmed.length === 0) {
    throw invalid('title', title, 'The project title is empty; give the project a title.');
  }
  if ([...trimmed].length > PROJECT_TITLE_MAX) {
    throw invalid(
      'title',
      title,
      `The project title is ${[...trimmed].length} characters long; shorten it to at most ${PROJECT_TITLE_MAX}.`,
    );
  }
  if (hasControlCharacter(trimmed)) {
    throw invalid(
      'title',
      title,
      'The project title contains a line break or another control character; use a single line of text.',
    );
  }

  if (typeof frameRate !== 'string') {
    throw invalid('frameRate', frameRate, 'The project frame rate is missing; choose one such as 24 or 29.97df.');
  }
  const rate = parseFrameRate(frameRate);

  if (typeof sampleRate !== 'number' || !PROJECT_SAMPLE_RATES.includes(sampleRate)) {
    throw invalid(
      'sampleRate',
      sampleRate,
      `The sample rate ${String(sampleRate)} Hz is not supported; use one of ${PROJECT_SAMPLE_RATES.join(', ')}.`,
    );
  }

  if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0) {
    throw invalid(
      'start',
      start,
      `The session start ${String(start)} is not a whole, non-negative number of samples; give a start timecode such as 01:00:00:00.`,
    );
  }
  if (start >= endOfTimecodeDay(rate, sampleRate)) {
    throw invalid(
      'start',
      start,
      `The session start (sample ${start}) is past the end of the timecode day; give a start timecode before 24:00:00:00.`,
    );
  }

  return { title: trimmed, frameRate: rate.id, sampleRate, start };
}
