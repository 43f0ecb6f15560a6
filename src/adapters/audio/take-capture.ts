/**
 * One take being cut from the running stream, inside the audio process.
 *
 * The take holds exactly the timeline samples [start, end) of a roll. Input frame i carries the
 * sound that was played from the output written in the callback of stream frame i − latency, so
 * its timeline sample is the transport position of that earlier frame (StreamHistory). The take
 * starts when that position reaches `start` and ends when it reaches `end`, when the transport
 * stops (plus the latency still in flight), when it jumps (a locate), or when the take is stopped.
 * File sample k therefore is timeline sample start + k: that is the take's TimeReference.
 *
 * The file is written by TakeWriter: samples are queued and written on the thread pool, the header
 * is refreshed and synced every second, so the audio callback never waits for the disk.
 */
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import type { TakeFormat } from '../../core/bwf/bext.js';
import type { TakeCaptureResult, TakeCaptureSpec } from '../../engine/ports/audio-host.js';
import { bytesPerSample, createDither, encodeFrames, type DitherState, type SampleEncoding } from '../../core/audio/pcm.js';
import { TakeWriter, type FlushResult } from '../files/take-writer.js';
import type { StreamHistory } from './stream-history.js';

export type CaptureSpec = TakeCaptureSpec;
export type CaptureResult = TakeCaptureResult;

export interface CaptureEvents {
  flushed(flush: FlushResult): void;
  finished(result: CaptureResult): void;
}

export function takeFormatOf(encoding: SampleEncoding, sampleRate: number, channels: number): TakeFormat {
  return encoding === 'float32'
    ? { sampleRate, channels, bitsPerSample: 32, float: true }
    : { sampleRate, channels, bitsPerSample: encoding === 'pcm16' ? 16 : 24 };
}

export class TakeCapture {
  #state: 'armed' | 'recording' | 'finishing' | 'done' = 'armed';
  #next: number;
  #frames = 0;
  #padded = 0;
  #cut: string | null = null;
  #scratch = new Uint8Array(0);
  readonly #dither: DitherState;
  readonly #frameBytes: number;
  #finished: Promise<CaptureResult> | null = null;

  private constructor(
    readonly spec: CaptureSpec,
    private readonly writer: TakeWriter,
    private readonly streamChannels: number,
    private readonly events: CaptureEvents,
  ) {
    this.#next = spec.start;
    this.#dither = createDither(spec.start | 1);
    this.#frameBytes = bytesPerSample(spec.encoding) * spec.inputChannels.length;
  }

  /** Creates the file and its header (synced) and arms the take; it records when the roll reaches `start`. */
  static async create(spec: CaptureSpec, streamChannels: number, events: CaptureEvents): Promise<TakeCapture> {
    if (!(Number.isSafeInteger(spec.start) && Number.isSafeInteger(spec.end) && spec.end > spec.start && spec.start >= 0)) {
      throw new LoopstageError('TAKE_RANGE_INVALID', `A take covers at least one sample; ${spec.start}…${spec.end} is not a range.`, { start: spec.start, end: spec.end });
    }
    const outside = spec.inputChannels.find((c) => !Number.isInteger(c) || c < 0 || c >= streamChannels);
    if (spec.inputChannels.length === 0 || outside !== undefined) {
      throw new LoopstageError('RECORD_CHANNELS_INVALID', `Input channel ${outside === undefined ? '(none)' : outside + 1} is not open on this interface (it has ${streamChannels} open); choose channels 1–${streamChannels}.`, { channels: spec.inputChannels });
    }
    let capture: TakeCapture | null = null;
    const writer = await TakeWriter.create(spec.path, {
      format: takeFormatOf(spec.encoding, spec.sampleRate, spec.inputChannels.length),
      bext: spec.bext,
      ixmlMeta: spec.ixml,
      onFlush: (flush) => events.flushed(flush),
      onError: () => void capture?.stop(null),
    });
    capture = new TakeCapture(spec, writer, streamChannels, events);
    return capture;
  }

  get state(): 'armed' | 'recording' | 'finishing' | 'done' {
    return this.#state;
  }

  get frames(): number {
    return this.#frames;
  }

  /**
   * An input buffer: `samples` are `frames` interleaved float32 frames of the stream's channels,
   * the first being stream frame `streamFrame`. `history` must already hold the buffer's record.
   */
  input(streamFrame: number, frames: number, samples: Float32Array, history: StreamHistory): void {
    if (this.#state !== 'armed' && this.#state !== 'recording') return;
    const heardFrom = streamFrame - this.spec.latency;
    for (const segment of history.segments(heardFrom, heardFrom + frames)) {
      if (this.#state !== 'armed' && this.#state !== 'recording') return;
      const offset = segment.from - heardFrom;
      const length = segment.to - segment.from;
      if (segment.position === null) {
        if (this.#state === 'recording') this.stop('the transport stopped');
        continue;
      }
      const t0 = segment.position;
      let skip = 0;
      if (this.#state === 'armed') {
        if (t0 + length <= this.spec.start || t0 >= this.spec.end) continue;
        if (t0 > this.spec.start) this.#pad(t0 - this.spec.start);
        else skip = this.spec.start - t0;
        this.#state = 'recording';
      } else if (t0 !== this.#next) {
        this.stop('the transport was located elsewhere');
        return;
      }
      const count = Math.min(length - skip, this.spec.end - this.#next);
      if (count > 0) this.#write(samples, offset + skip, count);
      if (this.#next >= this.spec.end) {
        this.stop(null);
        return;
      }
    }
  }

  /** Ends the take now (or at once if it never started): closes the file; `why` says why it is short. */
  stop(why: string | null): Promise<CaptureResult> {
    if (this.#finished) return this.#finished;
    if (why && this.#next < this.spec.end) this.#cut = this.#state === 'armed' ? `${why} before the take began` : `${why} before the end of the take`;
    this.#state = 'finishing';
    this.#finished = this.#close();
    return this.#finished;
  }

  async #close(): Promise<CaptureResult> {
    let error: CaptureResult['error'] = null;
    let frames: number;
    try {
      frames = (await this.writer.close()).frames;
    } catch (failure) {
      const e = isLoopstageError(failure) ? failure : new LoopstageError('TAKE_WRITE_FAILED', String(failure));
      error = { code: e.code, message: e.message };
      const kept = (e.details as { frames?: unknown } | undefined)?.frames;
      frames = typeof kept === 'number' ? kept : this.writer.stats.flushedFrames;
    }
    this.#state = 'done';
    const result: CaptureResult = { path: this.spec.path, frames, start: this.spec.start, padded: this.#padded, cut: this.#cut, error };
    this.events.finished(result);
    return result;
  }

  #ensureScratch(frames: number): Uint8Array {
    const bytes = frames * this.#frameBytes;
    if (this.#scratch.length < bytes) this.#scratch = new Uint8Array(Math.max(bytes, 2 * this.#scratch.length));
    return this.#scratch;
  }

  #pad(frames: number): void {
    // Zero bytes are silence in every encoding we write.
    const chunk = 4096;
    for (let done = 0; done < frames; done += chunk) {
      const n = Math.min(chunk, frames - done);
      this.#safeWrite(this.#ensureScratch(n).fill(0, 0, n * this.#frameBytes).subarray(0, n * this.#frameBytes), n);
    }
    this.#padded = frames;
  }

  #write(samples: Float32Array, fromFrame: number, frames: number): void {
    const channels = this.streamChannels;
    const slice = samples.subarray(fromFrame * channels, (fromFrame + frames) * channels);
    // Always through the encoder (its float fast path costs ~0.3% of a core at 96 kHz × 32): it
    // turns a NaN or infinity from a misbehaving driver into silence instead of a poisoned file.
    const out = this.#ensureScratch(frames);
    const bytes = encodeFrames(slice, channels, this.spec.inputChannels, this.spec.encoding, out, this.#dither);
    this.#safeWrite(out.subarray(0, bytes), frames);
  }

  #safeWrite(bytes: Uint8Array, frames: number): void {
    try {
      this.writer.write(bytes);
      this.#frames += frames;
      this.#next += frames;
    } catch {
      // The writer failed (its onError already stops the take); nothing more goes to the file.
      void this.stop(null);
    }
  }
}
