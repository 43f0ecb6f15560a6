/**
 * Runs the session clock inside the audio process: counts the frames a FrameSource delivers, applies
 * transport commands on buffer boundaries, publishes ticks at 60 Hz, counts late buffers and notices
 * a stream that stops delivering. It is the only place positions advance.
 *
 * Around the clock, per buffer: the stream history (where each buffer was on the timeline), the take
 * being cut from the input, the meters, and the output program (beeps, guide, review, monitoring)
 * rendered from the same position the buffer was given.
 */
import { LoopstageError } from '../../core/errors.js';
import { TransportClock, type TransportCommand, type TransportSnapshot } from '../../core/transport/transport-clock.js';
import type { AudioStreamConfig, ClockTick } from '../../engine/ports/audio-host.js';
import type { FrameSource } from './frame-sources.js';
import { LatencyCalibrator, type CalibrationResult } from './latency-calibrator.js';
import { StreamHistory } from './stream-history.js';
import { TakeCapture, type CaptureResult, type CaptureSpec } from './take-capture.js';
import { OutputProgram, type ProgramSpec } from './output-program.js';
import { MeterAccumulator, type MeterReading } from '../../core/audio/meters.js';
import type { FlushResult } from '../files/take-writer.js';

export interface ClockRunnerEvents {
  tick(tick: ClockTick): void;
  applied(id: number, before: TransportSnapshot, after: TransportSnapshot): void;
  /** The transport changed by itself (a roll reached its end). */
  changed(after: TransportSnapshot): void;
  stats(stats: { lateBuffers: number; buffers: number; guideMisses: number }): void;
  meters(reading: MeterReading): void;
  takeFlushed(id: number, flush: FlushResult): void;
  takeFinished(id: number, result: CaptureResult): void;
  failed(error: LoopstageError): void;
}

/** Meter readings per second sent to the engine. */
const METER_INTERVAL_MS = 1000 / 30;

const TICK_INTERVAL_MS = 1000 / 60;
/** A stream that delivers nothing for this long is reported as stalled (a device unplugged, a hung driver). */
export const STALL_AFTER_MS = 2000;
const WATCHDOG_INTERVAL_MS = 250;
/** A watchdog check this much later than its interval means this process itself was not running. */
const WATCHDOG_LATE_MS = 500;
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
  /** Measurements under way: the output plays only the calibrator's sweep meanwhile. */
  #calibrating = 0;
  readonly #history = new StreamHistory();
  readonly #meters: MeterAccumulator;
  readonly #program: OutputProgram;
  #capture: { id: number; capture: TakeCapture } | null = null;
  #lastMetersAt = -Infinity;
  /** The last input buffer, for the output written in the same callback. */
  #last: { streamFrame: number; position: number | null; view: Float32Array | null } = { streamFrame: 0, position: null, view: null };

  constructor(
    private readonly source: FrameSource,
    private readonly config: AudioStreamConfig,
    private readonly events: ClockRunnerEvents,
    private readonly now: () => number = () => performance.now(),
    private readonly epochNow: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    this.#clock = new TransportClock(config.startPosition);
    this.#calibrator = source.clockSource === 'audio-device' ? new LatencyCalibrator(config.sampleRate, config.inputChannels, config.outputChannels) : null;
    this.#meters = new MeterAccumulator(config.inputChannels);
    this.#program = new OutputProgram(config.sampleRate, config.inputChannels, config.outputChannels);
    this.#firstBuffer = new Promise((resolve, reject) => {
      this.#resolveFirst = resolve;
      this.#rejectFirst = reject;
    });
  }

  /** Starts the source; resolves when the first buffer arrives, rejects if none comes. */
  start(): Promise<void> {
    const openedAt = this.now();
    let lastCheckAt = openedAt;
    let resumedAt = openedAt;
    this.source.start(
      (frames, samples) => this.#onBuffer(frames, samples),
      (error) => this.#fail(error),
      (streamFrame, frames) => this.#fill(streamFrame, frames),
    );
    this.#watchdog = setInterval(() => {
      const now = this.now();
      // When this check itself comes late, this process was not running (starved of CPU, paused):
      // buffers the interface delivered meanwhile are still queued behind this timer, so the gap
      // says nothing about the interface. Judge it again from now.
      const checkLate = now - lastCheckAt > WATCHDOG_INTERVAL_MS + WATCHDOG_LATE_MS;
      lastCheckAt = now;
      if (checkLate) {
        resumedAt = now;
        return;
      }
      if (this.#lastBufferAt === null) {
        if (now - resumedAt > FIRST_BUFFER_WITHIN_MS) {
          this.#fail(new LoopstageError(
            'AUDIO_STREAM_SILENT',
            `The audio devices "${this.config.input}" / "${this.config.output}" opened but delivered no audio within ${FIRST_BUFFER_WITHIN_MS / 1000} s; check the interface is on and not used by another program, or choose other devices.`,
          ));
        }
      } else if (now - Math.max(this.#lastBufferAt, resumedAt) > STALL_AFTER_MS) {
        this.#fail(new LoopstageError(
          'AUDIO_STREAM_STALLED',
          `The audio interface stopped delivering audio (${Math.round(now - this.#lastBufferAt)} ms without a buffer); check it is still connected, then reopen it.`,
        ));
      }
    }, WATCHDOG_INTERVAL_MS);
    return this.#firstBuffer;
  }

  command(id: number, command: TransportCommand): void {
    this.#clock.enqueue(command);
    this.#pendingIds.push(id);
  }

  snapshot(): TransportSnapshot {
    return this.#clock.snapshot();
  }

  /** Measures the round-trip latency of this open stream `times` times on input `channel` (see LatencyCalibrator). */
  calibrate(times = 3, channel = 0): Promise<CalibrationResult> {
    if (!this.#calibrator) {
      return Promise.reject(new LoopstageError('CALIBRATION_NO_INTERFACE', 'The software clock has no input or output to measure; choose an audio interface, patch its output to its input, and calibrate again.'));
    }
    // Only the sweep may reach the output while it is measured: input monitoring, guide or beeps
    // left running would come back as a second arrival (CALIBRATION_AMBIGUOUS) or feed back.
    this.#calibrating++;
    return this.#calibrator.measure(times, channel).finally(() => this.#calibrating--);
  }

  /** Loads what the output plays from now on; resolves when its files are read ahead and ready. */
  loadProgram(spec: ProgramSpec): Promise<void> {
    return this.#program.load(spec);
  }

  /** Which of the program's takes sounds (A/B compare); the next callback plays it. */
  listen(index: number): void {
    this.#program.listen(index);
  }

  /**
   * Creates a take's file and arms it: it records when the roll reaches its start (see TakeCapture).
   * Only one take at a time; the software clock has no input to record.
   */
  async armTake(id: number, spec: CaptureSpec): Promise<void> {
    if (this.source.clockSource !== 'audio-device') {
      throw new LoopstageError('RECORD_NO_INPUT', 'The software clock has no inputs to record from; choose your audio interface under Audio devices.');
    }
    if (this.#capture && this.#capture.capture.state !== 'done') {
      throw new LoopstageError('RECORD_BUSY', 'A take is already being recorded; stop it before arming another.');
    }
    const capture = await TakeCapture.create(spec, this.config.inputChannels, {
      flushed: (flush) => this.events.takeFlushed(id, flush),
      finished: (result) => this.events.takeFinished(id, result),
    });
    this.#capture = { id, capture };
  }

  /** Ends the take now, keeping what was recorded; resolves once the file is closed. */
  async stopTake(why: string | null): Promise<CaptureResult | null> {
    const current = this.#capture;
    if (!current) return null;
    return current.capture.stop(why);
  }

  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    this.#calibrator?.abort(new LoopstageError('CALIBRATION_INTERRUPTED', 'The audio stream closed during calibration; calibrate again once it is open.'));
    await this.source.close();
    await this.#capture?.capture.stop('the audio stream was closed');
    await this.#program.close();
  }

  #fill(streamFrame: number, frames: number): Float32Array | null {
    // The output of a callback is rendered from the position its input buffer was given.
    const same = this.#last.streamFrame === streamFrame;
    const out = this.#calibrator?.fill(streamFrame, frames) ?? null;
    if (this.#calibrating > 0) return out;
    return this.#program.render(same ? this.#last.position : null, frames, same ? this.#last.view : null, out);
  }

  #onBuffer(frames: number, samples: Buffer | null = null): void {
    if (this.#failed) return;
    const streamFrame = this.#clock.snapshot().streamFrame;
    const view = samples ? floatView(samples) : null;
    const now = this.now();
    const periodMs = (this.config.framesPerBuffer / this.config.sampleRate) * 1000;
    const late = this.#lastBufferAt !== null && now - this.#lastBufferAt > 3 * periodMs + 5;
    if (late) this.#lateBuffers++;
    this.#lastBufferAt = now;
    this.#buffers++;
    const applied = this.#clock.advance(frames);
    const after = this.#clock.snapshot();
    const rolling = after.state === 'rolling';
    const position = rolling ? after.position - frames : null;
    this.#history.push({ streamFrame, frames, position: position ?? after.position, rolling });
    this.#last = { streamFrame, position, view };
    this.#calibrator?.input(streamFrame, view);
    if (view) {
      this.#capture?.capture.input(streamFrame, frames, view, this.#history);
      this.#meters.add(view, frames, this.config.inputChannels);
      if (now - this.#lastMetersAt >= METER_INTERVAL_MS) {
        this.#lastMetersAt = now;
        this.events.meters(this.#meters.take());
      }
    }
    for (const change of applied) {
      if (change.auto) {
        this.events.changed(change.after);
        continue;
      }
      const id = this.#pendingIds.shift();
      if (id !== undefined) this.events.applied(id, change.before, change.after);
    }
    if (this.#buffers === 1) this.#resolveFirst();
    // Tick on the buffer nearest each 1/60 s boundary, so ticks come at 60 Hz whatever the buffer size.
    if (applied.length > 0 || now - this.#lastTickAt >= TICK_INTERVAL_MS - periodMs / 2) {
      this.#lastTickAt = now;
      this.events.tick({ ...this.#clock.snapshot(), hostTime: this.epochNow() });
    }
    if (this.#buffers % 200 === 0 || late) this.events.stats({ lateBuffers: this.#lateBuffers, buffers: this.#buffers, guideMisses: this.#program.misses });
  }

  #fail(error: LoopstageError): void {
    if (this.#failed) return;
    this.#failed = true;
    clearInterval(this.#watchdog);
    this.#calibrator?.abort(error);
    void this.#capture?.capture.stop('the audio interface failed');
    this.#rejectFirst(error);
    this.events.failed(error);
  }
}

/** The buffer's samples as float32 without a copy when aligned (naudiodon's buffers are). */
function floatView(samples: Buffer): Float32Array {
  if (samples.byteOffset % 4 === 0) return new Float32Array(samples.buffer, samples.byteOffset, samples.length >> 2);
  return new Float32Array(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.length));
}
