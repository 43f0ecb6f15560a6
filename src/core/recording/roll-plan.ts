/**
 * What a cue's roll covers: the beeps before its in point and the range the transport plays, from
 * the roll's pre-roll to its post-roll. One function, so the engine that rolls and the UI that
 * shows the planned roll cannot disagree.
 */
import { beepSchedule, rollRange, type Beep, type CueSpan, type RollRange } from '../cueing/beeps.js';
import { position, type FrameRate } from '../time/index.js';
import type { RecordingSettings } from './settings.js';

/** A cue's own pre- and post-roll in milliseconds; null takes the project's. */
export interface CueRollOverride {
  readonly preRollMs: number | null;
  readonly postRollMs: number | null;
}

export interface RollPlan {
  readonly beeps: Beep[];
  readonly range: RollRange;
  readonly preRollSeconds: number;
  readonly postRollSeconds: number;
}

/**
 * Rolls in order of precedence: `once` (this roll only), the cue's override, the project's
 * settings. Throws what beepSchedule and rollRange throw for settings that cannot work.
 */
export function planRoll(
  cue: CueSpan,
  settings: Pick<RecordingSettings, 'preRollSeconds' | 'postRollSeconds' | 'beeps'>,
  cueRoll: CueRollOverride | null,
  rate: FrameRate,
  sampleRate: number,
  once: { readonly preRollSeconds?: number; readonly postRollSeconds?: number } = {},
): RollPlan {
  const preRollSeconds = once.preRollSeconds ?? (cueRoll?.preRollMs != null ? cueRoll.preRollMs / 1000 : settings.preRollSeconds);
  const postRollSeconds = once.postRollSeconds ?? (cueRoll?.postRollMs != null ? cueRoll.postRollMs / 1000 : settings.postRollSeconds);
  const beeps = beepSchedule(position(cue.in), rate, sampleRate, settings.beeps);
  return { beeps, range: rollRange(cue, preRollSeconds, postRollSeconds, sampleRate, beeps), preRollSeconds, postRollSeconds };
}
