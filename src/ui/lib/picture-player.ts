/**
 * Runs a video element as a slave of the engine's clock (DESIGN §3) and draws the overlays:
 *
 * - Every presented frame (requestVideoFrameCallback) is compared with the clock's frame at the
 *   moment it reaches the eye — the frame's expected display time plus the screen's display
 *   latency — and the chase (core/picture/picture-chase) says what to do: trim the rate, seek, or park.
 * - Every animation frame follows the transport: a roll starts playback, a stop or locate parks the
 *   picture on the clock's frame; while no frames are presented (stopped, outside the picture) the
 *   overlays are drawn here instead.
 * - While rolling, each presented frame is logged as [ms since the roll started, frame asked for,
 *   frame shown]; at the end of the roll the log is handed to `onRollEnd`.
 *
 * Overlays are drawn from the clock's frame, never the decoded one, so a streamer lands on the cue
 * frame even when the decoder is late.
 */
import { chase, indexToSeekTime, mediaTimeToIndex, positionToFrameTime, seekTimeToIndex, timelineToIndex, type PictureTiming } from '../../core/picture/picture-chase.js';
import { overlayShapes, type OverlayCue, type OverlayStyle, type Shape } from '../../core/picture/overlays.js';
import { LOCK_RUN, type SyncEntry } from '../../core/picture/sync-log.js';
import type { FrameRate } from '../../core/time/index.js';

export interface PlayerClock {
  readonly hasClock: boolean;
  readonly state: 'stopped' | 'rolling';
  /** The clock's timeline sample at local time `ms` (epoch ms), without side effects. */
  peekAt(localTime: number, maxAheadMs?: number): number;
}

export type LockState = 'no-picture' | 'parked' | 'seeking' | 'chasing' | 'locked';

export interface PlayerStatus {
  readonly lock: LockState;
  /** Timeline frames: what was last presented and what the clock asked for then. */
  readonly shown: number | null;
  readonly wanted: number | null;
  /** shown − wanted in frames and in milliseconds (null when nothing is shown). */
  readonly errorFrames: number | null;
  readonly errorMs: number | null;
}

export interface OverlayInput {
  readonly cue: OverlayCue | null;
  readonly style: OverlayStyle;
}

export interface PicturePlayerOptions {
  readonly video: HTMLVideoElement;
  readonly canvas: HTMLCanvasElement;
  readonly clock: PlayerClock;
  readonly sampleRate: number;
  readonly rate: FrameRate;
  /** The picture on the timeline, or null for overlays on black. */
  readonly timing: PictureTiming | null;
  readonly displayOffsetMs: () => number;
  readonly overlay: () => OverlayInput;
  readonly onStatus: (status: PlayerStatus) => void;
  readonly onRollEnd: (log: { readonly startedAt: string; readonly frames: SyncEntry[] }) => void;
}

/** Fired on the video element for every presented frame: detail {shown, wanted, mediaTime, rolling, drawMs}. */
export const PICTURE_FRAME_EVENT = 'loopstage:picture-frame';

/**
 * How far past the last clock tick the picture follows the roll's line (ms). Longer than the clock
 * display's limit: a tick held up on a busy machine should not stall the picture, and a stop that has
 * not arrived yet only parks the picture a little later.
 */
const PICTURE_EXTRAPOLATION_MS = 300;

/** A seek's time to present its frame, before any was measured (ms). */
const FIRST_SEEK_GUESS_MS = 80;
/** A landed seek that presented no new frame counts as done after this long (ms). */
const SEEK_SETTLE_MS = 250;
const SEEK_GIVE_UP_MS = 3000;
/** Draw overlays from animation frames when no video frame was presented for this long (ms). */
const FRAME_SILENCE_MS = 100;

export class PicturePlayer {
  readonly #o: PicturePlayerOptions;
  readonly #origin = performance.timeOrigin;
  #raf = 0;
  #vfc = 0;
  #rolling = false;
  /** The highest clock frame time the picture was asked for in this roll. */
  #rollFloor: number | null = null;
  #roll: { startedAt: string; t0: number; frames: SyncEntry[] } | null = null;
  #seek: { index: number; issued: number; landed: boolean } | null = null;
  #seekLatencyMs = FIRST_SEEK_GUESS_MS;
  #lastPresented = -Infinity;
  #recent: number[] = [];
  #lastDrawnFrame: number | null = null;
  #lastStatus = '';
  #disposed = false;

  constructor(options: PicturePlayerOptions) {
    this.#o = options;
    const { video } = options;
    video.muted = true;
    video.addEventListener('seeked', this.#onSeeked);
    this.#raf = requestAnimationFrame(this.#onAnimationFrame);
    if (options.timing) this.#vfc = video.requestVideoFrameCallback(this.#onVideoFrame);
  }

  dispose(): void {
    this.#disposed = true;
    cancelAnimationFrame(this.#raf);
    if (this.#vfc) this.#o.video.cancelVideoFrameCallback(this.#vfc);
    this.#o.video.removeEventListener('seeked', this.#onSeeked);
    this.#endRoll();
  }

  /** Redraws the overlays now (a setting or the cue changed while nothing moves). */
  redraw(): void {
    this.#lastDrawnFrame = null;
  }

  #clockFrameTime(localTime: number): number | null {
    const { clock } = this.#o;
    if (!clock.hasClock) return null;
    return positionToFrameTime(clock.peekAt(localTime + this.#o.displayOffsetMs(), PICTURE_EXTRAPOLATION_MS), this.#o.sampleRate, this.#o.rate);
  }

  #onSeeked = (): void => {
    if (this.#seek) {
      this.#seek.landed = true;
      const took = performance.now() - this.#seek.issued;
      // Smoothed, so one slow seek does not throw the next aim far ahead.
      this.#seekLatencyMs = this.#seekLatencyMs * 0.7 + took * 0.3;
    }
  };

  #onVideoFrame = (now: number, metadata: VideoFrameCallbackMetadata): void => {
    if (this.#disposed) return;
    this.#vfc = this.#o.video.requestVideoFrameCallback(this.#onVideoFrame);
    const timing = this.#o.timing;
    const asked = this.#clockFrameTime(this.#origin + metadata.expectedDisplayTime);
    if (!timing || asked === null) return;
    // Within a roll the clock the picture chases never runs backwards: a tick that corrects an
    // extrapolation which ran ahead holds the picture's clock for a moment instead of stepping it back.
    const wantedTime = this.#rolling && this.#rollFloor !== null ? Math.max(asked, this.#rollFloor) : asked;
    if (this.#rolling) this.#rollFloor = wantedTime;
    this.#lastPresented = now;
    const presentedIndex = mediaTimeToIndex(metadata.mediaTime, timing);
    // A seek is over when its frame is presented, or when the element says it landed (if elsewhere,
    // the chase sees the error and acts on it).
    if (this.#seek && (presentedIndex === this.#seek.index || this.#seek.landed)) this.#seek = null;
    const video = this.#o.video;
    const decision = chase(
      { mediaTime: metadata.mediaTime, wantedFrameTime: wantedTime, rolling: this.#rolling, playbackRate: video.playbackRate, seeking: this.#seek !== null, seekLatencyMs: this.#seekLatencyMs },
      timing,
    );
    const action = decision.action;
    if (action.kind === 'rate') video.playbackRate = action.rate;
    else if (action.kind === 'seek' || action.kind === 'park') this.#seekTo(action.time, action.kind === 'seek' && action.play);
    if (this.#roll && this.#rolling) this.#roll.frames.push([Math.round((now - this.#roll.t0) * 10) / 10, decision.wanted, decision.shown]);
    this.#recent.push(decision.shown - decision.wanted);
    if (this.#recent.length > LOCK_RUN) this.#recent.shift();
    const drawStart = performance.now();
    this.#draw(Math.floor(wantedTime));
    const drawMs = performance.now() - drawStart;
    this.#report(decision.shown, decision.wanted);
    // A named event per presented frame, dispatched while this frame is the one presented (and the
    // overlay drawn for it), so a checker can read the frame's pixels and what the clock asked for.
    video.dispatchEvent(new CustomEvent(PICTURE_FRAME_EVENT, { detail: { shown: decision.shown, wanted: decision.wanted, mediaTime: metadata.mediaTime, rolling: this.#rolling, drawMs } }));
  };

  #onAnimationFrame = (now: number): void => {
    if (this.#disposed) return;
    this.#raf = requestAnimationFrame(this.#onAnimationFrame);
    const { clock, video, timing } = this.#o;
    const rolling = clock.hasClock && clock.state === 'rolling';
    if (rolling !== this.#rolling) {
      this.#rolling = rolling;
      this.#rollFloor = null;
      this.#recent = [];
      if (rolling) {
        this.#roll = { startedAt: new Date().toISOString(), t0: now, frames: [] };
        video.playbackRate = 1;
        if (timing && video.paused) void video.play().catch(() => undefined);
      } else {
        this.#endRoll();
        video.pause();
        video.playbackRate = 1;
      }
    }
    const wantedTime = this.#clockFrameTime(this.#origin + now);
    if (wantedTime === null) return;
    const wanted = Math.floor(wantedTime);
    if (timing) {
      const target = timelineToIndex(wanted, timing);
      video.style.visibility = target.inside ? 'visible' : 'hidden';
      if (rolling && !target.inside && !video.paused) video.pause();
      if (rolling && target.inside && video.paused && !this.#seek) this.#seekTo(indexToSeekTime(target.index, timing), true);
      if (!rolling) this.#park(target.index, wanted, now);
    }
    if (now - this.#lastPresented > FRAME_SILENCE_MS) {
      this.#draw(wanted);
      if (!timing) this.#report(null, wanted);
    }
  };

  /**
   * Stopped: keep the picture on the clock's frame. A seek to the frame already on screen presents
   * nothing new, so a seek the element says has landed counts as done after SEEK_SETTLE_MS even
   * without a presented frame; then the element's position names the frame it holds.
   */
  #park(index: number, wanted: number, now: number): void {
    const { video, timing } = this.#o;
    if (!timing || video.readyState < 2) return;
    if (this.#seek) {
      const waited = now - this.#seek.issued;
      // (A seek that never lands — a decoder error — is given up after a few seconds and tried again.)
      if ((!this.#seek.landed || waited < SEEK_SETTLE_MS) && waited < SEEK_GIVE_UP_MS) return;
      this.#seek = null;
    }
    const held = seekTimeToIndex(video.currentTime, timing);
    if (held !== index) {
      this.#seekTo(indexToSeekTime(index, timing), false);
      return;
    }
    if (now - this.#lastPresented > FRAME_SILENCE_MS) this.#report(timing.startFrame + held, wanted);
  }

  #seekTo(time: number, play: boolean): void {
    const { video, timing } = this.#o;
    if (!timing) return;
    this.#seek = { index: seekTimeToIndex(time, timing), issued: performance.now(), landed: false };
    video.currentTime = time;
    if (play && video.paused) void video.play().catch(() => undefined);
    if (!play && !video.paused) video.pause();
  }

  #endRoll(): void {
    const roll = this.#roll;
    this.#roll = null;
    if (roll && roll.frames.length > 0) this.#o.onRollEnd({ startedAt: roll.startedAt, frames: roll.frames });
  }

  #report(shown: number | null, wanted: number): void {
    const { timing, rate } = this.#o;
    let lock: LockState;
    if (!timing || shown === null) lock = 'no-picture';
    else if (this.#seek) lock = 'seeking';
    else if (!this.#rolling) lock = shown === wanted || !timelineToIndex(wanted, timing).inside ? 'parked' : 'seeking';
    else lock = this.#recent.length >= LOCK_RUN && this.#recent.every((e) => Math.abs(e) <= 1) ? 'locked' : 'chasing';
    const errorFrames = shown === null ? null : shown - wanted;
    const status: PlayerStatus = {
      lock,
      shown,
      wanted,
      errorFrames,
      errorMs: errorFrames === null ? null : Math.round(((errorFrames * rate.den) / rate.num) * 1000),
    };
    const key = `${lock}|${shown}|${wanted}`;
    if (key === this.#lastStatus) return;
    this.#lastStatus = key;
    this.#o.onStatus(status);
  }

  #draw(frame: number): void {
    if (frame === this.#lastDrawnFrame) return;
    this.#lastDrawnFrame = frame;
    const { canvas, rate, timing } = this.#o;
    const rect = canvas.getBoundingClientRect();
    const scale = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(rect.width * scale));
    const height = Math.max(1, Math.round(rect.height * scale));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext('2d');
    if (!context) return;
    const { cue, style } = this.#o.overlay();
    context.clearRect(0, 0, width, height);
    drawShapes(context, overlayShapes(frame, cue, style, rate, timing?.startFrame ?? 0), width, height);
    canvas.dataset.frame = String(frame);
  }
}

/** Draws overlay shapes (frame-relative) onto a canvas of `width`×`height` pixels. */
export function drawShapes(context: CanvasRenderingContext2D, shapes: readonly Shape[], width: number, height: number): void {
  for (const shape of shapes) {
    context.globalAlpha = 'opacity' in shape ? shape.opacity : 1;
    context.fillStyle = shape.colour;
    if (shape.kind === 'rect') {
      // Whole pixels, so a bar's edges are exact (a streamer at the end reaches the last column).
      const x0 = Math.round(shape.x * width);
      const x1 = Math.round((shape.x + shape.w) * width);
      context.fillRect(x0, Math.round(shape.y * height), x1 - x0, Math.round(shape.h * height));
    } else if (shape.kind === 'circle') {
      context.beginPath();
      context.arc(shape.cx * width, shape.cy * height, shape.r * height, 0, Math.PI * 2);
      context.fill();
    } else {
      const size = Math.max(8, Math.round(shape.size * height));
      context.font = `${shape.bold ? '700 ' : ''}${size}px system-ui, sans-serif`;
      context.textAlign = shape.align;
      context.textBaseline = 'middle';
      context.lineWidth = Math.max(2, size / 8);
      context.strokeStyle = 'rgba(0,0,0,0.8)';
      context.strokeText(shape.text, shape.x * width, shape.y * height);
      context.fillText(shape.text, shape.x * width, shape.y * height);
    }
  }
  context.globalAlpha = 1;
}
