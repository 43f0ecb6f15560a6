/**
 * A small, pure reader for RIFF/WAVE, RF64 and BW64 files: the format, the Broadcast WAV `bext`
 * chunk (EBU Tech 3285), the `iXML` chunk, and where the sample data lies. It reads only the
 * bytes it is given and never decodes samples. Anything that does not add up — a bad header, a
 * chunk running past the end, a missing `fmt ` or `data` chunk — is a LoopstageError BWF_MALFORMED.
 */
import { LoopstageError } from '../errors.js';

export interface BextChunk {
  readonly description: string;
  readonly originator: string;
  readonly originatorReference: string;
  /** `yyyy-mm-dd` as written (some recorders use other separators). */
  readonly originationDate: string;
  /** `hh:mm:ss` as written. */
  readonly originationTime: string;
  /** Samples since midnight of the first sample (TimeReferenceLow + TimeReferenceHigh·2^32). */
  readonly timeReference: number;
  readonly version: number;
  readonly codingHistory: string;
}

export interface BwfInfo {
  readonly container: 'RIFF' | 'RF64' | 'BW64';
  /** WAVE format tag: 1 = PCM, 3 = IEEE float, 0xFFFE = extensible. */
  readonly formatTag: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
  readonly bext?: BextChunk;
  readonly ixml?: string;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /** Length of the sample data in bytes (from the `data` header, or `ds64` for RF64). */
  readonly dataBytes: number;
}

const BEXT_FIXED_BYTES = 602; // everything before CodingHistory
const SIZE_FROM_DS64 = 0xffff_ffff;

function malformed(message: string, details: Record<string, unknown> = {}): LoopstageError {
  return new LoopstageError('BWF_MALFORMED', message, details);
}

function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

/** Reads a 64-bit little-endian size or count as a Number, refusing values beyond 2^53. */
function u64(view: DataView, at: number, what: string): number {
  const low = view.getUint32(at, true);
  const high = view.getUint32(at + 4, true);
  const value = high * 0x1_0000_0000 + low;
  if (!Number.isSafeInteger(value)) {
    throw malformed(`The ${what} in this WAV file is larger than 2^53, which no real file has; the file is damaged.`, { high, low });
  }
  return value;
}

/** ASCII/Latin-1 text of a fixed-size field, up to its first NUL. */
function latin1Field(bytes: Uint8Array, start: number, length: number): string {
  let out = '';
  for (let i = start; i < start + length; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0) break;
    out += String.fromCharCode(b);
  }
  return out;
}

/** UTF-8 → string (invalid sequences become U+FFFD), without relying on TextDecoder. */
function utf8(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk: number[] = [];
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // BOM
  while (i < bytes.length) {
    const b0 = bytes[i] ?? 0;
    let cp = 0xfffd;
    let len = 1;
    if (b0 < 0x80) {
      cp = b0;
    } else {
      const need = b0 >= 0xf0 && b0 <= 0xf4 ? 3 : b0 >= 0xe0 ? (b0 <= 0xef ? 2 : 0) : b0 >= 0xc2 ? 1 : 0;
      if (need > 0 && i + need < bytes.length) {
        let value = b0 & (0x3f >> need);
        let ok = true;
        for (let k = 1; k <= need; k++) {
          const b = bytes[i + k] ?? 0;
          if ((b & 0xc0) !== 0x80) {
            ok = false;
            break;
          }
          value = (value << 6) | (b & 0x3f);
        }
        const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
        if (ok && value >= min && value <= 0x10ffff && !(value >= 0xd800 && value <= 0xdfff)) {
          cp = value;
          len = need + 1;
        }
      }
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      chunk.push(cp);
    }
    i += len;
    if (chunk.length >= 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}

function readBext(bytes: Uint8Array, view: DataView, start: number, size: number): BextChunk {
  if (size < BEXT_FIXED_BYTES) {
    throw malformed(`The bext chunk is ${size} bytes, shorter than the ${BEXT_FIXED_BYTES} bytes every Broadcast WAV bext chunk has; the file is damaged.`, { size });
  }
  return {
    description: latin1Field(bytes, start, 256),
    originator: latin1Field(bytes, start + 256, 32),
    originatorReference: latin1Field(bytes, start + 288, 32),
    originationDate: latin1Field(bytes, start + 320, 10),
    originationTime: latin1Field(bytes, start + 330, 8),
    timeReference: u64(view, start + 338, 'bext TimeReference'),
    version: view.getUint16(start + 346, true),
    codingHistory: latin1Field(bytes, start + BEXT_FIXED_BYTES, size - BEXT_FIXED_BYTES),
  };
}

/** Reads the header chunks of a RIFF/RF64/BW64 WAVE file held in memory. */
export function readBwf(bytes: Uint8Array): BwfInfo {
  if (bytes.length < 12) {
    throw malformed(`This file is ${bytes.length} bytes, too short to be a WAV file; check that it is the right file and was copied completely.`, { bytes: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const container = fourCC(bytes, 0);
  if ((container !== 'RIFF' && container !== 'RF64' && container !== 'BW64') || fourCC(bytes, 8) !== 'WAVE') {
    throw malformed(`This file does not start with a RIFF, RF64 or BW64 WAVE header (found "${container}"); it is not a WAV file.`, { magic: container });
  }
  const isRf64 = container !== 'RIFF';

  let riffEnd: number;
  let ds64DataBytes: number | undefined;
  const ds64Sizes = new Map<string, number>();
  let offset = 12;
  if (isRf64) {
    if (bytes.length < 12 + 8 + 28 || fourCC(bytes, 12) !== 'ds64') {
      throw malformed(`This ${container} file has no ds64 chunk right after its header, so its sizes cannot be read; the file is damaged.`);
    }
    const ds64Size = view.getUint32(16, true);
    if (ds64Size < 28 || 20 + ds64Size > bytes.length) {
      throw malformed(`The ds64 chunk of this ${container} file is ${ds64Size} bytes, which does not fit; the file is damaged.`, { ds64Size });
    }
    riffEnd = 8 + u64(view, 20, 'RF64 file size');
    ds64DataBytes = u64(view, 28, 'RF64 data size');
    const tableLength = view.getUint32(44, true);
    if (28 + tableLength * 12 > ds64Size) {
      throw malformed(`The ds64 chunk lists ${tableLength} chunk sizes but has room for fewer; the file is damaged.`, { tableLength });
    }
    for (let k = 0; k < tableLength; k++) {
      const at = 48 + k * 12;
      ds64Sizes.set(fourCC(bytes, at), u64(view, at + 4, 'ds64 chunk size'));
    }
    offset = 20 + ds64Size + (ds64Size & 1);
  } else {
    riffEnd = 8 + view.getUint32(4, true);
  }
  if (riffEnd > bytes.length) {
    throw malformed(`The WAV header says the file is ${riffEnd} bytes but it has only ${bytes.length}; the file was cut short (a recovery may repair it).`, { declared: riffEnd, actual: bytes.length });
  }

  let fmt: { formatTag: number; channels: number; sampleRate: number; blockAlign: number; bitsPerSample: number } | undefined;
  let bext: BextChunk | undefined;
  let ixml: string | undefined;
  let data: { offset: number; bytes: number } | undefined;

  while (offset + 8 <= riffEnd) {
    const id = fourCC(bytes, offset);
    let size = view.getUint32(offset + 4, true);
    if (isRf64 && size === SIZE_FROM_DS64) {
      const fromTable = id === 'data' ? ds64DataBytes : ds64Sizes.get(id);
      if (fromTable === undefined) {
        throw malformed(`Chunk "${id}" takes its size from the ds64 chunk, which does not list it; the file is damaged.`, { chunk: id, offset });
      }
      size = fromTable;
    }
    const body = offset + 8;
    if (body + size > riffEnd) {
      throw malformed(`Chunk "${id}" at byte ${offset} claims ${size} bytes, running past the end of the file; the file is damaged or cut short.`, { chunk: id, offset, size });
    }
    if (id === 'fmt ' && fmt === undefined) {
      if (size < 16) throw malformed(`The fmt chunk is only ${size} bytes (at least 16 are needed); the file is damaged.`, { size });
      fmt = {
        formatTag: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'bext' && bext === undefined) {
      bext = readBext(bytes, view, body, size);
    } else if (id === 'iXML' && ixml === undefined) {
      let end = body + size;
      while (end > body && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--; // reserved padding
      ixml = utf8(bytes.subarray(body, end));
    } else if (id === 'data' && data === undefined) {
      data = { offset: body, bytes: size };
    }
    offset = body + size + (size & 1);
  }

  if (fmt === undefined) throw malformed('This WAV file has no fmt chunk, so its sample format is unknown; the file is damaged.');
  if (fmt.channels === 0 || fmt.sampleRate === 0 || fmt.blockAlign === 0) {
    throw malformed(`The fmt chunk gives ${fmt.channels} channels at ${fmt.sampleRate} Hz with ${fmt.blockAlign}-byte frames, which cannot be played; the file is damaged.`, { ...fmt });
  }
  if (data === undefined) throw malformed('This WAV file has no data chunk, so it holds no audio; the file is damaged or was never finished.');

  return {
    container,
    formatTag: fmt.formatTag,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    bitsPerSample: fmt.bitsPerSample,
    blockAlign: fmt.blockAlign,
    ...(bext ? { bext } : {}),
    ...(ixml !== undefined ? { ixml } : {}),
    dataOffset: data.offset,
    dataBytes: data.bytes,
  };
}

// ---------------------------------------------------------------------------------------------
// The head of a file too large to hold in memory (for playback)

/** KSDATAFORMAT_SUBTYPE_* GUIDs of WAVE_FORMAT_EXTENSIBLE end with these 14 bytes after the format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** What playing a WAV file needs from its header. */
export interface WavHead {
  readonly container: 'RIFF' | 'RF64' | 'BW64';
  /** The fmt chunk's format tag (0xFFFE = extensible). */
  readonly formatTag: number;
  /**
   * The sample format: 1 = integer PCM, 3 = IEEE float, other values as their WAVE format tag. For
   * WAVE_FORMAT_EXTENSIBLE, the tag inside its SubFormat GUID, or 0xFFFE when the GUID is not one
   * of the standard KSDATAFORMAT_SUBTYPE GUIDs (or the fmt chunk is too short to hold one).
   */
  readonly sampleFormat: number;
  readonly sampleRate: number;
  readonly channels: number;
  /** The container size of a sample in bits (fmt's wBitsPerSample). */
  readonly bitsPerSample: number;
  readonly blockAlign: number;
  /** The bext chunk when it lies before the samples (see findBext for one after them). */
  readonly bext?: BextChunk;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /**
   * The data size the header declares (from ds64 in RF64/BW64). It is not checked against the
   * file's length: a file cut short, or a RIFF file written as a stream (0xFFFFFFFF), declares more.
   */
  readonly dataBytes: number;
}

export type WavHeadResult = { readonly head: WavHead; readonly needBytes?: undefined } | { readonly head?: undefined; readonly needBytes: number };

/**
 * Reads the header of a RIFF/RF64/BW64 WAVE file from `bytes`, the first bytes of a file of
 * `fileLength` bytes, up to the `data` chunk. Chunks before it are skipped without being read,
 * except fmt, bext and ds64. When `bytes` ends before the data chunk's header (or inside a chunk
 * that must be read) the result is `{ needBytes }`: call again with at least that many bytes.
 * Throws BWF_MALFORMED for a file that is not a WAVE file, has no fmt chunk before its data, no
 * data chunk, or a chunk that runs past the end of the file.
 */
export function readWavHead(bytes: Uint8Array, fileLength: number): WavHeadResult {
  const have = Math.min(bytes.length, fileLength);
  const need = (n: number): WavHeadResult | null => {
    if (n <= have) return null;
    if (n <= fileLength) return { needBytes: n };
    throw malformed(`The WAV header runs past the end of this ${fileLength}-byte file; the file is damaged or cut short.`, { bytes: fileLength });
  };
  if (fileLength < 12) {
    throw malformed(`This file is ${fileLength} bytes, too short to be a WAV file; check that it is the right file and was copied completely.`, { bytes: fileLength });
  }
  const early = need(12);
  if (early) return early;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const container = fourCC(bytes, 0);
  if ((container !== 'RIFF' && container !== 'RF64' && container !== 'BW64') || fourCC(bytes, 8) !== 'WAVE') {
    throw malformed(`This file does not start with a RIFF, RF64 or BW64 WAVE header (found "${container}"); it is not a WAV file.`, { magic: container });
  }
  const isRf64 = container !== 'RIFF';
  let ds64DataBytes: number | undefined;
  const ds64Sizes = new Map<string, number>();
  let at = 12;
  if (isRf64) {
    const more = need(20);
    if (more) return more;
    const ds64Size = view.getUint32(16, true);
    if (fourCC(bytes, 12) !== 'ds64' || ds64Size < 28 || 20 + ds64Size > fileLength) {
      throw malformed(`This ${container} file has no usable ds64 chunk right after its header, so its sizes cannot be read; the file is damaged.`);
    }
    const body = need(20 + ds64Size);
    if (body) return body;
    ds64DataBytes = u64(view, 28, 'RF64 data size');
    const tableLength = view.getUint32(44, true);
    if (28 + tableLength * 12 > ds64Size) {
      throw malformed(`The ds64 chunk lists ${tableLength} chunk sizes but has room for fewer; the file is damaged.`, { tableLength });
    }
    for (let k = 0; k < tableLength; k++) ds64Sizes.set(fourCC(bytes, 48 + k * 12), u64(view, 48 + k * 12 + 4, 'ds64 chunk size'));
    at = 20 + ds64Size + (ds64Size & 1);
  }

  let fmt: Omit<WavHead, 'container' | 'bext' | 'dataOffset' | 'dataBytes'> | undefined;
  let bext: BextChunk | undefined;
  for (;;) {
    if (at + 8 > fileLength) {
      throw malformed('This WAV file has no data chunk, so it holds no audio; the file is damaged or was never finished.');
    }
    const header = need(at + 8);
    if (header) return header;
    const id = fourCC(bytes, at);
    let size = view.getUint32(at + 4, true);
    if (isRf64 && size === SIZE_FROM_DS64) {
      const fromTable = id === 'data' ? ds64DataBytes : ds64Sizes.get(id);
      if (fromTable === undefined) {
        throw malformed(`Chunk "${id}" takes its size from the ds64 chunk, which does not list it; the file is damaged.`, { chunk: id, offset: at });
      }
      size = fromTable;
    }
    const body = at + 8;
    if (id === 'data') {
      if (!fmt) throw malformed('This WAV file has no fmt chunk before its samples, so their format is unknown; the file is damaged.');
      return { head: { container, ...fmt, ...(bext ? { bext } : {}), dataOffset: body, dataBytes: size } };
    }
    if (body + size > fileLength) {
      throw malformed(`Chunk "${id}" at byte ${at} claims ${size} bytes, running past the end of the file; the file is damaged or cut short.`, { chunk: id, offset: at, size });
    }
    if ((id === 'fmt ' && !fmt) || (id === 'bext' && !bext)) {
      const whole = need(body + size);
      if (whole) return whole;
      if (id === 'fmt ') {
        if (size < 16) throw malformed(`The fmt chunk is only ${size} bytes (at least 16 are needed); the file is damaged.`, { size });
        const formatTag = view.getUint16(body, true);
        let sampleFormat = formatTag;
        if (formatTag === WAVE_FORMAT_EXTENSIBLE && size >= 40 && view.getUint16(body + 16, true) >= 22) {
          const standard = SUBTYPE_GUID_TAIL.every((b, k) => bytes[body + 26 + k] === b);
          if (standard) sampleFormat = view.getUint16(body + 24, true);
        }
        fmt = {
          formatTag,
          sampleFormat,
          channels: view.getUint16(body + 2, true),
          sampleRate: view.getUint32(body + 4, true),
          blockAlign: view.getUint16(body + 12, true),
          bitsPerSample: view.getUint16(body + 14, true),
        };
        if (fmt.channels === 0 || fmt.sampleRate === 0 || fmt.blockAlign === 0) {
          throw malformed(`The fmt chunk gives ${fmt.channels} channels at ${fmt.sampleRate} Hz with ${fmt.blockAlign}-byte frames, which cannot be played; the file is damaged.`, { ...fmt });
        }
      } else {
        bext = readBext(bytes, view, body, size);
      }
    }
    at = body + size + (size & 1);
  }
}

/**
 * The first bext chunk among the chunks held in `bytes`, which starts with a chunk header (as the
 * bytes after a file's data chunk do); undefined when there is none or the chunks stop making sense.
 */
export function findBext(bytes: Uint8Array): BextChunk | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= bytes.length) {
    const id = fourCC(bytes, at);
    const size = view.getUint32(at + 4, true);
    if (!/^[\x20-\x7e]{4}$/.test(id) || at + 8 + size > bytes.length) return undefined;
    if (id === 'bext') {
      try {
        return readBext(bytes, view, at + 8, size);
      } catch {
        return undefined;
      }
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}
