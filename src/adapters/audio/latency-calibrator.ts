/**
 * Latency calibration on the open duplex stream: the calibration sweep is written into the output
 * in the callback of a known stream frame p (the first input frame of that callback), the input is
 * recorded from that frame on, and the sweep is found in it by cross-correlation
 * (src/core/calibration). "Heard at input frame h" minus p is the round trip as takes need it: from
 * the callback that writes a sample out to the input frame that hears it, the output queue's depth
 * (our priming) included. It is exactly the offset that maps an input frame back to the callback
 * whose transport position it was played at.
 *
 * A stream's latency can still move just after it opens (PulseAudio, for one, settles its buffers
 * over the first second: measured here, 890 samples and then 1392). So measurements go on until
 * the last `times` agree within a sample, up to a few extra tries.
 */
import { Worker } from 'node:worker_threads';
import { makeCalibrationSignal, measureRoundTrip, summarizeRoundTrips, type RoundTripSummary } from '../../core/calibration/latency.js';
import { LoopstageError } from '../../core/errors.js';
import type { CorrelationReply, CorrelationRequest } from './correlation-worker.js';

const runningFromSource = import.meta.url.endsWith('.ts');
const workerEntry = new URL(`./correlation-worker.${runningFromSource ? 'ts' : 'js'}`, import.meta.url);

/** From the TypeScript sources (tests), a worker needs tsx's loader registered inside it first. */
function startWorker(): Worker {
  if (!runningFromSource) return new Worker(workerEntry);
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerEntry.href)}); })`, { eval: true });
}

export interface CalibrationResult extends RoundTripSummary {
  /** The weakest match's peak-to-next-peak ratio across the measurements. */
  readonly confidence: number;
  /** Level of the sweep as heard, relative to as played (1 = unity), from the last measurement. */
  readonly gain: number;
}

interface Measurement {
  playAt: number | null;
  recorded: Float32Array;
  filled: number;
}

/** Measurements beyond the wanted count allowed while the stream settles. */
const EXTRA_ATTEMPTS = 4;

/** How long to listen for the sweep after it was played: the longest round trip we can measure. */
const MAX_ROUND_TRIP_SECONDS = 1;

export class LatencyCalibrator {
  readonly #signal: Float32Array;
  readonly #listenFrames: number;
  readonly #guard: number;
  #current: Measurement | null = null;
  #results: { roundTrip: number; confidence: number; gain: number }[] = [];
  #wanted = 0;
  #attemptsLeft = 0;
  #settle: { resolve: (result: CalibrationResult) => void; reject: (error: unknown) => void } | null = null;
  #worker: Worker | null = null;
  #nextRequest = 1;
  /** The input the loopback arrives on. */
  #channel = 0;

  constructor(
    sampleRate: number,
    private readonly inputChannels: number,
    private readonly outputChannels: number,
  ) {
    this.#signal = makeCalibrationSignal(sampleRate);
    this.#listenFrames = this.#signal.length + Math.round(sampleRate * MAX_ROUND_TRIP_SECONDS);
    this.#guard = Math.round(sampleRate / 1000);
  }

  get busy(): boolean {
    return this.#settle !== null;
  }

  /** Measures `times` round trips, listening on input `channel` (0-based). */
  measure(times: number, channel = 0): Promise<CalibrationResult> {
    if (this.#settle) return Promise.reject(new LoopstageError('CALIBRATION_BUSY', 'A calibration is already running; wait for it to finish.'));
    if (!Number.isSafeInteger(channel) || channel < 0 || channel >= this.inputChannels) {
      return Promise.reject(new LoopstageError('CALIBRATION_NO_INPUT', `Input ${channel + 1} is not open (${this.inputChannels} open); choose the loopback input among the open ones.`, { channel }));
    }
    this.#channel = channel;
    this.#results = [];
    this.#wanted = times;
    this.#attemptsLeft = times + EXTRA_ATTEMPTS;
    return new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      this.#next();
    });
  }

  /** Called for every output buffer, with the stream frame of its callback: the sweep where it falls (on every output channel), else null. */
  fill(streamFrame: number, frames: number): Float32Array | null {
    const current = this.#current;
    if (!current) return null;
    if (current.playAt !== null && streamFrame >= current.playAt + this.#signal.length) return null;
    const out = new Float32Array(frames * this.outputChannels);
    // Start a measurement at the next buffer boundary, so the whole sweep is written in order.
    current.playAt ??= streamFrame;
    const from = Math.max(streamFrame, current.playAt);
    const to = Math.min(streamFrame + frames, current.playAt + this.#signal.length);
    for (let frame = from; frame < to; frame++) {
      const value = this.#signal[frame - current.playAt]!;
      for (let channel = 0; channel < this.outputChannels; channel++) out[(frame - streamFrame) * this.outputChannels + channel] = value;
    }
    return out;
  }

  /** Called for every input buffer with the stream frame of its first frame. */
  input(streamFrame: number, view: Float32Array | null): void {
    const current = this.#current;
    if (!current || current.playAt === null || !view) return;
    const frames = view.length / this.inputChannels;
    for (let i = 0; i < frames; i++) {
      const at = streamFrame + i - current.playAt;
      if (at >= 0 && at < current.recorded.length) {
        current.recorded[at] = view[i * this.inputChannels + this.#channel]!;
        current.filled = Math.max(current.filled, at + 1);
      }
    }
    if (current.filled >= current.recorded.length) this.#finishMeasurement(current);
  }

  /** The stream stopped or was closed: a calibration in progress cannot finish. */
  abort(error: unknown): void {
    const settle = this.#settle;
    this.#current = null;
    this.#settle = null;
    this.#stopWorker();
    settle?.reject(error);
  }

  #stopWorker(): void {
    void this.#worker?.terminate();
    this.#worker = null;
  }

  /** The correlation runs on a worker thread, so the audio loop keeps feeding the output meanwhile. */
  #correlate(recorded: Float32Array): Promise<CorrelationReply> {
    const worker = (this.#worker ??= startWorker());
    const id = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      const onMessage = (reply: CorrelationReply): void => {
        if (reply.id !== id) return;
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(reply);
      };
      const onError = (error: Error): void => {
        worker.off('message', onMessage);
        reject(new LoopstageError('CALIBRATION_FAILED', `The latency measurement failed (${error.message}); calibrate again.`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      const request: CorrelationRequest = { id, recorded, signal: this.#signal, options: { minGuard: this.#guard } };
      worker.postMessage(request, [recorded.buffer as ArrayBuffer]);
    });
  }

  #next(): void {
    this.#current = { playAt: null, recorded: new Float32Array(this.#listenFrames), filled: 0 };
  }

  #finishMeasurement(current: Measurement): void {
    this.#current = null;
    const settle = this.#settle;
    // Within a millisecond of the peak is the same arrival smeared by the path's filters, not an echo.
    this.#correlate(current.recorded).then(
      (reply) => {
        if (this.#settle !== settle || !settle) return; // aborted meanwhile
        this.#measured(current, reply);
      },
      (error: unknown) => this.abort(error),
    );
  }

  #measured(current: Measurement, reply: CorrelationReply): void {
    try {
      if (!reply.ok) throw new LoopstageError(reply.code, reply.message, reply.details);
      const match = reply;
      const roundTrip = measureRoundTrip(current.playAt!, { recordingStart: current.playAt!, offset: match.offset });
      this.#results.push({ roundTrip, confidence: match.confidence, gain: match.gain });
      this.#attemptsLeft--;
      const last = this.#results.slice(-this.#wanted);
      const settled = last.length === this.#wanted && Math.max(...last.map((r) => r.roundTrip)) - Math.min(...last.map((r) => r.roundTrip)) <= 1;
      if (!settled && this.#attemptsLeft > 0) {
        this.#next();
        return;
      }
      // Settled, or out of attempts: summarizeRoundTrips refuses a set that does not agree.
      const summary = summarizeRoundTrips(last.map((r) => r.roundTrip));
      const settle = this.#settle!;
      this.#settle = null;
      this.#stopWorker();
      settle.resolve({
        ...summary,
        confidence: Math.min(...last.map((r) => r.confidence)),
        gain: last.at(-1)!.gain,
      });
    } catch (error) {
      // While the stream settles a measurement can hear the sweep twice (a buffer repeated) or miss
      // it (one dropped): try again. Never hearing it at all means nothing routes output to input.
      const code = error instanceof LoopstageError ? error.code : '';
      const transient = code === 'CALIBRATION_AMBIGUOUS' || (code === 'CALIBRATION_NOT_FOUND' && this.#results.length > 0);
      if (transient && --this.#attemptsLeft > 0) {
        this.#next();
        return;
      }
      this.abort(error);
    }
  }
}
