/**
 * Writing Broadcast WAV (EBU Tech 3285) and RF64 (EBU Tech 3306) headers, pure: the `bext` chunk,
 * the header of a take file, the size fields to patch while it grows, and a scan of an existing
 * file's header for recovery and in-place metadata updates.
 *
 * Layout of a take file (every chunk even-sized, so nothing needs a pad byte until `data`):
 *
 *   RIFF <size> WAVE
 *   JUNK  28 bytes      room for RF64's ds64, so the file can become RF64 in place (Tech 3306 §3)
 *   fmt   16 bytes      PCM: WAVE_FORMAT_PCM (1); float: WAVE_FORMAT_IEEE_FLOAT (3), 18 bytes
 *   fact   4 bytes      float only (non-PCM formats carry a sample count)
 *   bext  602 + history
 *   iXML  reserved size (XML padded with spaces)
 *   data  <size> samples
 *
 * Format choice: integer PCM is written as plain WAVE_FORMAT_PCM with a 16-byte fmt chunk at every
 * bit depth and channel count, never WAVE_FORMAT_EXTENSIBLE. That is what Broadcast WAV specifies
 * (Tech 3285 names only PCM and MPEG), what Sound Devices, Pro Tools and Metacorder write for
 * 24-bit polyphonic files (see tests/fixtures/bwf), and what ffmpeg, sox and libsndfile read at any
 * channel count. EXTENSIBLE's speaker mask says nothing useful about ADR tracks (a boom and a lav
 * are not "front left/right"); their names go in iXML TRACK_LIST instead.
 */
import { LoopstageError } from '../errors.js';

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_IEEE_FLOAT = 3;
/** Size fields that mean "read the real size from ds64". */
export const RF64_SIZE_IN_DS64 = 0xffff_ffff;
/** Size of a ds64 chunk body with an empty chunk-size table, and of the JUNK that reserves it. */
export const DS64_BODY_BYTES = 28;
/** Largest file a RIFF (not RF64) header can describe: its size field holds length − 8. */
export const RIFF_MAX_FILE_BYTES = 0xffff_ffff;

const BEXT_FIXED_BYTES = 602;

export interface BextFields {
  /** Free text, ASCII, at most 256 characters (cut beyond). */
  readonly description: string;
  /** The application that made the file, at most 32 characters. */
  readonly originator: string;
  /** A unique reference for the file, at most 32 characters. */
  readonly originatorReference: string;
  /** yyyy-mm-dd */
  readonly originationDate: string;
  /** hh:mm:ss */
  readonly originationTime: string;
  /** Samples since midnight of the first sample. */
  readonly timeReference: number;
  /** Lines in EBU R98 form, each ending in CR LF (added where missing). */
  readonly codingHistory: string;
}

export interface TakeFormat {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: 16 | 24 | 32;
  /** 32-bit IEEE float (WAVE_FORMAT_IEEE_FLOAT); otherwise integer PCM. */
  readonly float?: boolean;
}

function invalid(code: string, message: string, details: Record<string, unknown> = {}): LoopstageError {
  return new LoopstageError(code, message, details);
}

/** Bytes per frame (all channels of one sample instant). */
export function blockAlignOf(format: TakeFormat): number {
  return (format.bitsPerSample / 8) * format.channels;
}

export function checkFormat(format: TakeFormat): void {
  if (!Number.isInteger(format.sampleRate) || format.sampleRate < 1000 || format.sampleRate > 768_000) {
    throw invalid('TAKE_FORMAT_INVALID', `A take cannot be written at ${format.sampleRate} Hz; use a rate from 1 kHz to 768 kHz.`, { sampleRate: format.sampleRate });
  }
  if (!Number.isInteger(format.channels) || format.channels < 1 || format.channels > 256) {
    throw invalid('TAKE_FORMAT_INVALID', `A take cannot have ${format.channels} channels; use 1 to 256.`, { channels: format.channels });
  }
  if (![16, 24, 32].includes(format.bitsPerSample)) {
    throw invalid('TAKE_FORMAT_INVALID', `A take is written with 16, 24 or 32 bits per sample, not ${format.bitsPerSample}.`, { bitsPerSample: format.bitsPerSample });
  }
  if (format.float && format.bitsPerSample !== 32) {
    throw invalid('TAKE_FORMAT_INVALID', `Floating-point takes are 32-bit, not ${format.bitsPerSample}-bit.`, { bitsPerSample: format.bitsPerSample });
  }
}

// ---------------------------------------------------------------------------------------------
// bext

/** A bext text field: ASCII as the spec asks (accents dropped, typographic quotes and dashes simplified, other characters "?"), cut to `length` bytes. */
const ASCII_FOR: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u201c': '"', '\u201d': '"', '\u201e': '"',
  '\u00ab': '"', '\u00bb': '"', '\u2013': '-', '\u2014': '-', '\u2212': '-', '\u2026': '...', '\u00a0': ' ',
  '\u00df': 'ss', '\u00e6': 'ae', '\u00c6': 'AE', '\u0153': 'oe', '\u0152': 'OE', '\u00f8': 'o', '\u00d8': 'O',
  '\u0142': 'l', '\u0141': 'L', '\u0111': 'd', '\u0110': 'D', '\u00fe': 'th', '\u00de': 'Th',
};

export function bextAscii(text: string, length: number): Uint8Array {
  const ascii = text
    .replace(/[\u2018-\u201e\u00ab\u00bb\u2013\u2014\u2212\u2026\u00a0\u00df\u00e6\u00c6\u0153\u0152\u00f8\u00d8\u0142\u0141\u0111\u0110\u00fe\u00de]/g, (ch) => ASCII_FOR[ch] ?? '?')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    // keep printable ASCII, CR and LF only
    .replace(/[^\u0020-\u007e\r\n]/gu, '?');
  const out = new Uint8Array(Math.min(ascii.length, length));
  for (let i = 0; i < out.length; i++) out[i] = ascii.charCodeAt(i);
  return out;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** OriginationDate and OriginationTime of a moment, in the local time of the recorder (as Tech 3285 asks). */
export function originationStamp(at: Date): { originationDate: string; originationTime: string } {
  return {
    originationDate: `${String(at.getFullYear()).padStart(4, '0')}-${pad2(at.getMonth() + 1)}-${pad2(at.getDate())}`,
    originationTime: `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}`,
  };
}

/** One CodingHistory line (EBU R98) for a take recorded in `format`. */
export function codingHistoryLine(format: TakeFormat, text: string): string {
  const mode = format.channels === 1 ? 'mono' : format.channels === 2 ? 'stereo' : 'multitrack';
  const t = bextAscii(`${text}${format.float ? '; IEEE float' : ''}`, 200);
  return `A=PCM,F=${format.sampleRate},W=${format.bitsPerSample},M=${mode},T=${String.fromCharCode(...t).replace(/[,\r\n]/g, ' ')}\r\n`;
}

/**
 * The body of a version-2 bext chunk: fixed fields, TimeReference as two 32-bit halves, a zero
 * UMID, loudness fields set to 0x7FFF ("not measured", as Tech 3285 v2 requires for values not
 * computed — zero would claim 0 LUFS), 180 reserved zero bytes, then CodingHistory (NUL padded to
 * an even length).
 */
export function buildBext(fields: BextFields): Uint8Array {
  if (!Number.isSafeInteger(fields.timeReference) || fields.timeReference < 0) {
    throw invalid('BEXT_INVALID', `The take's TimeReference must be a whole number of samples of zero or more, not ${fields.timeReference}.`, { timeReference: fields.timeReference });
  }
  let history = fields.codingHistory.replace(/\r?\n/g, '\r\n');
  if (history && !history.endsWith('\r\n')) history += '\r\n';
  const historyBytes = bextAscii(history, 64 * 1024);
  const size = BEXT_FIXED_BYTES + historyBytes.length + 1 + ((historyBytes.length + 1) & 1); // NUL-terminated, even
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(bextAscii(fields.description, 256), 0);
  out.set(bextAscii(fields.originator, 32), 256);
  out.set(bextAscii(fields.originatorReference, 32), 288);
  out.set(bextAscii(fields.originationDate, 10), 320);
  out.set(bextAscii(fields.originationTime, 8), 330);
  view.setUint32(338, fields.timeReference % 0x1_0000_0000, true);
  view.setUint32(342, Math.floor(fields.timeReference / 0x1_0000_0000), true);
  view.setUint16(346, 2, true); // Version
  // 348..411: UMID, zero (none)
  for (let k = 0; k < 5; k++) view.setInt16(412 + 2 * k, 0x7fff, true); // loudness: not measured
  // 422..601: reserved, zero
  out.set(historyBytes, BEXT_FIXED_BYTES);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The header of a take file

/** Where the parts of a WAV header lie; what the size patches need. */
export interface WavLayout {
  readonly container: 'RIFF' | 'RF64' | 'BW64';
  /** True when a JUNK (or ds64) chunk of at least 28 bytes sits right after the RIFF header. */
  readonly canBeRf64: boolean;
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
  /** Offset of the fact chunk's sample count, or null. */
  readonly factCountOffset: number | null;
  /** Offset and size of the iXML chunk body, or null. */
  readonly ixml: { readonly offset: number; readonly size: number } | null;
  /** Offset of the `data` chunk header (its id); the samples start 8 bytes later. */
  readonly dataHeaderOffset: number;
  readonly dataOffset: number;
}

export interface WavHeader {
  readonly bytes: Uint8Array;
  readonly layout: WavLayout;
}

function writeId(out: Uint8Array, at: number, id: string): void {
  for (let i = 0; i < 4; i++) out[at + i] = id.charCodeAt(i);
}

/**
 * The header of a new take, sizes for zero samples, ending with the `data` chunk header: the
 * samples follow it directly. `ixml` is the reserved iXML chunk body (buildIxml), even-sized.
 */
export function buildWavHeader(format: TakeFormat, bext: Uint8Array, ixml: Uint8Array): WavHeader {
  checkFormat(format);
  if (bext.length & 1 || ixml.length & 1) {
    throw invalid('BWF_LAYOUT', 'The bext and iXML chunks of a take must have an even size.', { bext: bext.length, ixml: ixml.length });
  }
  const float = format.float === true;
  const fmtSize = float ? 18 : 16;
  const chunks: Array<{ id: string; body: Uint8Array }> = [];
  chunks.push({ id: 'JUNK', body: new Uint8Array(DS64_BODY_BYTES) });
  const fmt = new Uint8Array(fmtSize);
  const fv = new DataView(fmt.buffer);
  const blockAlign = blockAlignOf(format);
  fv.setUint16(0, float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  fv.setUint16(2, format.channels, true);
  fv.setUint32(4, format.sampleRate, true);
  fv.setUint32(8, format.sampleRate * blockAlign, true);
  fv.setUint16(12, blockAlign, true);
  fv.setUint16(14, format.bitsPerSample, true);
  // float: cbSize (bytes 16–17) = 0
  chunks.push({ id: 'fmt ', body: fmt });
  if (float) chunks.push({ id: 'fact', body: new Uint8Array(4) });
  chunks.push({ id: 'bext', body: bext });
  chunks.push({ id: 'iXML', body: ixml });

  const total = 12 + chunks.reduce((sum, c) => sum + 8 + c.body.length + (c.body.length & 1), 0) + 8;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  writeId(out, 0, 'RIFF');
  view.setUint32(4, total - 8, true);
  writeId(out, 8, 'WAVE');
  let at = 12;
  let factCountOffset: number | null = null;
  let ixmlAt = 0;
  for (const c of chunks) {
    writeId(out, at, c.id);
    view.setUint32(at + 4, c.body.length, true);
    out.set(c.body, at + 8);
    if (c.id === 'fact') factCountOffset = at + 8;
    if (c.id === 'iXML') ixmlAt = at + 8;
    at += 8 + c.body.length + (c.body.length & 1);
  }
  writeId(out, at, 'data');
  view.setUint32(at + 4, 0, true);
  return {
    bytes: out,
    layout: {
      container: 'RIFF',
      canBeRf64: true,
      formatTag: float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM,
      channels: format.channels,
      sampleRate: format.sampleRate,
      bitsPerSample: format.bitsPerSample,
      blockAlign,
      factCountOffset,
      ixml: { offset: ixmlAt, size: ixml.length },
      dataHeaderOffset: at,
      dataOffset: at + 8,
    },
  };
}

/** A write of `bytes` at `offset` in the file. */
export interface Patch {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export interface SizeState {
  /** Bytes of samples, whole frames. */
  readonly dataBytes: number;
  /** Length of the RIFF extent: the data's end plus its pad byte when written (normally dataOffset + dataBytes [+ 1]). */
  readonly riffEnd: number;
  /** Write an RF64 header (ds64 in place of the JUNK). */
  readonly rf64: boolean;
}

/**
 * The writes that make a header describe `state`. In the order given, each one alone leaves a
 * readable file: the RIFF/RF64 header and ds64 first (one contiguous write), then fact, then the
 * data chunk's size — so an RF64 conversion cut between writes still reads with the old 32-bit
 * data size.
 */
export function sizePatches(layout: WavLayout, state: SizeState): Patch[] {
  const { dataBytes, riffEnd } = state;
  if (dataBytes % layout.blockAlign !== 0) {
    throw invalid('BWF_LAYOUT', `The data size ${dataBytes} is not a whole number of ${layout.blockAlign}-byte frames.`, { dataBytes });
  }
  const frames = dataBytes / layout.blockAlign;
  const rf64 = state.rf64 || layout.container !== 'RIFF';
  if (rf64 && !layout.canBeRf64) {
    throw invalid('BWF_NO_RF64_ROOM', 'This WAV file has grown past 4 GiB but has no JUNK chunk to turn into RF64’s ds64; it cannot describe its own length.', { dataBytes });
  }
  if (!rf64 && (riffEnd - 8 > RIFF_MAX_FILE_BYTES || dataBytes > RIFF_MAX_FILE_BYTES)) {
    throw invalid('BWF_LAYOUT', 'A RIFF header cannot describe a file past 4 GiB; it must become RF64.', { riffEnd });
  }
  const u32 = (value: number): Uint8Array => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value, true);
    return b;
  };
  const patches: Patch[] = [];
  if (rf64) {
    const head = new Uint8Array(12 + 8 + DS64_BODY_BYTES);
    const v = new DataView(head.buffer);
    writeId(head, 0, layout.container === 'BW64' ? 'BW64' : 'RF64');
    v.setUint32(4, RF64_SIZE_IN_DS64, true);
    writeId(head, 8, 'WAVE');
    writeId(head, 12, 'ds64');
    v.setUint32(16, DS64_BODY_BYTES, true);
    const u64 = (at: number, value: number): void => {
      v.setUint32(at, value % 0x1_0000_0000, true);
      v.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
    };
    u64(20, riffEnd - 8);
    u64(28, dataBytes);
    u64(36, frames);
    v.setUint32(44, 0, true); // no chunk-size table
    patches.push({ offset: 0, bytes: head });
    if (layout.factCountOffset !== null) patches.push({ offset: layout.factCountOffset, bytes: u32(RF64_SIZE_IN_DS64) });
    patches.push({ offset: layout.dataHeaderOffset + 4, bytes: u32(RF64_SIZE_IN_DS64) });
  } else {
    const head = new Uint8Array(8);
    writeId(head, 0, 'RIFF');
    new DataView(head.buffer).setUint32(4, riffEnd - 8, true);
    patches.push({ offset: 0, bytes: head });
    if (layout.factCountOffset !== null) patches.push({ offset: layout.factCountOffset, bytes: u32(frames) });
    patches.push({ offset: layout.dataHeaderOffset + 4, bytes: u32(dataBytes) });
  }
  return patches;
}

// ---------------------------------------------------------------------------------------------
// Reading the header of a file that may be cut short or have stale sizes

export interface ScannedWav {
  readonly layout: WavLayout;
  /** The data size the header declares (from ds64 when the 32-bit field says so). */
  readonly declaredDataBytes: number;
  /** The end of the RIFF extent the header declares (its size field + 8). */
  readonly declaredRiffEnd: number;
  /** The sample count of the fact chunk (ds64 for RF64), or null without one. */
  readonly declaredFrames: number | null;
}

function unreadable(message: string, details: Record<string, unknown> = {}): LoopstageError {
  return new LoopstageError('BWF_MALFORMED', message, details);
}

/**
 * Walks the chunks of a WAV header held in `bytes` (the start of the file) up to the `data` chunk,
 * trusting nothing beyond the chunk structure — sizes may be stale after a crash. Throws
 * BWF_MALFORMED when there is no RIFF/RF64/BW64 WAVE header, no usable fmt chunk, or no data chunk
 * in the bytes given.
 */
export function scanWavHeader(bytes: Uint8Array, fileLength: number): ScannedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = (at: number): string => String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
  if (bytes.length < 12) throw unreadable(`The file is ${bytes.length} bytes long, too short to hold a WAV header.`, { length: bytes.length });
  const container = id(0);
  if ((container !== 'RIFF' && container !== 'RF64' && container !== 'BW64') || id(8) !== 'WAVE') {
    throw unreadable(`The file does not start with a RIFF, RF64 or BW64 WAVE header (it starts with "${container}").`, { magic: container });
  }
  const u64 = (at: number): number => view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;
  let ds64: { riff: number; data: number; frames: number } | null = null;
  let canBeRf64 = false;
  let fmt: { tag: number; channels: number; rate: number; align: number; bits: number } | null = null;
  let factCountOffset: number | null = null;
  let ixml: { offset: number; size: number } | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const chunk = id(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (at === 12) {
      if (chunk === 'ds64' && container !== 'RIFF' && size >= DS64_BODY_BYTES && body + DS64_BODY_BYTES <= bytes.length) {
        ds64 = { riff: u64(body), data: u64(body + 8), frames: u64(body + 16) };
        canBeRf64 = true;
      } else if (chunk === 'JUNK' && size >= DS64_BODY_BYTES) {
        canBeRf64 = true;
      }
    }
    if (container !== 'RIFF' && at === 12 && !ds64) {
      throw unreadable(`This ${container} file has no ds64 chunk after its header, so its sizes cannot be read.`);
    }
    if (chunk === 'data') {
      if (!fmt) throw unreadable('The file has no fmt chunk before its samples, so their format is unknown.');
      const declaredDataBytes = size === RF64_SIZE_IN_DS64 && ds64 ? ds64.data : size;
      const declaredRiffEnd = ds64 && view.getUint32(4, true) === RF64_SIZE_IN_DS64 ? ds64.riff + 8 : view.getUint32(4, true) + 8;
      let declaredFrames: number | null = null;
      if (factCountOffset !== null && factCountOffset + 4 <= bytes.length) {
        const count = view.getUint32(factCountOffset, true);
        declaredFrames = count === RF64_SIZE_IN_DS64 && ds64 ? ds64.frames : count;
      }
      return {
        layout: {
          container,
          canBeRf64,
          formatTag: fmt.tag,
          channels: fmt.channels,
          sampleRate: fmt.rate,
          bitsPerSample: fmt.bits,
          blockAlign: fmt.align,
          factCountOffset,
          ixml,
          dataHeaderOffset: at,
          dataOffset: body,
        },
        declaredDataBytes,
        declaredRiffEnd,
        declaredFrames,
      };
    }
    if (size === RF64_SIZE_IN_DS64 && ds64) {
      throw unreadable(`Chunk "${chunk}" before the samples takes its size from ds64, which Loopstage does not read.`, { chunk });
    }
    if (chunk === 'fmt ' && !fmt) {
      if (size < 16 || body + 16 > bytes.length) throw unreadable(`The fmt chunk is ${size} bytes, too short to describe the samples.`, { size });
      fmt = {
        tag: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        align: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
      if (fmt.channels === 0 || fmt.rate === 0 || fmt.align === 0) {
        throw unreadable(`The fmt chunk gives ${fmt.channels} channels at ${fmt.rate} Hz with ${fmt.align}-byte frames, which cannot be played.`, { ...fmt });
      }
    } else if (chunk === 'fact' && size >= 4) {
      factCountOffset = body;
    } else if (chunk === 'iXML' && !ixml) {
      ixml = { offset: body, size };
    }
    at = body + size + (size & 1);
    if (at > fileLength) break;
  }
  throw unreadable('No data chunk was found in the header of this file; it holds no samples or was cut short while its header was written.');
}
