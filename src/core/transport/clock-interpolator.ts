/**
 * Turns the engine's clock ticks (DESIGN §3: `{position, hostTime}` at 30 Hz or more) into a
 * position for every displayed frame, without ever owning a clock: every time is passed in.
 *
 * - Time mapping. A tick says "the audio host counted `position` at `hostTime`" (epoch ms on the
 *   engine's machine). It reaches us `receivedAt` (ms on our clock) after some delivery delay. The
 *   offset between the two clocks is estimated as the minimum of `receivedAt − hostTime` over the
 *   recent ticks: every delay only adds, so the least-delayed tick is the best estimate of the true
 *   offset (plus the smallest delivery delay, which we cannot see). The window keeps the estimate
 *   following slow drift between the clocks.
 * - Rolling: extrapolate from the last tick at the tick's sample rate, but at most
 *   `maxExtrapolationMs` (100 ms) past it, so a lost connection or a stop that has not arrived yet
 *   cannot run the display away. Within one continuous roll the shown position never goes
 *   backwards; if extrapolation ran ahead of the next tick, the display holds until the engine
 *   catches up.
 * - Stopped: exactly the engine's position.
 * - Locate and stop are jumps: the shown position goes straight to the engine's position, even
 *   backwards. A roll is continuous while `position − streamFrame` stays the same (both advance
 *   together by the frames the stream delivers); a locate, a stop/play or a reopened stream breaks it.
 *
 * Pure: no DOM, no Date.now. Queries are expected with non-decreasing local times (one per
 * displayed frame); an earlier time never makes a rolling display step back.
 */
import { LoopstageError } from '../errors.js';

export type ClockState = 'stopped' | 'rolling';

/** What the engine publishes as `clock.tick`. */
export interface ClockTickInput {
  readonly position: number;
  readonly state: ClockState;
  /** Epoch ms (high resolution) on the engine's machine when the audio host counted `position`. */
  readonly hostTime: number;
  readonly sampleRate: number;
  readonly streamFrame: number;
}

/** A transport snapshot without a host time (a `transport.changed` event, a command's reply). */
export interface ClockSnapshotInput {
  readonly position: number;
  readonly state: ClockState;
  readonly streamFrame: number;
}

export interface ClockInterpolatorOptions {
  /** How far past the last tick a rolling position may be extrapolated (ms). Default 100. */
  readonly maxExtrapolationMs?: number;
  /** How many recent ticks the offset estimate looks at. Default 90 (3 s at 30 Hz). */
  readonly offsetWindow?: number;
}

interface Anchor {
  readonly position: number;
  readonly state: ClockState;
  readonly sampleRate: number;
  readonly streamFrame: number;
  /** Engine time of `position`, or null when only our receive time is known. */
  readonly hostTime: number | null;
  /** Our time of `position` when `hostTime` is null. */
  readonly localTime: number;
}

export const DEFAULT_MAX_EXTRAPOLATION_MS = 100;
export const DEFAULT_OFFSET_WINDOW = 90;
/** How fast the roll's start estimate may move later (ms per ms): 0.2%, ten times any real clock mismatch. */
export const LEAD_RISE = 0.002;

export class ClockInterpolator {
  readonly #maxAheadMs: number;
  readonly #window: number;
  /** `receivedAt − hostTime` of the recent ticks, oldest first. */
  readonly #delays: number[] = [];
  #offset: number | null = null;
  #anchor: Anchor | null = null;
  /** The highest position shown in the current continuous roll. */
  #floor = 0;
  /** The current roll's start on the engine's clock, as the least-late ticks say (null when none), and when it was last updated. */
  #lead: number | null = null;
  #leadAt = 0;

  constructor(options: ClockInterpolatorOptions = {}) {
    const maxAheadMs = options.maxExtrapolationMs ?? DEFAULT_MAX_EXTRAPOLATION_MS;
    const window = options.offsetWindow ?? DEFAULT_OFFSET_WINDOW;
    if (!Number.isFinite(maxAheadMs) || maxAheadMs < 0) {
      throw new LoopstageError('CLOCK_OPTION_INVALID', `The clock's extrapolation limit must be a non-negative number of milliseconds, not ${String(maxAheadMs)}.`);
    }
    if (!Number.isSafeInteger(window) || window < 1) {
      throw new LoopstageError('CLOCK_OPTION_INVALID', `The clock's offset window must be a whole number of ticks of at least 1, not ${String(window)}.`);
    }
    this.#maxAheadMs = maxAheadMs;
    this.#window = window;
  }

  /** True once a tick or snapshot has arrived. */
  get hasClock(): boolean {
    return this.#anchor !== null;
  }

  /** The engine's transport state as last reported (stopped before anything arrived). */
  get state(): ClockState {
    return this.#anchor?.state ?? 'stopped';
  }

  /** The estimated `local − host` offset in ms (null before the first tick). */
  get offset(): number | null {
    return this.#offset;
  }

  /** Takes in a clock tick received at local time `receivedAt` (ms, same clock as positionAt). */
  update(tick: ClockTickInput, receivedAt: number): void {
    checkTime(tick.hostTime, 'tick host time');
    checkTime(receivedAt, 'receive time');
    checkSnapshot(tick);
    checkSampleRate(tick.sampleRate);
    this.#delays.push(receivedAt - tick.hostTime);
    if (this.#delays.length > this.#window) this.#delays.splice(0, this.#delays.length - this.#window);
    this.#offset = Math.min(...this.#delays);
    this.#setAnchor({ ...pick(tick), sampleRate: tick.sampleRate, hostTime: tick.hostTime, localTime: receivedAt });
    if (tick.state === 'rolling') {
      // Within a roll, hostTime − position/rate is the roll's start on the engine's clock plus however
      // late the engine stamped this tick. The estimate follows the least of it at once, and rises only
      // slowly (LEAD_RISE), so a spell of late stamps cannot drag the clock back, while a real
      // difference between the audio's rate and the engine's clock is still followed.
      const candidate = tick.hostTime - (tick.position * 1000) / tick.sampleRate;
      this.#lead = this.#lead === null ? candidate : Math.min(candidate, this.#lead + Math.max(0, tick.hostTime - this.#leadAt) * LEAD_RISE);
      this.#leadAt = tick.hostTime;
    }
  }

  /**
   * Takes in a transport snapshot that has no host time (a `transport.changed` event or a
   * command's reply) received at `receivedAt`. Its time is taken as the least delay seen so far.
   * A snapshot older than what is already known for the same roll is ignored.
   */
  applySnapshot(snapshot: ClockSnapshotInput, sampleRate: number, receivedAt: number): void {
    checkTime(receivedAt, 'receive time');
    checkSnapshot(snapshot);
    checkSampleRate(sampleRate);
    const last = this.#anchor;
    if (last && sameRoll(last, snapshot) && snapshot.streamFrame <= last.streamFrame) return;
    const hostTime = this.#offset === null ? null : receivedAt - this.#offset;
    this.#setAnchor({ ...pick(snapshot), sampleRate, hostTime, localTime: receivedAt });
  }

  /** The timeline sample (integer) to show at local time `localTime` (ms, same clock as receivedAt). */
  positionAt(localTime: number): number {
    const anchor = this.#anchor;
    const extrapolated = this.peekAt(localTime);
    if (!anchor || anchor.state === 'stopped') return extrapolated;
    const shown = Math.max(extrapolated, this.#floor);
    this.#floor = shown;
    return shown;
  }

  /**
   * The position at `localTime` without moving the display's floor: for readers other than the
   * clock display (the picture asks for times slightly ahead, at a frame's display time), so their
   * questions never change what the display shows. `maxAheadMs` replaces the extrapolation limit.
   */
  peekAt(localTime: number, maxAheadMs: number = this.#maxAheadMs): number {
    checkTime(localTime, 'local time');
    const anchor = this.#anchor;
    if (!anchor) return 0;
    if (anchor.state === 'stopped') return anchor.position;
    const anchorLocal = anchor.hostTime !== null && this.#offset !== null ? anchor.hostTime + this.#offset : anchor.localTime;
    const elapsedMs = Math.min(Math.max(localTime - anchorLocal, 0), maxAheadMs);
    const fromAnchor = anchor.position + Math.floor((elapsedMs * anchor.sampleRate) / 1000);
    if (this.#lead === null || this.#offset === null || anchor.hostTime === null) return fromAnchor;
    // The roll's line through its least-late tick: the engine stamps a tick when it gets to the
    // buffer, which may be late; the audio itself ran on time. Bounded as the anchor's extrapolation is.
    const fitted = Math.floor(((localTime - this.#offset - this.#lead) * anchor.sampleRate) / 1000);
    const limit = anchor.position + Math.floor((maxAheadMs * anchor.sampleRate) / 1000);
    return Math.min(Math.max(fitted, anchor.position), limit);
  }

  /** Forgets everything (e.g. after reconnecting to another engine). */
  reset(): void {
    this.#delays.length = 0;
    this.#lead = null;
    this.#offset = null;
    this.#anchor = null;
    this.#floor = 0;
  }

  #setAnchor(next: Anchor): void {
    const last = this.#anchor;
    // A jump (locate, stop, play, new stream) shows the engine's position as it is; within a
    // continuous roll the floor keeps the display from stepping back.
    if (!last || !continues(last, next)) {
      this.#floor = next.position;
      this.#lead = null;
    } else {
      this.#floor = Math.max(this.#floor, next.position);
    }
    this.#anchor = next;
  }
}

function pick(s: ClockSnapshotInput): Pick<Anchor, 'position' | 'state' | 'streamFrame'> {
  return { position: s.position, state: s.state, streamFrame: s.streamFrame };
}

/** Both rolling with the same `position − streamFrame`: the same roll, no locate in between. */
function sameRoll(last: ClockSnapshotInput, next: ClockSnapshotInput): boolean {
  return last.state === 'rolling' && next.state === 'rolling' && next.position - next.streamFrame === last.position - last.streamFrame;
}

/** Whether `next` continues the roll `last` is in (a stream that restarted from 0 does not). */
function continues(last: ClockSnapshotInput, next: ClockSnapshotInput): boolean {
  return sameRoll(last, next) && next.streamFrame >= last.streamFrame;
}

function checkTime(value: number, what: string): void {
  if (!Number.isFinite(value)) {
    throw new LoopstageError('CLOCK_TIME_INVALID', `The clock was given a ${what} of ${String(value)}; times must be finite milliseconds.`);
  }
}

function checkSnapshot(s: ClockSnapshotInput): void {
  if (!Number.isSafeInteger(s.position) || s.position < 0 || !Number.isSafeInteger(s.streamFrame) || s.streamFrame < 0) {
    throw new LoopstageError(
      'CLOCK_TICK_INVALID',
      `The engine reported position ${String(s.position)} at stream frame ${String(s.streamFrame)}; both must be whole, non-negative sample counts.`,
    );
  }
  if (s.state !== 'stopped' && s.state !== 'rolling') {
    throw new LoopstageError('CLOCK_TICK_INVALID', `The engine reported an unknown transport state "${String(s.state)}".`);
  }
}

function checkSampleRate(sampleRate: number): void {
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0) {
    throw new LoopstageError('CLOCK_TICK_INVALID', `The engine reported sample rate ${String(sampleRate)}; it must be a whole, positive number of samples per second.`);
  }
}
