/**
 * Integer time on the session timeline (DESIGN §2, after Ardour's timepos_t / timecnt_t).
 *
 * - `Position`: a sample index since midnight at the session sample rate — the number a BWF
 *   `bext` TimeReference holds. Never negative.
 * - `Duration`: a signed count of samples between two positions.
 *
 * Both are plain numbers at run time but carry distinct brands, so `a + b` of two positions is a
 * `number`, not a `Position`, and a `Duration` cannot be passed where a `Position` is expected.
 * Build them only through `position()`, `duration()`, `offset()` and `between()`.
 */
import { LoopstageError } from '../errors.js';

declare const positionBrand: unique symbol;
declare const durationBrand: unique symbol;

/** Sample index since midnight at the session sample rate (non-negative safe integer). */
export type Position = number & { readonly [positionBrand]: true };
/** Signed count of samples (safe integer). */
export type Duration = number & { readonly [durationBrand]: true };

/** Makes a Position from a sample index; rejects negatives, fractions and unsafe integers. */
export function position(samples: number): Position {
  if (!Number.isSafeInteger(samples) || samples < 0) {
    throw new LoopstageError(
      'POSITION_INVALID',
      `A timeline position must be a whole, non-negative number of samples below 2^53, but got ${String(samples)}; pass an integer sample count.`,
      { value: samples },
    );
  }
  return samples as Position;
}

/** Makes a Duration from a sample count (may be negative); rejects fractions and unsafe integers. */
export function duration(samples: number): Duration {
  if (!Number.isSafeInteger(samples)) {
    throw new LoopstageError(
      'DURATION_INVALID',
      `A duration must be a whole number of samples within ±2^53, but got ${String(samples)}; pass an integer sample count.`,
      { value: samples },
    );
  }
  return samples as Duration;
}

/** The position `d` samples after `p` (before it when `d` is negative). Throws if the result is invalid. */
export function offset(p: Position, d: Duration): Position {
  return position(p + d);
}

/** The signed number of samples from `a` to `b` (positive when `b` is later). */
export function between(a: Position, b: Position): Duration {
  return duration(b - a);
}
