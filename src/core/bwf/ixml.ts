/**
 * The iXML chunk of a take (iXML, www.ixml.info): what production sound writes beside the audio,
 * read by Pro Tools, Avid, Resolve, Wave Agent and exiftool. One function builds it, one reads it
 * back, so what people say about a take later (circled, rating, notes, NG) can be rewritten in
 * the same file without moving a single audio byte.
 *
 * The chunk is written at a fixed, reserved size: the XML, then spaces up to the reserve (what
 * Sound Devices and Pro Tools do too: XML allows white space after the root element). A later
 * update writes a new XML of the same byte length into the same place. Content that would not fit
 * its reserve is an error (IXML_NO_ROOM), never a silent cut.
 *
 * Text that XML 1.0 cannot carry (control characters other than tab, line feed and carriage
 * return; unpaired surrogates; U+FFFE and U+FFFF) is removed; everything else, any script, is
 * written as UTF-8 and read back exactly.
 */
import type { TakeMarkState } from '../recording/take-marks.js';
import { LoopstageError } from '../errors.js';
import { frameRateRatio, parseFrameRate, type FrameRate } from '../time/index.js';

/** The default room for the iXML chunk of a new take (the XML plus space for later notes). */
export const IXML_RESERVED_BYTES = 8192;
/** Room kept free, beyond the XML of a new take, for notes and ratings added later. */
export const IXML_HEADROOM_BYTES = 4096;

/**
 * What a take's iXML says. `parseIxml(buildIxml(m))` gives `m` back (with text sanitised as above).
 * The marks (TakeMarkState) go to CIRCLED, NO_GOOD, FALSE_START and NOTE, and to the LOOPSTAGE block's
 * RATING, NG and ALTERNATE (iXML has no field for those).
 */
export interface TakeIxml extends TakeMarkState {
  readonly project: string;
  readonly scene: string;
  /** The take number. */
  readonly take: number;
  /** TAPE: the session day, roll or sound-roll name the project uses. */
  readonly tape: string;
  /** The session's timecode rate: TIMECODE_RATE as a ratio, TIMECODE_FLAG DF or NDF. */
  readonly frameRate: FrameRate;
  /** FILE_SAMPLE_RATE (also the rate TIMESTAMP_SAMPLES_SINCE_MIDNIGHT counts in). */
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** Samples since midnight of the take's first sample: the same number as bext TimeReference. */
  readonly timestamp: number;
  /** One name per channel, in channel order (TRACK_LIST). */
  readonly tracks: readonly string[];
  /** The cue the take belongs to (the LOOPSTAGE block). */
  readonly cue: { readonly number: string; readonly character: string; readonly line: string };
  /** HISTORY/ORIGINAL_FILENAME: the name the take was recorded under. */
  readonly fileName?: string;
}

const LOOPSTAGE_BLOCK_VERSION = 1;
const TWO_32 = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------------
// UTF-8 (no TextEncoder/TextDecoder: core runs anywhere)

/** UTF-8 bytes of a string; unpaired surrogates become U+FFFD. */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      cp = 0xfffd;
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Strict UTF-8 → string; returns null when the bytes are not valid UTF-8. */
export function utf8Decode(bytes: Uint8Array): string | null {
  let out = '';
  const units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] ?? 0;
    let cp: number;
    let need: number;
    if (b0 < 0x80) {
      cp = b0;
      need = 0;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      cp = b0 & 0x1f;
      need = 1;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      cp = b0 & 0x0f;
      need = 2;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      cp = b0 & 0x07;
      need = 3;
    } else {
      return null;
    }
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (b & 0x3f);
    }
    const min = need === 1 ? 0x80 : need === 2 ? 0x800 : need === 3 ? 0x10000 : 0;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else {
      units.push(cp);
    }
    i += need + 1;
    if (units.length >= 8192) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

// ---------------------------------------------------------------------------------------------
// Building

/** Removes what XML 1.0 cannot carry (see the module comment). */
export function xmlSafeText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing characters XML forbids is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
}

function escapeText(text: string): string {
  return xmlSafeText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;'); // a raw CR would be read back as LF
}

function invalid(field: string, message: string, value: unknown): LoopstageError {
  return new LoopstageError('IXML_INVALID_FIELD', message, { field, value });
}

function checkMeta(meta: TakeIxml): void {
  if (!Number.isSafeInteger(meta.take) || meta.take < 0) throw invalid('take', `The take number ${meta.take} is not a whole number of zero or more.`, meta.take);
  if (meta.rating !== null && !(Number.isInteger(meta.rating) && meta.rating >= 0 && meta.rating <= 5)) {
    throw invalid('rating', `A take is rated with 0 to 5 stars, not ${meta.rating}.`, meta.rating);
  }
  if (!Number.isSafeInteger(meta.timestamp) || meta.timestamp < 0) {
    throw invalid('timestamp', `The take's start (${meta.timestamp} samples since midnight) must be a whole number of zero or more.`, meta.timestamp);
  }
  if (!Number.isInteger(meta.sampleRate) || meta.sampleRate <= 0) throw invalid('sampleRate', `${meta.sampleRate} Hz is not a sample rate.`, meta.sampleRate);
  if (!Number.isInteger(meta.bitsPerSample) || meta.bitsPerSample <= 0) throw invalid('bitsPerSample', `${meta.bitsPerSample} is not a bit depth.`, meta.bitsPerSample);
}

/** The iXML document of a take, without padding. */
export function ixmlDocument(meta: TakeIxml): string {
  checkMeta(meta);
  const ratio = frameRateRatio(meta.frameRate);
  const el = (indent: number, name: string, value: string | number): string => `${'\t'.repeat(indent)}<${name}>${escapeText(String(value))}</${name}>`;
  const bool = (value: boolean): string => (value ? 'TRUE' : 'FALSE');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<BWFXML>',
    el(1, 'IXML_VERSION', '2.10'),
    el(1, 'PROJECT', meta.project),
    el(1, 'SCENE', meta.scene),
    el(1, 'TAKE', meta.take),
    el(1, 'TAPE', meta.tape),
    el(1, 'CIRCLED', bool(meta.circled)),
    el(1, 'NO_GOOD', bool(meta.noGood)),
    el(1, 'FALSE_START', bool(meta.falseStart)),
    el(1, 'NOTE', meta.note),
    '\t<SPEED>',
    el(2, 'MASTER_SPEED', ratio),
    el(2, 'CURRENT_SPEED', ratio),
    el(2, 'TIMECODE_RATE', ratio),
    el(2, 'TIMECODE_FLAG', meta.frameRate.dropFrame ? 'DF' : 'NDF'),
    el(2, 'FILE_SAMPLE_RATE', meta.sampleRate),
    el(2, 'AUDIO_BIT_DEPTH', meta.bitsPerSample),
    el(2, 'DIGITIZER_SAMPLE_RATE', meta.sampleRate),
    el(2, 'TIMESTAMP_SAMPLE_RATE', meta.sampleRate),
    el(2, 'TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI', Math.floor(meta.timestamp / TWO_32)),
    el(2, 'TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO', meta.timestamp % TWO_32),
    '\t</SPEED>',
  ];
  if (meta.fileName !== undefined) {
    lines.push('\t<HISTORY>', el(2, 'ORIGINAL_FILENAME', meta.fileName), '\t</HISTORY>');
  }
  lines.push('\t<TRACK_LIST>', el(2, 'TRACK_COUNT', meta.tracks.length));
  meta.tracks.forEach((name, index) => {
    lines.push('\t\t<TRACK>', el(3, 'CHANNEL_INDEX', index + 1), el(3, 'INTERLEAVE_INDEX', index + 1), el(3, 'NAME', name), '\t\t</TRACK>');
  });
  lines.push(
    '\t</TRACK_LIST>',
    '\t<LOOPSTAGE>',
    el(2, 'VERSION', LOOPSTAGE_BLOCK_VERSION),
    el(2, 'CUE_NUMBER', meta.cue.number),
    el(2, 'CHARACTER', meta.cue.character),
    el(2, 'LINE_TEXT', meta.cue.line),
    el(2, 'RATING', meta.rating === null ? '' : meta.rating),
    el(2, 'NG', bool(meta.noGood)),
    el(2, 'ALTERNATE', bool(meta.alternate)),
    '\t</LOOPSTAGE>',
    '</BWFXML>',
    '',
  );
  return lines.join('\n');
}

/**
 * The iXML chunk body of a take: the document as UTF-8, padded with spaces to exactly
 * `reservedBytes`. IXML_NO_ROOM when it does not fit.
 */
export function buildIxml(meta: TakeIxml, reservedBytes: number = IXML_RESERVED_BYTES): Uint8Array {
  const body = utf8Encode(ixmlDocument(meta));
  if (body.length > reservedBytes) {
    throw new LoopstageError(
      'IXML_NO_ROOM',
      `The take's metadata is ${body.length} bytes, more than the ${reservedBytes} bytes kept for it in the file; shorten the note or line text (the database keeps the full text).`,
      { bytes: body.length, reserved: reservedBytes },
    );
  }
  const out = new Uint8Array(reservedBytes).fill(0x20);
  out.set(body);
  return out;
}

/** The reserve for a new take: its XML plus IXML_HEADROOM_BYTES, in 4 KiB steps, at least IXML_RESERVED_BYTES. */
export function ixmlReserveFor(meta: TakeIxml): number {
  const bytes = utf8Encode(ixmlDocument(meta)).length;
  return Math.max(IXML_RESERVED_BYTES, Math.ceil((bytes + IXML_HEADROOM_BYTES) / 4096) * 4096);
}

// ---------------------------------------------------------------------------------------------
// Reading: a small strict XML parser (elements, text, entity and character references, CDATA,
// comments, processing instructions). No DTDs: a DOCTYPE is refused, so no entity expansion.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

function malformed(message: string, at: number): LoopstageError {
  return new LoopstageError('IXML_MALFORMED', `The iXML in this file is not well-formed XML: ${message} (at character ${at}).`, { at });
}

const NAME = /[A-Za-z_:\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd][A-Za-z0-9_:.\-\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c-\u200d\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd]*/y;
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function allowedCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Parses an XML document into its root element; IXML_MALFORMED when it is not well-formed. */
export function parseXml(input: string): XmlElement {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const bad = FORBIDDEN_CHAR.exec(text);
  if (bad) throw malformed(`character U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} is not allowed`, bad.index);
  let pos = 0;

  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  const skipSpace = (): void => {
    while (isSpace(text[pos])) pos++;
  };
  const expect = (literal: string): void => {
    if (!text.startsWith(literal, pos)) throw malformed(`expected "${literal}"`, pos);
    pos += literal.length;
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(text);
    if (!m) throw malformed('expected a name', pos);
    pos += m[0].length;
    return m[0];
  };
  const reference = (): string => {
    const end = text.indexOf(';', pos);
    if (end < 0 || end - pos > 12) throw malformed('an "&" that does not start a reference', pos);
    const ref = text.slice(pos + 1, end);
    const at = pos;
    pos = end + 1;
    switch (ref) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
    if (!m) throw malformed(`unknown entity "&${ref};"`, at);
    const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] ?? '', 10);
    if (!allowedCodePoint(cp)) throw malformed(`character reference "&${ref};" names a character XML does not allow`, at);
    return String.fromCodePoint(cp);
  };
  const comment = (): void => {
    expect('<!--');
    const end = text.indexOf('--', pos);
    if (end < 0 || text[end + 2] !== '>') throw malformed('a comment that is not closed by "-->" (or contains "--")', pos);
    pos = end + 3;
  };
  const pi = (): void => {
    expect('<?');
    const target = name();
    if (target.toLowerCase() === 'xml') throw malformed('an XML declaration that is not at the start', pos);
    const end = text.indexOf('?>', pos);
    if (end < 0) throw malformed('a processing instruction that is not closed', pos);
    pos = end + 2;
  };
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<!--', pos)) comment();
      else if (text.startsWith('<?', pos)) pi();
      else return;
    }
  };
  const attributeValue = (): string => {
    const quote = text[pos];
    if (quote !== '"' && quote !== "'") throw malformed('an attribute value without quotes', pos);
    pos++;
    let value = '';
    for (;;) {
      const c = text[pos];
      if (c === undefined) throw malformed('an attribute value that is not closed', pos);
      if (c === quote) {
        pos++;
        return value;
      }
      if (c === '<') throw malformed('"<" inside an attribute value', pos);
      if (c === '&') value += reference();
      else {
        value += c === '\t' || c === '\n' || c === '\r' ? ' ' : c;
        pos++;
      }
    }
  };
  const element = (depth: number): XmlElement => {
    if (depth > 64) throw malformed('elements nested more than 64 deep', pos);
    expect('<');
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = isSpace(text[pos]);
      skipSpace();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return { name: tag, attributes, children: [] };
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      if (!hadSpace) throw malformed(`expected white space, ">" or "/>" in <${tag}>`, pos);
      const attr = name();
      skipSpace();
      expect('=');
      skipSpace();
      if (Object.prototype.hasOwnProperty.call(attributes, attr)) throw malformed(`attribute "${attr}" given twice`, pos);
      attributes[attr] = attributeValue();
    }
    const children: (XmlElement | string)[] = [];
    let textRun = '';
    const endText = (): void => {
      if (textRun) children.push(textRun);
      textRun = '';
    };
    for (;;) {
      const c = text[pos];
      if (c === undefined) throw malformed(`<${tag}> is never closed`, pos);
      if (c === '<') {
        if (text.startsWith('</', pos)) {
          pos += 2;
          const closing = name();
          if (closing !== tag) throw malformed(`</${closing}> closes <${tag}>`, pos);
          skipSpace();
          expect('>');
          endText();
          return { name: tag, attributes, children };
        }
        if (text.startsWith('<!--', pos)) comment();
        else if (text.startsWith('<![CDATA[', pos)) {
          const end = text.indexOf(']]>', pos);
          if (end < 0) throw malformed('a CDATA section that is not closed', pos);
          textRun += text.slice(pos + 9, end);
          pos = end + 3;
        } else if (text.startsWith('<?', pos)) pi();
        else if (text.startsWith('<!', pos)) throw malformed('a declaration inside an element', pos);
        else {
          endText();
          children.push(element(depth + 1));
        }
      } else if (c === '&') {
        textRun += reference();
      } else {
        if (c === '>' && text.startsWith(']]>', pos - 2)) throw malformed('"]]>" in text', pos);
        if (c === '\r') {
          textRun += '\n';
          pos += text[pos + 1] === '\n' ? 2 : 1;
        } else {
          textRun += c;
          pos++;
        }
      }
    }
  };

  if (text.startsWith('<?xml', pos) && isSpace(text[pos + 5])) {
    const end = text.indexOf('?>', pos);
    if (end < 0) throw malformed('an XML declaration that is not closed', pos);
    const decl = text.slice(pos + 5, end);
    if (!/^\s+version\s*=\s*(["'])1\.[0-9]+\1(\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\3)?(\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*$/.test(decl)) {
      throw malformed('an XML declaration that does not read version="1.x"', pos);
    }
    pos = end + 2;
  }
  misc();
  if (text.startsWith('<!DOCTYPE', pos)) throw malformed('a DOCTYPE, which iXML does not use', pos);
  if (text[pos] !== '<') throw malformed('expected the root element', pos);
  const root = element(0);
  misc();
  if (pos < text.length) throw malformed('content after the root element', pos);
  return root;
}

function textOf(element: XmlElement): string {
  return element.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join('');
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return (element?.children ?? []).filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/**
 * Reads a take's iXML (the chunk text; trailing padding is fine). Fields a foreign file lacks get
 * neutral values (empty text, FALSE, rating null, 25 fps …); a TIMECODE_RATE Loopstage does not
 * know is an error (RATE_UNKNOWN); a document that is not iXML is IXML_MALFORMED.
 */
export function parseIxml(text: string): TakeIxml {
  const root = parseXml(text);
  if (root.name !== 'BWFXML') throw new LoopstageError('IXML_MALFORMED', `This is XML but not iXML: its root element is <${root.name}>, not <BWFXML>.`, { root: root.name });
  const str = (parent: XmlElement | undefined, name: string): string => {
    const e = child(parent, name);
    return e ? textOf(e) : '';
  };
  const int = (parent: XmlElement | undefined, name: string, fallback: number): number => {
    const value = str(parent, name).trim();
    return /^\d+$/.test(value) ? Number(value) : fallback;
  };
  const isTrue = (value: string): boolean => value.trim().toUpperCase() === 'TRUE';
  const speed = child(root, 'SPEED');
  const loopstage = child(root, 'LOOPSTAGE');
  const ratio = str(speed, 'TIMECODE_RATE').trim() || str(speed, 'MASTER_SPEED').trim() || '25/1';
  const flag = str(speed, 'TIMECODE_FLAG').trim().toUpperCase() === 'DF' ? 'df' : 'ndf';
  const sampleRate = int(speed, 'FILE_SAMPLE_RATE', int(speed, 'TIMESTAMP_SAMPLE_RATE', 48_000));
  const ratingText = str(loopstage, 'RATING').trim();
  const tracks = children(child(root, 'TRACK_LIST'), 'TRACK')
    .map((track) => ({ index: int(track, 'INTERLEAVE_INDEX', int(track, 'CHANNEL_INDEX', 0)), name: str(track, 'NAME') }))
    .sort((a, b) => a.index - b.index)
    .map((track) => track.name);
  const history = child(root, 'HISTORY');
  const fileName = child(history, 'ORIGINAL_FILENAME');
  const ng = child(loopstage, 'NG');
  return {
    project: str(root, 'PROJECT'),
    scene: str(root, 'SCENE'),
    take: int(root, 'TAKE', 0),
    tape: str(root, 'TAPE'),
    circled: isTrue(str(root, 'CIRCLED')),
    alternate: isTrue(str(loopstage, 'ALTERNATE')),
    noGood: ng ? isTrue(textOf(ng)) : isTrue(str(root, 'NO_GOOD')),
    falseStart: isTrue(str(root, 'FALSE_START')),
    rating: /^[0-5]$/.test(ratingText) ? Number(ratingText) : null,
    note: str(root, 'NOTE'),
    frameRate: parseFrameRate(`${ratio}${flag}`),
    sampleRate,
    bitsPerSample: int(speed, 'AUDIO_BIT_DEPTH', 24),
    timestamp: int(speed, 'TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI', 0) * TWO_32 + int(speed, 'TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO', 0),
    tracks,
    cue: { number: str(loopstage, 'CUE_NUMBER'), character: str(loopstage, 'CHARACTER'), line: str(loopstage, 'LINE_TEXT') },
    ...(fileName ? { fileName: textOf(fileName) } : {}),
  };
}
