/**
 * Figures from a roll's sync log (per displayed frame: ms since the roll started, the frame the
 * clock asked for, the frame shown). The player shows them live and `loopstage synclog` prints them,
 * from the same function, so the two always agree.
 *
 * Lock is the first frame from which LOCK_RUN frames in a row are within one frame of the clock.
 */

/** [ms since the roll started, frame asked for, frame shown]. */
export type SyncEntry = readonly [ms: number, wanted: number, shown: number];

/** Frames in a row within ±1 that count as locked (a quarter second at 24 fps). */
export const LOCK_RUN = 6;

export interface SyncStats {
  readonly frames: number;
  /** ms from the roll's start to lock, or null if it never locked. */
  readonly lockMs: number | null;
  /** Of the frames from lock on, the share within one frame of the clock (percent, one decimal). */
  readonly withinOneFramePercent: number;
  /** The largest |shown − asked| from lock on (0 before any frame). */
  readonly worstError: number;
  /** Mean shown − asked from lock on (frames, two decimals): a steady lead or lag shows here. */
  readonly meanError: number;
}

/** The index of the first frame of the first LOCK_RUN frames in a row within ±1, or null. */
export function lockIndex(entries: readonly SyncEntry[]): number | null {
  let run = 0;
  for (let i = 0; i < entries.length; i++) {
    const [, wanted, shown] = entries[i]!;
    run = Math.abs(shown - wanted) <= 1 ? run + 1 : 0;
    if (run === LOCK_RUN) return i - LOCK_RUN + 1;
  }
  return null;
}

export function syncLogStats(entries: readonly SyncEntry[]): SyncStats {
  const lock = lockIndex(entries);
  const after = lock === null ? [] : entries.slice(lock);
  const errors = after.map(([, wanted, shown]) => shown - wanted);
  const within = errors.filter((e) => Math.abs(e) <= 1).length;
  return {
    frames: entries.length,
    lockMs: lock === null ? null : Math.round(entries[lock]![0]),
    withinOneFramePercent: errors.length === 0 ? 0 : Math.round((within / errors.length) * 1000) / 10,
    worstError: errors.reduce((worst, e) => Math.max(worst, Math.abs(e)), 0),
    meanError: errors.length === 0 ? 0 : Math.round((errors.reduce((a, b) => a + b, 0) / errors.length) * 100) / 100,
  };
}
