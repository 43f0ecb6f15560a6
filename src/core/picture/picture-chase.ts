/**
 * How the picture chases the audio clock (DESIGN §3), as pure decisions the player carries out.
 *
 * - Frames. The picture's frame N (from 0) is timeline frame `startFrame + N`. A locate seeks to
 *   (N + 0.5) / fps: the middle of the frame, which Chromium lands on exactly, where N / fps lands
 *   a frame early about half the time (TESTING.md).
 * - What is shown is read from requestVideoFrameCallback's mediaTime, never from currentTime.
 * - What is wanted is the clock's frame at the moment the frame reaches the eye: the frame's
 *   expected display time plus the monitor's display latency (`displayOffsetMs`).
 * - Rolling, a small error is trimmed with the playback rate (proportional, at most ±MAX_TRIM),
 *   a large one (more than SEEK_FRAMES) is re-seeked to where the clock will be once the seek is done.
 * - Stopped, the player parks on the clock's frame.
 */

import { frameToPosition, position, positionToFrame, type FrameRate } from '../time/index.js';

/** More than this many frames off while rolling: seek rather than trim. */
export const SEEK_FRAMES = 4;
/** Playback rate correction per second of error (1/s). */
export const TRIM_GAIN = 2;
/** The largest playback-rate change used for trimming. */
export const MAX_TRIM = 0.25;
/**
 * Where in a frame the clock should be when that frame is presented (frames). Presentation happens
 * on the display's refresh, so a frame's first appearance lands up to a refresh period after its
 * time (0.42 of a frame at 25 fps on 60 Hz), either side of the mean the rate trim holds. Aiming at
 * the middle of the frame keeps that jitter, and a late clock tick, inside the right frame; the
 * picture is then never early and at most half a frame late.
 */
export const TARGET_PHASE = 0.5;
/** Errors under this (seconds) are left alone, so the rate does not hunt around a good lock. */
export const TRIM_DEADBAND_S = 0.004;

export interface PictureTiming {
  /** The rate as an exact ratio. */
  readonly num: number;
  readonly den: number;
  /** Timeline frame (since midnight) of the picture's first frame. */
  readonly startFrame: number;
  /** Frames in the picture. */
  readonly frames: number;
}

/** The picture frame index (from 0) that media time `seconds` presents. */
export function mediaTimeToIndex(seconds: number, timing: PictureTiming): number {
  return Math.round((seconds * timing.num) / timing.den);
}

/** Where to seek to show picture frame `index`: the middle of the frame. */
export function indexToSeekTime(index: number, timing: PictureTiming): number {
  return ((index + 0.5) * timing.den) / timing.num;
}

/** The picture frame index a seek to `seconds` (a frame's middle, or any time within it) lands on. */
export function seekTimeToIndex(seconds: number, timing: PictureTiming): number {
  return mediaTimeToIndex(seconds - (0.5 * timing.den) / timing.num, timing);
}

/** The picture frame index for timeline frame `frame`, clamped to the picture, and whether it was inside. */
export function timelineToIndex(frame: number, timing: PictureTiming): { readonly index: number; readonly inside: boolean } {
  const index = frame - timing.startFrame;
  if (index < 0) return { index: 0, inside: false };
  if (index >= timing.frames) return { index: timing.frames - 1, inside: false };
  return { index, inside: true };
}

/**
 * Timeline sample `samples` as a fractional timeline frame: the frame that holds it (exactly as
 * positionToFrame counts, so a frame's first sample is in that frame even where the boundary was
 * rounded down) plus how far into the frame it is.
 */
export function positionToFrameTime(samples: number, sampleRate: number, rate: FrameRate): number {
  const frame = positionToFrame(position(samples), rate, sampleRate);
  const start = frameToPosition(frame, rate, sampleRate);
  const next = frameToPosition(frame + 1, rate, sampleRate);
  return frame + (samples - start) / (next - start);
}

export type ChaseAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'rate'; readonly rate: number }
  | { readonly kind: 'seek'; readonly time: number; readonly play: boolean }
  | { readonly kind: 'park'; readonly time: number };

export interface ChaseInput {
  /** Media time of the frame presented (requestVideoFrameCallback's mediaTime). */
  readonly mediaTime: number;
  /** The clock's position as a fractional timeline frame at the moment that frame reaches the eye. */
  readonly wantedFrameTime: number;
  readonly rolling: boolean;
  /** The player's current playback rate. */
  readonly playbackRate: number;
  /** Whether a seek is still under way (its frame has not been presented yet). */
  readonly seeking: boolean;
  /** How long recent seeks took to present their frame (ms), to aim a rolling seek ahead. */
  readonly seekLatencyMs: number;
}

export interface ChaseDecision {
  /** Timeline frame shown, and the frame the clock asked for. */
  readonly shown: number;
  readonly wanted: number;
  readonly action: ChaseAction;
}

/** What to do after a frame was presented. */
export function chase(input: ChaseInput, timing: PictureTiming): ChaseDecision {
  const shownIndex = mediaTimeToIndex(input.mediaTime, timing);
  const shown = timing.startFrame + shownIndex;
  const wanted = Math.floor(input.wantedFrameTime);
  if (input.seeking) return { shown, wanted, action: { kind: 'none' } };
  const target = timelineToIndex(wanted, timing);
  if (!input.rolling) {
    return { shown, wanted, action: shownIndex === target.index ? { kind: 'none' } : { kind: 'park', time: indexToSeekTime(target.index, timing) } };
  }
  if (Math.abs(shown - wanted) > SEEK_FRAMES) {
    // Aim where the clock will be when the seek lands, so it does not land late and seek again.
    const ahead = (input.seekLatencyMs / 1000) * (timing.num / timing.den);
    const aimed = timelineToIndex(Math.floor(input.wantedFrameTime + ahead), timing);
    return { shown, wanted, action: { kind: 'seek', time: indexToSeekTime(aimed.index, timing), play: aimed.inside } };
  }
  // Continuous error: how far the clock is from where it should be as this frame is presented (seconds).
  const errorSeconds = ((shown + TARGET_PHASE - input.wantedFrameTime) * timing.den) / timing.num;
  const rate = Math.abs(errorSeconds) < TRIM_DEADBAND_S ? 1 : 1 - Math.max(-MAX_TRIM, Math.min(MAX_TRIM, errorSeconds * TRIM_GAIN));
  const rounded = Math.round(rate * 1000) / 1000;
  return { shown, wanted, action: rounded === input.playbackRate ? { kind: 'none' } : { kind: 'rate', rate: rounded } };
}
