/**
 * Writes one take as a Broadcast WAV file (DESIGN §5), streamed under its final name.
 *
 * - The file is created with exclusive creation (`wx`): an existing file is never replaced
 *   (TAKE_FILE_EXISTS), and the folder entry is synced so the name survives a power cut.
 * - `write()` only copies the samples into a queue and returns; one write loop appends them with
 *   positional writes on libuv's thread pool, so the caller (the engine) never waits for the disk.
 * - `flush()` — run by a timer at least once a second — syncs the samples written so far
 *   (fdatasync), then patches the header sizes to them and syncs again. A crash or power cut at any
 *   moment leaves a file that plays up to the last flush; `repairTake` then recovers the rest.
 * - Past `rf64Threshold` bytes (4 GiB by default) the next flush turns the header into RF64 in
 *   place: RIFF → RF64, the reserved JUNK → ds64, 32-bit sizes → 0xFFFFFFFF.
 * - Disk errors (a full disk above all) become LoopstageErrors with a sentence for the user; the
 *   file is cut to whole frames and its header describes exactly what is on disk, so it plays.
 *
 * `updateMetadata()` rewrites a take's iXML in its reserved place, same length, never touching
 * the samples.
 */
import { constants as fsConstants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  buildBext,
  buildWavHeader,
  checkFormat,
  RIFF_MAX_FILE_BYTES,
  scanWavHeader,
  sizePatches,
  type BextFields,
  type ScannedWav,
  type TakeFormat,
  type WavLayout,
} from '../../core/bwf/bext.js';
import { buildIxml, ixmlReserveFor, parseIxml, utf8Decode, type TakeIxml } from '../../core/bwf/ixml.js';
import { isLoopstageError, LoopstageError } from '../../core/errors.js';
import { SerialQueue } from '../../core/serial-queue.js';

export interface TakeWriterOptions {
  readonly format: TakeFormat;
  /** `timeReference`: the timeline sample of the take's first sample, after latency compensation. */
  readonly bext: BextFields;
  /** The take's iXML; `tracks` must name every channel, `timestamp` must equal bext.timeReference; sample rate and bit depth are taken from `format`. */
  readonly ixmlMeta: TakeIxml;
  /** Bytes kept for the iXML chunk; by default its XML + 4 KiB, at least 8 KiB. */
  readonly ixmlReserve?: number;
  /** File length in bytes past which the file is written as RF64. Default: 4 GiB − 1. */
  readonly rf64Threshold?: number;
  /** How often the header is refreshed and synced, in ms: 1 to 1000, default 1000. */
  readonly flushIntervalMs?: number;
  /** Samples waiting for the disk beyond this many bytes stop the take (TAKE_DISK_TOO_SLOW). Default 256 MiB. */
  readonly maxQueuedBytes?: number;
  /** Told of a failure as soon as it happens (write() and close() throw it as well). */
  readonly onError?: (error: LoopstageError) => void;
  /** Told after every flush. */
  readonly onFlush?: (flush: FlushResult) => void;
}

export interface FlushResult {
  /** Frames the header now describes (all of them synced to disk). */
  readonly frames: number;
  readonly dataBytes: number;
  readonly rf64: boolean;
  /** How long the flush took (two fdatasyncs and the header writes), in ms. */
  readonly ms: number;
}

export interface TakeFileInfo {
  readonly path: string;
  readonly frames: number;
  readonly dataBytes: number;
  readonly fileBytes: number;
  readonly rf64: boolean;
}

const CHUNK_BYTES = 1 << 20;
const HEADER_SCAN_BYTES = 1 << 20;

interface QueueChunk {
  readonly buf: Buffer;
  fill: number;
  sealed: boolean;
}

function seconds(frames: number, sampleRate: number): string {
  return (frames / sampleRate).toFixed(1);
}

/** A file-system error as a LoopstageError with a sentence that says what happened and what to do. */
export function takeFileError(error: unknown, file: string, context: { recordedFrames?: number; sampleRate?: number } = {}): LoopstageError {
  if (isLoopstageError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
  const name = path.basename(file);
  const kept =
    context.recordedFrames !== undefined && context.sampleRate !== undefined
      ? ` The take "${name}" stopped after ${seconds(context.recordedFrames, context.sampleRate)} s; what was recorded until then is saved and plays.`
      : '';
  const details = { path: file, errno: code, ...(context.recordedFrames !== undefined ? { frames: context.recordedFrames } : {}) };
  switch (code) {
    case 'ENOSPC':
      return new LoopstageError('TAKE_DISK_FULL', `The disk is full.${kept} Free some space or choose another folder for takes, then record again.`, details);
    case 'EDQUOT':
      return new LoopstageError('TAKE_DISK_FULL', `Your disk quota is used up.${kept} Free some space or choose another folder for takes, then record again.`, details);
    case 'EEXIST':
      return new LoopstageError('TAKE_FILE_EXISTS', `A file named "${name}" is already in the takes folder; Loopstage never records over a file. Choose another name.`, details);
    case 'ENOENT':
    case 'ENOTDIR':
      return new LoopstageError('TAKE_FOLDER_MISSING', `The folder for takes (${path.dirname(file)}) does not exist; check that its disk is connected, or choose another folder.`, details);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new LoopstageError('TAKE_FOLDER_NOT_WRITABLE', `Loopstage may not write in ${path.dirname(file)} (${code}).${kept} Check the folder's permissions or that the disk is not read-only, or choose another folder.`, details);
    case 'ENAMETOOLONG':
      return new LoopstageError('TAKE_NAME_TOO_LONG', `The take name "${name}" is too long for this disk; shorten the take name template.`, details);
    case 'EIO':
      return new LoopstageError('TAKE_WRITE_FAILED', `The disk reported an input/output error.${kept} Check the drive and its connection before recording again.`, details);
    default:
      return new LoopstageError('TAKE_WRITE_FAILED', `Writing the take "${name}" failed (${code}).${kept} Check the disk, then record again.`, details);
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number, landed?: (n: number) => void): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += bytesWritten;
    landed?.(bytesWritten);
  }
}

async function syncFolder(folder: string): Promise<void> {
  let dir: FileHandle | undefined;
  try {
    dir = await open(folder, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
    await dir.sync();
  } catch {
    // Some file systems (SMB, some FUSE) cannot sync a folder; the file's own syncs still hold.
  } finally {
    await dir?.close().catch(() => undefined);
  }
}

export class TakeWriter {
  private readonly chunks: QueueChunk[] = [];
  private readonly spare: Buffer[] = [];
  private queuedBytes = 0;
  private acceptedBytes = 0;
  /** Sample bytes in the file (may end in a partial frame only after a failed write). */
  private writtenBytes = 0;
  private flushedBytes = 0;
  private pumping: Promise<void> | null = null;
  /** flush() calls waiting for the samples queued before them to reach the file. */
  private landedWaiters: Array<{ target: number; resolve: () => void }> = [];
  private readonly headerQueue = new SerialQueue();
  private rf64 = false;
  private failure: LoopstageError | null = null;
  private ioBroken = false;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<TakeFileInfo> | null = null;
  private readonly timer: NodeJS.Timeout;
  private timerFlush: Promise<unknown> | null = null;
  private readonly blockAlign: number;
  private readonly threshold: number;
  private readonly maxQueued: number;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly layout: WavLayout,
    private readonly options: TakeWriterOptions,
  ) {
    this.blockAlign = layout.blockAlign;
    this.threshold = options.rf64Threshold ?? RIFF_MAX_FILE_BYTES;
    this.maxQueued = options.maxQueuedBytes ?? 256 * 1024 * 1024;
    const interval = options.flushIntervalMs ?? 1000;
    this.timer = setInterval(() => {
      if (this.timerFlush) return; // a slow disk: never pile flushes up
      this.timerFlush = this.flush()
        .catch(() => undefined) // failures reach onError, write() and close()
        .finally(() => (this.timerFlush = null));
    }, interval);
    this.timer.unref();
  }

  /** Creates the take file (never over an existing one) and writes its header. */
  static async create(file: string, options: TakeWriterOptions): Promise<TakeWriter> {
    const { format, ixmlMeta, bext } = options;
    checkFormat(format);
    if (ixmlMeta.tracks.length !== format.channels) {
      throw new LoopstageError('TAKE_TRACKS_MISMATCH', `The take has ${format.channels} channels but ${ixmlMeta.tracks.length} track names; name every channel.`, { channels: format.channels, tracks: ixmlMeta.tracks.length });
    }
    if (ixmlMeta.timestamp !== bext.timeReference) {
      throw new LoopstageError('TAKE_METADATA_MISMATCH', `The iXML start (${ixmlMeta.timestamp}) and the bext TimeReference (${bext.timeReference}) of a take must be the same sample.`, { ixml: ixmlMeta.timestamp, bext: bext.timeReference });
    }
    const interval = options.flushIntervalMs ?? 1000;
    if (!(interval >= 1 && interval <= 1000)) {
      throw new LoopstageError('TAKE_OPTIONS_INVALID', `The header of a take is refreshed at least once a second; ${interval} ms is not allowed.`, { flushIntervalMs: interval });
    }
    const meta: TakeIxml = { ...ixmlMeta, sampleRate: format.sampleRate, bitsPerSample: format.bitsPerSample };
    const ixml = buildIxml(meta, options.ixmlReserve ?? ixmlReserveFor(meta));
    const header = buildWavHeader(format, buildBext(bext), ixml);
    if (options.rf64Threshold !== undefined && !(options.rf64Threshold > header.layout.dataOffset && options.rf64Threshold <= RIFF_MAX_FILE_BYTES)) {
      throw new LoopstageError('TAKE_OPTIONS_INVALID', `The RF64 threshold must lie between the header size and 4 GiB, not ${options.rf64Threshold}.`, { rf64Threshold: options.rf64Threshold });
    }

    let handle: FileHandle;
    try {
      handle = await open(file, 'wx');
    } catch (error) {
      throw takeFileError(error, file);
    }
    try {
      await writeAll(handle, header.bytes, 0);
      await handle.datasync();
      await syncFolder(path.dirname(file));
    } catch (error) {
      // The file is ours and holds no audio: remove it rather than leave a broken header behind.
      await handle.close().catch(() => undefined);
      await unlink(file).catch(() => undefined);
      throw takeFileError(error, file);
    }
    return new TakeWriter(file, handle, header.layout, options);
  }

  /** Frames accepted, written to the file, and described by the synced header. */
  get stats(): { acceptedFrames: number; writtenFrames: number; flushedFrames: number; queuedBytes: number; rf64: boolean } {
    return {
      acceptedFrames: this.acceptedBytes / this.blockAlign,
      writtenFrames: Math.floor(this.writtenBytes / this.blockAlign),
      flushedFrames: this.flushedBytes / this.blockAlign,
      queuedBytes: this.queuedBytes,
      rf64: this.rf64,
    };
  }

  /**
   * Queues interleaved frames, already in the file's sample format (little-endian), for the file.
   * Copies them and returns at once. Throws the take's failure once there is one.
   */
  write(samples: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new LoopstageError('TAKE_WRITER_CLOSED', `The take "${path.basename(this.path)}" is already closed; start a new take to record more.`, { path: this.path });
    if (samples.length % this.blockAlign !== 0) {
      throw new LoopstageError('TAKE_PARTIAL_FRAME', `Samples reach the take writer in whole frames of ${this.blockAlign} bytes; got ${samples.length} bytes.`, { bytes: samples.length, blockAlign: this.blockAlign });
    }
    if (this.queuedBytes + samples.length > this.maxQueued) {
      const frames = this.acceptedBytes / this.blockAlign;
      this.fail(
        new LoopstageError(
          'TAKE_DISK_TOO_SLOW',
          `The disk could not keep up: ${Math.round(this.queuedBytes / 1048576)} MiB of samples were waiting for it. The take "${path.basename(this.path)}" stopped after ${seconds(frames, this.layout.sampleRate)} s; what was recorded until then is saved and plays. Record to a faster disk.`,
          { path: this.path, frames },
        ),
      );
      throw this.failure;
    }
    let from = 0;
    while (from < samples.length) {
      let last = this.chunks[this.chunks.length - 1];
      if (!last || last.sealed || last.fill === last.buf.length) {
        last = { buf: this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES), fill: 0, sealed: false };
        this.chunks.push(last);
      }
      const n = Math.min(samples.length - from, last.buf.length - last.fill);
      last.buf.set(samples.subarray(from, from + n), last.fill);
      last.fill += n;
      from += n;
    }
    this.queuedBytes += samples.length;
    this.acceptedBytes += samples.length;
    this.pumping ??= this.pump();
  }

  private async pump(): Promise<void> {
    try {
      while (this.chunks.length > 0 && !this.ioBroken) {
        const chunk = this.chunks[0];
        if (!chunk) break;
        chunk.sealed = true;
        const bytes = chunk.buf.subarray(0, chunk.fill);
        await writeAll(this.handle, bytes, this.layout.dataOffset + this.writtenBytes, (n) => (this.writtenBytes += n));
        this.chunks.shift();
        this.queuedBytes -= bytes.length;
        if (this.spare.length < 4) this.spare.push(chunk.buf);
        this.wakeLanded();
      }
    } catch (error) {
      await this.failIo(error);
    } finally {
      this.pumping = null;
      this.wakeLanded();
    }
  }

  private wakeLanded(): void {
    const idle = this.chunks.length === 0 || this.ioBroken;
    this.landedWaiters = this.landedWaiters.filter((waiter) => {
      if (!idle && this.writtenBytes < waiter.target) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Resolves once the first `target` sample bytes are in the file (or nothing more will be written). */
  private landed(target: number): Promise<void> {
    if (this.writtenBytes >= target || this.ioBroken || (this.chunks.length === 0 && !this.pumping)) return Promise.resolve();
    return new Promise((resolve) => this.landedWaiters.push({ target, resolve }));
  }

  /** Waits until every queued sample is in the file (or the writer failed). */
  private async drain(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private fail(error: LoopstageError): void {
    if (this.failure) return;
    this.failure = error;
    this.options.onError?.(error);
  }

  /** Header writes and syncs run one at a time. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    return this.headerQueue.run(task);
  }

  private async patchSizes(dataBytes: number, padByte: boolean): Promise<void> {
    const riffEnd = this.layout.dataOffset + dataBytes + (padByte ? 1 : 0);
    const rf64 = this.rf64 || riffEnd > this.threshold;
    for (const patch of sizePatches(this.layout, { dataBytes, riffEnd, rf64 })) {
      await writeAll(this.handle, patch.bytes, patch.offset);
    }
    this.rf64 = rf64;
  }

  /** After a failed write: cut the file to whole frames, make the header say so, sync. */
  private async failIo(error: unknown): Promise<void> {
    if (this.ioBroken) return;
    this.ioBroken = true;
    const whole = Math.floor(this.writtenBytes / this.blockAlign) * this.blockAlign;
    this.fail(takeFileError(error, this.path, { recordedFrames: whole / this.blockAlign, sampleRate: this.layout.sampleRate }));
    await this.serial(async () => {
      try {
        if (whole !== this.writtenBytes) await this.handle.truncate(this.layout.dataOffset + whole);
        this.writtenBytes = whole;
        await this.patchSizes(whole, false);
        await this.handle.datasync();
        this.flushedBytes = whole;
      } catch {
        // The header still describes the last flush, which is on disk: the file plays to there.
      }
    });
  }

  /**
   * Makes the header describe every sample queued before the call, durably: waits for them to
   * reach the file, then fdatasync (the samples), the size patches (RF64 once past the threshold),
   * fdatasync (the header). Safe to call at any time; the timer calls it.
   */
  async flush(): Promise<FlushResult> {
    await this.landed(this.acceptedBytes);
    return this.serial(async () => {
      if (this.failure && this.ioBroken) throw this.failure;
      if (this.state === 'closed') throw new LoopstageError('TAKE_WRITER_CLOSED', 'The take is already closed.', { path: this.path });
      const started = performance.now();
      const dataBytes = Math.floor(this.writtenBytes / this.blockAlign) * this.blockAlign;
      try {
        await this.handle.datasync();
        await this.patchSizes(dataBytes, false);
        await this.handle.datasync();
      } catch (error) {
        void this.failIo(error); // sets this.failure at once; its header repair runs after this task
        throw this.failure ?? takeFileError(error, this.path);
      }
      this.flushedBytes = dataBytes;
      const result: FlushResult = { frames: dataBytes / this.blockAlign, dataBytes, rf64: this.rf64, ms: performance.now() - started };
      this.options.onFlush?.(result);
      return result;
    });
  }

  /**
   * Writes every queued sample, the final sizes (and the RIFF pad byte after an odd-sized data
   * chunk), fsyncs and closes. Rejects with the take's failure if it had one — the file is then
   * still playable up to `error.details.frames`.
   */
  close(): Promise<TakeFileInfo> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<TakeFileInfo> {
    this.state = 'closing';
    clearInterval(this.timer);
    await this.drain();
    const dataBytes = Math.floor(this.writtenBytes / this.blockAlign) * this.blockAlign;
    const pad = (dataBytes & 1) === 1;
    await this.serial(async () => {
      if (this.ioBroken) return;
      try {
        if (pad) await writeAll(this.handle, new Uint8Array(1), this.layout.dataOffset + dataBytes);
        await this.patchSizes(dataBytes, pad);
        await this.handle.sync();
        this.flushedBytes = dataBytes;
      } catch (error) {
        this.fail(takeFileError(error, this.path, { recordedFrames: this.flushedBytes / this.blockAlign, sampleRate: this.layout.sampleRate }));
      }
    });
    await this.handle.close().catch(() => undefined);
    this.state = 'closed';
    if (this.failure) throw this.failure;
    return {
      path: this.path,
      frames: dataBytes / this.blockAlign,
      dataBytes,
      fileBytes: this.layout.dataOffset + dataBytes + (pad ? 1 : 0),
      rf64: this.rf64,
    };
  }
}

// ---------------------------------------------------------------------------------------------

/** Opens a take and reads its header for an in-place change; TAKE_UNREADABLE when it has none. */
export async function readTakeHeader(handle: FileHandle, file: string): Promise<{ scan: ScannedWav; size: number }> {
  const { size } = await handle.stat();
  const head = Buffer.alloc(Math.min(size, HEADER_SCAN_BYTES));
  let got = 0;
  while (got < head.length) {
    const { bytesRead } = await handle.read(head, got, head.length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  try {
    return { scan: scanWavHeader(head.subarray(0, got), size), size };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LoopstageError('TAKE_UNREADABLE', `"${path.basename(file)}" has no WAV header Loopstage can read (${reason}). It was left as it is.`, { path: file });
  }
}

/** Opens an existing take file; TAKE_FILE_MISSING when it is gone. */
export async function openTakeFile(file: string, flags: string): Promise<FileHandle> {
  try {
    return await open(file, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LoopstageError('TAKE_FILE_MISSING', `The take file ${file} is not there any more; it was moved or deleted.`, { path: file });
    throw takeFileError(error, file);
  }
}

/**
 * Rewrites the iXML of a take in place — same offset, same length — and never touches its
 * samples. `update` is the new metadata, or a function of the metadata the file holds now.
 * IXML_NO_ROOM when the new XML does not fit the chunk (the file is then unchanged);
 * TAKE_NO_IXML for a file without an iXML chunk before its samples.
 */
export async function updateMetadata(file: string, update: TakeIxml | ((current: TakeIxml) => TakeIxml)): Promise<TakeIxml> {
  const handle = await openTakeFile(file, 'r+');
  try {
    const { scan, size } = await readTakeHeader(handle, file);
    const place = scan.layout.ixml;
    if (!place || place.offset + place.size > size) {
      throw new LoopstageError('TAKE_NO_IXML', `"${path.basename(file)}" has no iXML chunk to update; its notes stay in the project only.`, { path: file });
    }
    let next: TakeIxml;
    if (typeof update === 'function') {
      const bytes = Buffer.alloc(place.size);
      await handle.read(bytes, 0, place.size, place.offset);
      let end = bytes.length;
      while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
      const text = utf8Decode(bytes.subarray(0, end));
      if (text === null) throw new LoopstageError('IXML_MALFORMED', `The iXML of "${path.basename(file)}" is not UTF-8 text.`, { path: file });
      next = update(parseIxml(text));
    } else {
      next = update;
    }
    const body = buildIxml(next, place.size); // IXML_NO_ROOM before anything is written
    await writeAll(handle, body, place.offset);
    await handle.datasync();
    return next;
  } catch (error) {
    throw isLoopstageError(error) ? error : takeFileError(error, file);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

