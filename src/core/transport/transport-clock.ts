/**
 * The transport as the audio thread sees it. Audio is the master clock: the position advances only
 * by the frames the audio stream delivers, and commands take effect on a buffer boundary, so every
 * change is stamped with the exact stream frame and timeline sample at which it happened.
 *
 * Positions are timeline samples since midnight (see time/position.ts); `streamFrame` counts every
 * frame the open stream has delivered, rolling or not, which is what latency calibration and take
 * cutting are measured against.
 */
export type TransportState = 'stopped' | 'rolling';

export type TransportCommand =
  /**
   * `until`: stop by itself at the first buffer boundary at or past this timeline sample (end of a
   * roll). A play without one while rolling keeps the current end.
   */
  | { readonly kind: 'play'; readonly until?: number }
  | { readonly kind: 'stop' }
  | { readonly kind: 'locate'; readonly position: number };

export interface TransportSnapshot {
  readonly state: TransportState;
  /** Timeline sample of the next frame to be delivered. */
  readonly position: number;
  /** Frames the stream had delivered when this snapshot was taken. */
  readonly streamFrame: number;
}

export interface AppliedCommand {
  readonly command: TransportCommand;
  /** True for the stop a `play … until` made by itself (no caller is waiting on it). */
  readonly auto?: boolean;
  readonly before: TransportSnapshot;
  readonly after: TransportSnapshot;
}

export class TransportClock {
  #state: TransportState = 'stopped';
  #position: number;
  #streamFrame = 0;
  #pending: TransportCommand[] = [];
  #until: number | null = null;

  constructor(start: number) {
    assertSample(start);
    this.#position = start;
  }

  /** Queue a command; it is applied at the start of the next buffer `advance` sees. */
  enqueue(command: TransportCommand): void {
    if (command.kind === 'locate') assertSample(command.position);
    if (command.kind === 'play' && command.until !== undefined) assertSample(command.until);
    this.#pending.push(command);
  }

  /**
   * Account for one buffer of `frames` delivered by the stream. Pending commands apply first, at
   * the buffer's first frame; the result lists them with the state on either side.
   */
  advance(frames: number): AppliedCommand[] {
    if (!Number.isSafeInteger(frames) || frames < 0) {
      throw new RangeError(`a buffer holds a whole, non-negative number of frames, not ${frames}`);
    }
    const applied = this.applyPending();
    if (this.#state === 'rolling' && this.#until !== null && this.#position >= this.#until) {
      const before = this.snapshot();
      this.#state = 'stopped';
      this.#until = null;
      applied.push({ command: { kind: 'stop' }, auto: true, before, after: this.snapshot() });
    }
    this.#streamFrame += frames;
    if (this.#state === 'rolling') this.#position += frames;
    return applied;
  }

  /** Apply pending commands now, without a buffer (used while no stream is open). */
  applyPending(): AppliedCommand[] {
    const applied: AppliedCommand[] = [];
    for (const command of this.#pending.splice(0)) {
      const before = this.snapshot();
      switch (command.kind) {
        case 'play':
          // A plain play while rolling keeps the roll's end: pressing play mid-roll must not turn a
          // cue roll into an endless one. A play with its own end sets that one.
          if (command.until !== undefined) this.#until = command.until;
          else if (this.#state !== 'rolling') this.#until = null;
          this.#state = 'rolling';
          break;
        case 'stop':
          this.#state = 'stopped';
          this.#until = null;
          break;
        case 'locate':
          this.#position = command.position;
          break;
      }
      applied.push({ command, before, after: this.snapshot() });
    }
    return applied;
  }

  snapshot(): TransportSnapshot {
    return { state: this.#state, position: this.#position, streamFrame: this.#streamFrame };
  }
}

function assertSample(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`a timeline position is a whole, non-negative sample count, not ${value}`);
  }
}
