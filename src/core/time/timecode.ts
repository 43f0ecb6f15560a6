/**
 * SMPTE timecode labels ↔ frame counts since midnight, with exact integer math.
 *
 * A frame count is the number of frames since 00:00:00:00 (label 00:00:00:00 = frame 0); the
 * valid range is [0, framesPerDay(rate)). Labels are `HH:MM:SS:FF` for non-drop rates and
 * `HH:MM:SS;FF` for drop-frame rates (`.` is also accepted before the frames of a drop-frame
 * label, as some systems without `;` write it).
 *
 * Drop-frame (29.97 DF, 59.94 DF): at the start of every minute except minutes 00, 10, 20, 30,
 * 40 and 50, the first 2 (29.97) or 4 (59.94) frame labels are skipped; no frames are dropped,
 * only labels. So 00:00:59;29 is followed by 00:01:00;02, and 00:10:00;00 exists.
 */
import { LoopstageError } from '../errors.js';
import type { FrameRate } from './frame-rate.js';

/** Labels skipped at the start of each non-tenth minute: 2 at 29.97 DF, 4 at 59.94 DF, 0 otherwise. */
function droppedPerMinute(rate: FrameRate): number {
  return rate.dropFrame ? rate.timecodeBase / 15 : 0;
}

/** Frames in 24 hours of timecode at this rate (the first frame count that has no label). */
export function framesPerDay(rate: FrameRate): number {
  // 1440 minutes a day, of which 144 are tenth minutes that keep all their labels.
  return rate.timecodeBase * 86_400 - droppedPerMinute(rate) * (1440 - 144);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The timecode label of a frame count since midnight, e.g. `01:00:00:00` or `00:01:00;02`. */
export function framesToLabel(frames: number, rate: FrameRate): string {
  const perDay = framesPerDay(rate);
  if (!Number.isSafeInteger(frames) || frames < 0 || frames >= perDay) {
    throw new LoopstageError(
      'TC_OUT_OF_RANGE',
      `Frame count ${String(frames)} has no timecode label at ${rate.id}: it must be a whole number from 0 to ${perDay - 1} (within 24 hours).`,
      { frames, rate: rate.id, max: perDay - 1 },
    );
  }
  const base = rate.timecodeBase;
  let labelCount = frames;
  const drop = droppedPerMinute(rate);
  if (drop > 0) {
    // Add back the labels skipped before this frame, then count labels as if non-drop.
    const perMinute = base * 60 - drop; // frames in a minute that skips labels
    const perTenMinutes = base * 600 - 9 * drop;
    const tens = Math.floor(frames / perTenMinutes);
    const rest = frames % perTenMinutes; // frames into this ten-minute block; its minute 0 is full
    const skippedMinutes = rest < base * 60 ? 0 : 1 + Math.floor((rest - base * 60) / perMinute);
    labelCount = frames + drop * (9 * tens + skippedMinutes);
  }
  const ff = labelCount % base;
  const totalSeconds = (labelCount - ff) / base;
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${rate.dropFrame ? ';' : ':'}${pad2(ff)}`;
}

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(label: string, at: number): number {
  const a = label.charCodeAt(at) - 48;
  const b = label.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The frame count since midnight of a timecode label. Strict: exactly `HH:MM:SS:FF` (non-drop)
 * or `HH:MM:SS;FF` / `HH:MM:SS.FF` (drop-frame) with two digits per field, no spaces; the
 * separator before the frames must match the rate's drop-frame mode.
 */
export function labelToFrames(label: string, rate: FrameRate): number {
  // Parsed by hand rather than by regular expression: this runs per frame in bulk conversions.
  const hh = twoDigits(label, 0);
  const mm = twoDigits(label, 3);
  const ss = twoDigits(label, 6);
  const ff = twoDigits(label, 9);
  const separator = label.charAt(8);
  if (
    label.length !== 11 ||
    label.charAt(2) !== ':' ||
    label.charAt(5) !== ':' ||
    (separator !== ':' && separator !== ';' && separator !== '.') ||
    hh < 0 ||
    mm < 0 ||
    ss < 0 ||
    ff < 0
  ) {
    const expected = rate.dropFrame ? 'HH:MM:SS;FF' : 'HH:MM:SS:FF';
    throw new LoopstageError(
      'TC_SYNTAX',
      `"${label}" is not a timecode label; write it as ${expected} with two digits per field, e.g. ${framesToLabel(0, rate)}.`,
      { label, rate: rate.id },
    );
  }
  const dropSeparator = separator !== ':';
  if (dropSeparator !== rate.dropFrame) {
    const fixed = `${label.slice(0, 8)}${rate.dropFrame ? ';' : ':'}${label.slice(9)}`;
    throw new LoopstageError(
      'TC_SEPARATOR',
      rate.dropFrame
        ? `"${label}" is written as non-drop timecode (":" before the frames) but the rate is ${rate.id}; write ${fixed}, or choose the non-drop rate.`
        : `"${label}" is written as drop-frame timecode ("${separator}" before the frames) but the rate is ${rate.id}; write ${fixed}, or choose the drop-frame rate.`,
      { label, rate: rate.id },
    );
  }
  const base = rate.timecodeBase;
  if (hh > 23 || mm > 59 || ss > 59 || ff >= base) {
    const [field, value, max] = hh > 23 ? ['hours', hh, 23] : mm > 59 ? ['minutes', mm, 59] : ss > 59 ? ['seconds', ss, 59] : ['frames', ff, base - 1];
    throw new LoopstageError(
      'TC_OUT_OF_RANGE',
      `"${label}" is not a valid timecode at ${rate.id}: ${field} is ${value} but must be at most ${max}.`,
      { label, rate: rate.id, field, value, max },
    );
  }
  const drop = droppedPerMinute(rate);
  if (drop > 0 && ss === 0 && mm % 10 !== 0 && ff < drop) {
    const next = `${label.slice(0, 6)}00;${pad2(drop)}`;
    throw new LoopstageError(
      'TC_DROPPED_FRAME_LABEL',
      `"${label}" does not exist in ${rate.id} timecode: labels ;00${drop > 2 ? ` to ;${pad2(drop - 1)}` : ' and ;01'} are skipped at the start of every minute not divisible by 10; use ${next}.`,
      { label, rate: rate.id, nextValid: next },
    );
  }
  const totalMinutes = hh * 60 + mm;
  return (
    ((hh * 3600 + mm * 60 + ss) * base + ff) - drop * (totalMinutes - Math.floor(totalMinutes / 10))
  );
}
