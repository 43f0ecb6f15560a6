/**
 * A WAV, Broadcast WAV or RF64 file placed on the session timeline — a guide track, or a take played
 * back for review — read in the audio process without ever making the audio callback wait.
 *
 * File frame k sounds at timeline sample `start + k`; `start` is given, or the file's bext
 * TimeReference, or 0. The file must be at the session's rate (no resampling here).
 *
 * Reading ahead: the data chunk is read in fixed chunks of `chunkFrames` frames (64–256 KiB reads,
 * about a quarter of a second of audio), decoded to float32 at once, and kept in a ring of slots:
 * chunk k lives in slot k mod slotCount. The ring holds the read-ahead window — from the play
 * position (or the file's first frame, while the play position is still before the file) to
 * `readAheadSeconds` later — plus two spare slots, so memory is fixed when the file is opened,
 * whatever its length. One read is in flight at a time (positional reads on libuv's thread pool);
 * each completed read starts the next until the window is full, and every `mix()` moves the window.
 * A jump (a `mix()` or `prepare()` elsewhere) restarts the read-ahead from the new position; chunks
 * still in memory are kept and used.
 *
 * `mix()` never waits: a chunk not yet in memory plays as silence and its frames are added to
 * `misses`. A read error stops the read-ahead until the next `prepare()` or jump, and rejects a
 * pending `prepare()`; the error stays in `error`.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { decodeFrames, type StoredEncoding } from '../../core/audio/pcm.js';
import { findBext, readWavHead, type WavHead } from '../../core/bwf/read-bwf.js';
import { isLoopstageError, LoopstageError } from '../../core/errors.js';
import type { AudioFileInfo } from '../../engine/ports/take-files.js';

export interface PlacedAudioOptions {
  /** Timeline sample of the file's first sample; by default its bext TimeReference, else 0. */
  readonly start?: number;
  /** The session's sample rate: a file at another rate is refused (PLACED_AUDIO_RATE). */
  readonly sampleRate: number;
  /** Seconds of audio kept read ahead of the play position: 0.5 to 30, default 3. */
  readonly readAheadSeconds?: number;
  /** Bytes per read (rounded down to whole frames): 4 KiB to 1 MiB; by default about 0.25 s of audio within 64–256 KiB. */
  readonly readBytes?: number;
}

const HEAD_READ_BYTES = 64 * 1024;
/** A header (chunks before the samples) larger than this is refused rather than read. */
const MAX_HEAD_BYTES = 64 * 1024 * 1024;
/** How much of what follows the samples is searched for a bext chunk. */
const MAX_TAIL_BYTES = 1024 * 1024;
const DEFAULT_READ_AHEAD_SECONDS = 3;
const DEFAULT_PREPARE_SECONDS = 2;

interface Waiter {
  readonly firstChunk: number;
  readonly lastChunk: number;
  readonly resolve: () => void;
  readonly reject: (error: LoopstageError) => void;
}

const FORMAT_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x0092: 'Dolby AC-3',
  0x2000: 'AC-3',
  0xfffe: 'WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format',
};

function encodingOf(head: WavHead): StoredEncoding | null {
  const bytes = head.bitsPerSample / 8;
  if (head.blockAlign !== head.channels * bytes) return null;
  if (head.sampleFormat === 1) {
    switch (head.bitsPerSample) {
      case 8:
        return 'pcm8';
      case 16:
        return 'pcm16';
      case 24:
        return 'pcm24';
      case 32:
        return 'pcm32';
    }
  }
  if (head.sampleFormat === 3 && head.bitsPerSample === 32) return 'float32';
  return null;
}

function describeFormat(head: WavHead): string {
  if (head.sampleFormat === 1) return `${head.bitsPerSample}-bit PCM (in ${head.blockAlign}-byte frames of ${head.channels} channels)`;
  if (head.sampleFormat === 3) return `${head.bitsPerSample}-bit floating-point`;
  return FORMAT_NAMES[head.sampleFormat] ?? `format 0x${head.sampleFormat.toString(16).padStart(4, '0')}`;
}

/** A file-system failure as a LoopstageError with a sentence that says what happened and what to do. */
function fileError(error: unknown, file: string): LoopstageError {
  if (isLoopstageError(error)) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
  const details = { path: file, errno };
  switch (errno) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new LoopstageError('PLACED_AUDIO_MISSING', `The audio file ${file} is not there; check that its disk is connected and that it was not moved or renamed, then place it again.`, details);
    case 'EISDIR':
      return new LoopstageError('PLACED_AUDIO_FORMAT', `${file} is a folder, not an audio file; choose a WAV file.`, details);
    case 'EACCES':
    case 'EPERM':
      return new LoopstageError('PLACED_AUDIO_READ', `Loopstage may not read the audio file ${file} (${errno}); check the file's permissions.`, details);
    default:
      return new LoopstageError('PLACED_AUDIO_READ', `Reading the audio file ${file} failed (${errno}); check the disk and its connection, then try again.`, details);
  }
}

function checkPosition(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a whole number of samples, not ${value}`);
}

/**
 * Reads a file's header without playing it, exactly as PlacedAudio.open does (`guide add` checks a
 * file with this), so what is accepted there plays.
 */
export async function probePlacedFile(file: string): Promise<AudioFileInfo> {
  const handle = await openForReading(file);
  try {
    const { head, encoding, length, timeReference } = await describe(handle, file);
    return { channels: head.channels, sampleRate: head.sampleRate, bitsPerSample: head.bitsPerSample, float: encoding === 'float32', frames: length, timeReference };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function openForReading(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw fileError(error, file);
  }
}

async function describe(handle: FileHandle, file: string): Promise<{ head: WavHead; encoding: StoredEncoding; length: number; timeReference: number | null }> {
  const fileLength = (await handle.stat()).size;
  const name = path.basename(file);
  const head = await readHead(handle, file, fileLength);
  const encoding = encodingOf(head);
  if (encoding === null) {
    throw new LoopstageError(
      'PLACED_AUDIO_FORMAT',
      `"${name}" holds ${describeFormat(head)} audio, which Loopstage does not play; convert it to 24-bit PCM first, e.g. sox "${name}" -e signed -b 24 converted.wav.`,
      { path: file, formatTag: head.formatTag, sampleFormat: head.sampleFormat, bitsPerSample: head.bitsPerSample, blockAlign: head.blockAlign },
    );
  }
  // The samples present: a RIFF file written as a stream declares 0xFFFFFFFF, one cut short more than it has.
  const available = Math.max(0, fileLength - head.dataOffset);
  const declared = head.container === 'RIFF' && head.dataBytes === 0xffff_ffff ? available : head.dataBytes;
  const dataBytes = Math.min(declared, available);
  let bext = head.bext;
  const tailAt = head.dataOffset + dataBytes + (dataBytes & 1);
  if (!bext && fileLength - tailAt >= 8) bext = await readTailBext(handle, file, tailAt, Math.min(fileLength - tailAt, MAX_TAIL_BYTES));
  return { head, encoding, length: Math.floor(dataBytes / head.blockAlign), timeReference: bext ? bext.timeReference : null };
}

export class PlacedAudio {
  /** Frames of audio that were due in mix() but not yet read (played as silence). */
  #misses = 0;
  #error: LoopstageError | null = null;
  /** After a read error: no reading until the next prepare() or jump. */
  #halted = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #reading: Promise<void> | null = null;

  /** File frame the read-ahead window starts from (may be negative or past the end). */
  #play = 0;
  /** Timeline sample where the next mix() continues without a jump; null before the first. */
  #nextAt: number | null = null;
  /** Chunks from the window's first up to this one are known to be in memory. */
  #scan = 0;
  #waiters: Waiter[] = [];

  readonly #slotChunk: Float64Array;
  readonly #slotReady: Uint8Array;
  readonly #slots: Float32Array[];
  readonly #raw: Buffer;
  #routeFor = -1;
  #route = new Int32Array(0);

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    /** Timeline sample of the file's first frame. */
    readonly start: number,
    /** Frames in the file. */
    readonly length: number,
    readonly channels: number,
    readonly sampleRate: number,
    readonly encoding: StoredEncoding,
    /** The bext TimeReference, or null for a file without one. */
    readonly timeReference: number | null,
    private readonly dataOffset: number,
    private readonly blockAlign: number,
    /** Frames per read. */
    readonly chunkFrames: number,
    /** Frames kept read ahead of the play position. */
    readonly readAheadFrames: number,
  ) {
    const slotCount = Math.ceil(readAheadFrames / chunkFrames) + 2;
    this.#slotChunk = new Float64Array(slotCount).fill(-1);
    this.#slotReady = new Uint8Array(slotCount);
    const all = new Float32Array(slotCount * chunkFrames * channels);
    this.#slots = [];
    for (let s = 0; s < slotCount; s++) this.#slots.push(all.subarray(s * chunkFrames * channels, (s + 1) * chunkFrames * channels));
    this.#raw = Buffer.alloc(chunkFrames * blockAlign);
  }

  /**
   * Opens `file` and reads its header. Throws PLACED_AUDIO_MISSING, PLACED_AUDIO_FORMAT (not a WAV
   * file, damaged, or a format other than 8/16/24/32-bit PCM or 32-bit float), PLACED_AUDIO_RATE
   * or PLACED_AUDIO_READ. Nothing is read ahead until prepare() or mix().
   */
  static async open(file: string, options: PlacedAudioOptions): Promise<PlacedAudio> {
    if (options.start !== undefined) checkPosition('start', options.start);
    const aheadSeconds = options.readAheadSeconds ?? DEFAULT_READ_AHEAD_SECONDS;
    if (!(aheadSeconds >= 0.5 && aheadSeconds <= 30)) throw new RangeError(`readAheadSeconds must be from 0.5 to 30, not ${aheadSeconds}`);
    if (options.readBytes !== undefined && !(options.readBytes >= 4096 && options.readBytes <= 1 << 20)) {
      throw new RangeError(`readBytes must be from 4 KiB to 1 MiB, not ${options.readBytes}`);
    }
    const handle = await openForReading(file);
    try {
      const { head, encoding, length, timeReference } = await describe(handle, file);
      if (head.sampleRate !== options.sampleRate) {
        const name = path.basename(file);
        throw new LoopstageError(
          'PLACED_AUDIO_RATE',
          `"${name}" is at ${head.sampleRate} Hz but the session runs at ${options.sampleRate} Hz, and Loopstage does not resample; convert it first, e.g. sox "${name}" -r ${options.sampleRate} converted.wav.`,
          { path: file, fileRate: head.sampleRate, sessionRate: options.sampleRate },
        );
      }
      const bytesPerSecond = head.sampleRate * head.blockAlign;
      const readBytes = options.readBytes ?? Math.min(256 * 1024, Math.max(64 * 1024, Math.round(bytesPerSecond / 4)));
      const chunkFrames = Math.max(1, Math.floor(readBytes / head.blockAlign));
      return new PlacedAudio(
        file,
        handle,
        options.start ?? timeReference ?? 0,
        length,
        head.channels,
        head.sampleRate,
        encoding,
        timeReference,
        head.dataOffset,
        head.blockAlign,
        chunkFrames,
        Math.round(aheadSeconds * head.sampleRate),
      );
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  get misses(): number {
    return this.#misses;
  }

  /** The last read error, or null. */
  get error(): LoopstageError | null {
    return this.#error;
  }

  /** Timeline sample just past the file's last frame. */
  get end(): number {
    return this.start + this.length;
  }

  /**
   * Moves the read-ahead to timeline sample `from` (on a locate, before a roll) and resolves when
   * the file's audio for the first `seconds` from there is in memory — or at once when that span
   * holds none of the file. While `from` is before the file, its first seconds are read, so a roll
   * that reaches the file later finds them ready. A later prepare() or jump in mix() makes a
   * pending prepare() resolve early; a read error rejects it (PLACED_AUDIO_READ).
   */
  prepare(from: number, seconds = DEFAULT_PREPARE_SECONDS): Promise<void> {
    checkPosition('from', from);
    if (this.#closed) return Promise.resolve();
    this.#locate(from - this.start);
    this.#nextAt = from;
    const [lo, hi] = this.#window(Math.min(this.readAheadFrames, Math.max(0, Math.round(seconds * this.sampleRate))));
    if (lo >= hi) return Promise.resolve();
    const firstChunk = Math.floor(lo / this.chunkFrames);
    const lastChunk = Math.floor((hi - 1) / this.chunkFrames);
    if (this.#allReady(firstChunk, lastChunk)) {
      this.#pump();
      return Promise.resolve();
    }
    const ready = new Promise<void>((resolve, reject) => this.#waiters.push({ firstChunk, lastChunk, resolve, reject }));
    this.#pump();
    return ready;
  }

  /**
   * Adds the file's audio for timeline samples [at, at + frames), times `gain`, into `out`
   * (interleaved float32, `outChannels` per frame, at least frames × outChannels long). Routing: a
   * file with no more channels than the output repeats across it (file channel o mod channels goes
   * to output o: mono to every output, stereo to 1/2, 3/4, …); a file with more channels folds
   * (file channel c goes to output c mod outChannels), summed at unity. Never waits: audio not yet
   * read is silence and counted in `misses`. Returns the frames of the file actually mixed.
   */
  mix(at: number, frames: number, out: Float32Array, outChannels: number, gain = 1): number {
    if (this.#closed) return 0;
    if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`frames must be a whole number of 0 or more, not ${frames}`);
    if (!Number.isInteger(outChannels) || outChannels < 1) throw new RangeError(`outChannels must be 1 or more, not ${outChannels}`);
    if (out.length < frames * outChannels) throw new RangeError(`out holds ${out.length} samples; ${frames} frames of ${outChannels} channels need ${frames * outChannels}`);
    const f0 = at - this.start;
    if (at !== this.#nextAt) {
      checkPosition('at', at);
      this.#locate(f0);
    }
    this.#nextAt = at + frames;
    const F = this.chunkFrames;
    const slotCount = this.#slots.length;
    const hi = Math.min(f0 + frames, this.length);
    let f = Math.max(f0, 0);
    let mixed = 0;
    while (f < hi) {
      const k = Math.floor(f / F);
      const stop = Math.min((k + 1) * F, hi);
      const s = k % slotCount;
      if (this.#slotChunk[s] === k && this.#slotReady[s] === 1) {
        this.#mixSegment(this.#slots[s]!, f - k * F, out, f - f0, stop - f, outChannels, gain);
        mixed += stop - f;
      } else {
        this.#misses += stop - f;
      }
      f = stop;
    }
    this.#play = f0 + frames;
    this.#pump();
    return mixed;
  }

  /** Stops reading (after the read in flight) and closes the file. Pending prepare() calls resolve. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#settleWaiters(null);
    const reading = this.#reading;
    this.#closing = (async () => {
      if (reading) await reading.catch(() => undefined);
      await this.handle.close();
    })();
    return this.#closing;
  }

  // -------------------------------------------------------------------------------------------

  #locate(frame: number): void {
    this.#play = frame;
    this.#scan = 0;
    this.#halted = false;
    this.#settleWaiters(null);
  }

  /** The file frames [lo, hi) the read-ahead wants, at most `frames` of them. */
  #window(frames: number): [number, number] {
    const lo = Math.max(0, this.#play);
    return [lo, Math.min(this.length, lo + frames)];
  }

  #allReady(firstChunk: number, lastChunk: number): boolean {
    const slotCount = this.#slots.length;
    for (let k = firstChunk; k <= lastChunk; k++) {
      const s = k % slotCount;
      if (this.#slotChunk[s] !== k || this.#slotReady[s] !== 1) return false;
    }
    return true;
  }

  /** Starts the next read the window needs, unless one is in flight. */
  #pump(): void {
    if (this.#closed || this.#halted || this.#reading) return;
    const [lo, hi] = this.#window(this.readAheadFrames);
    if (lo >= hi) return;
    const F = this.chunkFrames;
    const slotCount = this.#slots.length;
    const lastChunk = Math.floor((hi - 1) / F);
    let k = Math.max(this.#scan, Math.floor(lo / F));
    while (k <= lastChunk && this.#slotChunk[k % slotCount] === k && this.#slotReady[k % slotCount] === 1) k++;
    this.#scan = k;
    if (k <= lastChunk) this.#read(k);
  }

  #read(k: number): void {
    const s = k % this.#slots.length;
    this.#slotChunk[s] = k;
    this.#slotReady[s] = 0;
    const first = k * this.chunkFrames;
    const frames = Math.min(this.chunkFrames, this.length - first);
    const bytes = frames * this.blockAlign;
    this.#reading = this.handle.read(this.#raw, 0, bytes, this.dataOffset + first * this.blockAlign).then(
      ({ bytesRead }) => {
        this.#reading = null;
        if (this.#closed) return;
        const slot = this.#slots[s]!;
        const decoded = decodeFrames(this.#raw.subarray(0, bytesRead), this.encoding, this.channels, slot);
        // A short read: the file became shorter since it was opened; what is missing is silence.
        if (decoded < frames) slot.fill(0, decoded * this.channels, frames * this.channels);
        this.#slotReady[s] = 1;
        this.#checkWaiters();
        this.#pump();
      },
      (error: unknown) => {
        this.#reading = null;
        this.#slotChunk[s] = -1;
        if (this.#closed) return;
        this.#fail(fileError(error, this.file));
      },
    );
    // Nothing above should throw; if it does, it must not become an unhandled rejection that ends the audio process.
    this.#reading.catch((error: unknown) => {
      this.#reading = null;
      this.#fail(new LoopstageError('PLACED_AUDIO_READ', `Reading the audio file ${this.file} failed (${String(error)}); locate again to retry.`, { path: this.file }));
    });
  }

  #fail(error: LoopstageError): void {
    this.#error = error;
    this.#halted = true;
    this.#settleWaiters(error);
  }

  #checkWaiters(): void {
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (this.#allReady(waiter.firstChunk, waiter.lastChunk)) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  #settleWaiters(error: LoopstageError | null): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /** Output channel per file channel (fold) or file channel per output channel (repeat). */
  #routing(outChannels: number): Int32Array {
    if (this.#routeFor !== outChannels) {
      const channels = this.channels;
      const route = new Int32Array(Math.max(channels, outChannels));
      if (channels <= outChannels) for (let o = 0; o < outChannels; o++) route[o] = o % channels;
      else for (let c = 0; c < channels; c++) route[c] = c % outChannels;
      this.#route = route;
      this.#routeFor = outChannels;
    }
    return this.#route;
  }

  #mixSegment(src: Float32Array, srcFrame: number, out: Float32Array, outFrame: number, frames: number, outChannels: number, gain: number): void {
    const channels = this.channels;
    const route = this.#routing(outChannels);
    let si = srcFrame * channels;
    let oi = outFrame * outChannels;
    if (channels === outChannels) {
      const n = frames * channels;
      for (let i = 0; i < n; i++) out[oi + i]! += src[si + i]! * gain;
    } else if (channels < outChannels) {
      for (let f = 0; f < frames; f++, si += channels, oi += outChannels) {
        for (let o = 0; o < outChannels; o++) out[oi + o]! += src[si + route[o]!]! * gain;
      }
    } else {
      for (let f = 0; f < frames; f++, si += channels, oi += outChannels) {
        for (let c = 0; c < channels; c++) out[oi + route[c]!]! += src[si + c]! * gain;
      }
    }
  }
}

/** Reads the header, reading more of the file while the chunks before the samples need it. */
async function readHead(handle: FileHandle, file: string, fileLength: number): Promise<WavHead> {
  let size = Math.min(HEAD_READ_BYTES, fileLength);
  for (;;) {
    const bytes = Buffer.alloc(size);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(bytes, 0, size, 0));
    } catch (error) {
      throw fileError(error, file);
    }
    let result;
    try {
      result = readWavHead(bytes.subarray(0, bytesRead), bytesRead < size ? bytesRead : fileLength);
    } catch (error) {
      throw formatError(error, file);
    }
    if (result.head) return result.head;
    if (result.needBytes > MAX_HEAD_BYTES) {
      throw new LoopstageError(
        'PLACED_AUDIO_FORMAT',
        `"${path.basename(file)}" has more than ${MAX_HEAD_BYTES >> 20} MiB of other chunks before its samples, which Loopstage does not read through; rewrite it, e.g. sox "${path.basename(file)}" converted.wav.`,
        { path: file, headerBytes: result.needBytes },
      );
    }
    size = Math.min(fileLength, Math.max(result.needBytes, 2 * size));
  }
}

async function readTailBext(handle: FileHandle, file: string, at: number, size: number): Promise<ReturnType<typeof findBext>> {
  const bytes = Buffer.alloc(size);
  try {
    const { bytesRead } = await handle.read(bytes, 0, size, at);
    return findBext(bytes.subarray(0, bytesRead));
  } catch (error) {
    throw fileError(error, file);
  }
}

function formatError(error: unknown, file: string): LoopstageError {
  if (!isLoopstageError(error) || error.code !== 'BWF_MALFORMED') return fileError(error, file);
  const name = path.basename(file);
  const reason = error.message.replace(/\.$/, '');
  if (typeof error.details.magic === 'string') {
    return new LoopstageError('PLACED_AUDIO_FORMAT', `"${name}" is not a WAV file; convert it to one first, e.g. ffmpeg -i "${name}" converted.wav.`, { path: file, ...error.details });
  }
  return new LoopstageError('PLACED_AUDIO_FORMAT', `"${name}" cannot be played because its WAV header is damaged (${reason}); export it again from the program that made it.`, { path: file, reason: error.message, ...error.details });
}
