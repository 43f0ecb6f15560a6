/**
 * Exact rational frame rates (DESIGN §2). A rate is `num/den` frames per second; `timecodeBase`
 * is the number of frame labels per second of timecode (24, 25, 30, 48, 50, 60), and `dropFrame`
 * says whether labels are skipped to keep 30000/1001 and 60000/1001 timecode close to the clock.
 * Drop-frame exists only at 29.97 and 59.94; 23.976 and 47.952 are always non-drop.
 */
import { LoopstageError } from '../errors.js';

export const FRAME_RATE_IDS = [
  '23.976',
  '24',
  '25',
  '29.97df',
  '29.97ndf',
  '30',
  '47.952',
  '48',
  '50',
  '59.94df',
  '59.94ndf',
  '60',
] as const;

export type FrameRateId = (typeof FRAME_RATE_IDS)[number];

export interface FrameRate {
  readonly id: FrameRateId;
  /** Frames per second = num / den, exactly. */
  readonly num: number;
  readonly den: number;
  readonly dropFrame: boolean;
  /** Frame labels per timecode second (the FF field counts 0 … timecodeBase - 1). */
  readonly timecodeBase: number;
}

function rate(id: FrameRateId, num: number, den: number, dropFrame: boolean, timecodeBase: number): FrameRate {
  return Object.freeze({ id, num, den, dropFrame, timecodeBase });
}

export const FRAME_RATES: Readonly<Record<FrameRateId, FrameRate>> = Object.freeze({
  '23.976': rate('23.976', 24000, 1001, false, 24),
  '24': rate('24', 24, 1, false, 24),
  '25': rate('25', 25, 1, false, 25),
  '29.97df': rate('29.97df', 30000, 1001, true, 30),
  '29.97ndf': rate('29.97ndf', 30000, 1001, false, 30),
  '30': rate('30', 30, 1, false, 30),
  '47.952': rate('47.952', 48000, 1001, false, 48),
  '48': rate('48', 48, 1, false, 48),
  '50': rate('50', 50, 1, false, 50),
  '59.94df': rate('59.94df', 60000, 1001, true, 60),
  '59.94ndf': rate('59.94ndf', 60000, 1001, false, 60),
  '60': rate('60', 60, 1, false, 60),
});

/** Spellings of the frames-per-second number, to the rate ids they may name ([ndf, df]). */
const BY_NUMBER: Readonly<Record<string, readonly [FrameRateId, FrameRateId | null]>> = {
  '23.976': ['23.976', null],
  '23.98': ['23.976', null],
  '24000/1001': ['23.976', null],
  '24': ['24', null],
  '24/1': ['24', null],
  '25': ['25', null],
  '25/1': ['25', null],
  '29.97': ['29.97ndf', '29.97df'],
  '30000/1001': ['29.97ndf', '29.97df'],
  '30': ['30', null],
  '30/1': ['30', null],
  '47.952': ['47.952', null],
  '47.95': ['47.952', null],
  '48000/1001': ['47.952', null],
  '48': ['48', null],
  '48/1': ['48', null],
  '50': ['50', null],
  '50/1': ['50', null],
  '59.94': ['59.94ndf', '59.94df'],
  '60000/1001': ['59.94ndf', '59.94df'],
  '60': ['60', null],
  '60/1': ['60', null],
};

const VALID_LIST = FRAME_RATE_IDS.join(', ');

/**
 * Reads a frame rate named by the user: one of FRAME_RATE_IDS, case-insensitive, with optional
 * spaces, `-` or `_` before a `df`/`ndf` suffix. Also accepted where they name exactly one rate:
 * `23.98`, `47.95`, ratios as iXML writes them (`24000/1001`, `25/1`, `30000/1001ndf`) and an
 * explicit `ndf` on rates that have no drop-frame variant (`25ndf`).
 * Plain `29.97` / `59.94` (or `30000/1001`) are ambiguous and rejected with RATE_AMBIGUOUS.
 */
export function parseFrameRate(text: string): FrameRate {
  const cleaned = text.trim().toLowerCase().replace(/\s+/g, '');
  const match = /^(\d+(?:\.\d+)?(?:\/\d+)?)[-_]?(df|ndf)?$/.exec(cleaned);
  const choices = match ? BY_NUMBER[match[1] ?? ''] : undefined;
  if (!match || !choices) {
    throw new LoopstageError(
      'RATE_UNKNOWN',
      `"${text}" is not a frame rate Loopstage knows; use one of ${VALID_LIST}.`,
      { input: text, valid: [...FRAME_RATE_IDS] },
    );
  }
  const suffix = match[2];
  const [nonDrop, drop] = choices;
  if (suffix === 'df') {
    if (drop === null) {
      throw new LoopstageError(
        'RATE_NO_DROP_FRAME',
        `"${text}" asks for drop-frame, which exists only at 29.97 and 59.94; use ${nonDrop}, 29.97df or 59.94df.`,
        { input: text, valid: [...FRAME_RATE_IDS] },
      );
    }
    return FRAME_RATES[drop];
  }
  if (suffix === undefined && drop !== null) {
    throw new LoopstageError(
      'RATE_AMBIGUOUS',
      `"${text}" could be drop-frame or non-drop-frame timecode; write ${drop} or ${nonDrop}.`,
      { input: text, valid: [drop, nonDrop] },
    );
  }
  return FRAME_RATES[nonDrop];
}

/** The exact rate as "num/den", the form iXML uses for TIMECODE_RATE and SPEED (e.g. "24000/1001", "25/1"). */
export function frameRateRatio(rate: FrameRate): string {
  return `${rate.num}/${rate.den}`;
}
