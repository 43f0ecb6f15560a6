/**
 * Runs the session clock inside the audio process: counts the frames a FrameSource delivers, applies
 * transport commands on buffer boundaries, publishes ticks at 60 Hz, counts late buffers and notices
 * a stream that stops delivering. It is the only place positions advance.
 */
import { LoopstageError } from '../../core/errors.js';
import { TransportClock, type TransportCommand, type TransportSnapshot } from '../../core/transport/transport-clock.js';
import type { AudioStreamConfig, ClockTick } from '../../engine/ports/audio-host.js';
import type { FrameSource } from './frame-sources.js';
import { LatencyCalibrator, type CalibrationResult } from './latency-calibrator.js';

export interface ClockRunnerEvents {
  tick(tick: ClockTick): void;
  applied(id: number, before: TransportSnapshot, after: TransportSnapshot): void;
  stats(stats: { lateBuffers: number; buffers: number }): void;
  failed(error: LoopstageError): void;
}

const TICK_INTERVAL_MS = 1000 / 60;
/** A stream that delivers nothing for this long is reported as stalled (a device unplugged, a hung driver). */
export const STALL_AFTER_MS = 2000;
/** The first buffer may take a while on some interfaces (PulseAudio ~1 s when idle). */
export const FIRST_BUFFER_WITHIN_MS = 4000;

export class ClockRunner {
  readonly #clock: TransportClock;
  readonly #pendingIds: number[] = [];
  #lastTickAt = -Infinity;
  #lastBufferAt: number | null = null;
  #lateBuffers = 0;
  #buffers = 0;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #failed = false;
  readonly #firstBuffer: Promise<void>;
  #resolveFirst!: () => void;
  #rejectFirst!: (error: LoopstageError) => void;
  readonly #calibrator: LatencyCalibrator | null;

  constructor(
    private readonly source: FrameSource,
    private readonly config: AudioStreamConfig,
    private readonly events: ClockRunnerEvents,
    private readonly now: () => number = () => performance.now(),
    private readonly epochNow: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    this.#clock = new TransportClock(config.startPosition);
    this.#calibrator = source.clockSource === 'audio-device' ? new LatencyCalibrator(config.sampleRate, config.inputChannels, config.outputChannels) : null;
    this.#firstBuffer = new Promise((resolve, reject) => {
      this.#resolveFirst = resolve;
      this.#rejectFirst = reject;
    });
  }

  /** Starts the source; resolves when the first buffer arrives, rejects if none comes. */
  start(): Promise<void> {
    const openedAt = this.now();
    const calibrator = this.#calibrator;
    this.source.start(
      (frames, samples) => this.#onBuffer(frames, samples),
      (error) => this.#fail(error),
      calibrator ? (outputFrame, frames) => calibrator.fill(outputFrame, frames) : undefined,
    );
    this.#watchdog = setInterval(() => {
      const now = this.now();
      if (this.#lastBufferAt === null) {
        if (now - openedAt > FIRST_BUFFER_WITHIN_MS) {
          this.#fail(new LoopstageError(
            'AUDIO_STREAM_SILENT',
            `The audio devices "${this.config.input}" / "${this.config.output}" opened but delivered no audio within ${FIRST_BUFFER_WITHIN_MS / 1000} s; check the interface is on and not used by another program, or choose other devices.`,
          ));
        }
      } else if (now - this.#lastBufferAt > STALL_AFTER_MS) {
        this.#fail(new LoopstageError(
          'AUDIO_STREAM_STALLED',
          `The audio interface stopped delivering audio (${Math.round(now - this.#lastBufferAt)} ms without a buffer); check it is still connected, then reopen it.`,
        ));
      }
    }, 250);
    return this.#firstBuffer;
  }

  command(id: number, command: TransportCommand): void {
    this.#clock.enqueue(command);
    this.#pendingIds.push(id);
  }

  snapshot(): TransportSnapshot {
    return this.#clock.snapshot();
  }

  /** Measures the round-trip latency of this open stream `times` times (see LatencyCalibrator). */
  calibrate(times = 3): Promise<CalibrationResult> {
    if (!this.#calibrator) {
      return Promise.reject(new LoopstageError('CALIBRATION_NO_INTERFACE', 'The software clock has no input or output to measure; choose an audio interface, patch its output to its input, and calibrate again.'));
    }
    return this.#calibrator.measure(times);
  }

  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    this.#calibrator?.abort(new LoopstageError('CALIBRATION_INTERRUPTED', 'The audio stream closed during calibration; calibrate again once it is open.'));
    await this.source.close();
  }

  #onBuffer(frames: number, samples: Buffer | null = null): void {
    if (this.#failed) return;
    this.#calibrator?.input(this.#clock.snapshot().streamFrame, samples);
    const now = this.now();
    const periodMs = (this.config.framesPerBuffer / this.config.sampleRate) * 1000;
    const late = this.#lastBufferAt !== null && now - this.#lastBufferAt > 3 * periodMs + 5;
    if (late) this.#lateBuffers++;
    this.#lastBufferAt = now;
    this.#buffers++;
    const applied = this.#clock.advance(frames);
    for (const change of applied) {
      const id = this.#pendingIds.shift();
      if (id !== undefined) this.events.applied(id, change.before, change.after);
    }
    if (this.#buffers === 1) this.#resolveFirst();
    // Tick on the buffer nearest each 1/60 s boundary, so ticks come at 60 Hz whatever the buffer size.
    if (applied.length > 0 || now - this.#lastTickAt >= TICK_INTERVAL_MS - periodMs / 2) {
      this.#lastTickAt = now;
      this.events.tick({ ...this.#clock.snapshot(), hostTime: this.epochNow() });
    }
    if (this.#buffers % 200 === 0 || late) this.events.stats({ lateBuffers: this.#lateBuffers, buffers: this.#buffers });
  }

  #fail(error: LoopstageError): void {
    if (this.#failed) return;
    this.#failed = true;
    clearInterval(this.#watchdog);
    this.#calibrator?.abort(error);
    this.#rejectFirst(error);
    this.events.failed(error);
  }
}
