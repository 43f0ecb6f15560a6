/**
 * 35 mm feet+frames (4-perf: 16 frames per foot), a display format for frame counts that are
 * durations or offsets from a start — never negative.
 *
 * Format: `FEET+FF` — feet without padding, frames as two digits: 0 → `0+00`, 1972 → `123+04`.
 * This is how Pro Tools' "Session Info as Text" writes its Feet+Frames column (`12+00`, `833+12`).
 */
import { LoopstageError } from '../errors.js';

export const FRAMES_PER_FOOT_35MM = 16;

/** `frames` (a non-negative whole number) as feet+frames, e.g. 1972 → "123+04". */
export function framesToFeetFrames(frames: number): string {
  if (!Number.isSafeInteger(frames) || frames < 0) {
    throw new LoopstageError(
      'FEET_FRAMES_OUT_OF_RANGE',
      `Feet+frames can show only whole, non-negative frame counts, but got ${String(frames)}; pass a duration or an offset from a start.`,
      { frames },
    );
  }
  const ff = frames % FRAMES_PER_FOOT_35MM;
  const feet = (frames - ff) / FRAMES_PER_FOOT_35MM;
  return `${feet}+${ff < 10 ? '0' : ''}${ff}`;
}

/** The frame count of a feet+frames value such as "123+04" (frames may be one or two digits, 0–15). */
export function parseFeetFrames(text: string): number {
  const m = /^(\d+)\+(\d{1,2})$/.exec(text);
  if (!m) {
    throw new LoopstageError(
      'FEET_FRAMES_SYNTAX',
      `"${text}" is not a feet+frames value; write feet, "+", then frames, e.g. 123+04.`,
      { input: text },
    );
  }
  const feet = Number(m[1]);
  const ff = Number(m[2]);
  if (ff >= FRAMES_PER_FOOT_35MM) {
    throw new LoopstageError(
      'FEET_FRAMES_OUT_OF_RANGE',
      `"${text}" has ${ff} frames after the "+", but a 35 mm foot has only 16 frames (00–15); carry whole feet into the feet number.`,
      { input: text, frames: ff },
    );
  }
  const total = feet * FRAMES_PER_FOOT_35MM + ff;
  if (!Number.isSafeInteger(total)) {
    throw new LoopstageError(
      'FEET_FRAMES_OUT_OF_RANGE',
      `"${text}" is too large to count exactly; use a smaller feet number.`,
      { input: text },
    );
  }
  return total;
}
