/**
 * Printed sheets as PDF, made with pdfkit (no browser, so the CLI and the headless server print
 * too): the supervisor's ADR cue sheet, talent sides for one character, and the Foley cue sheet.
 *
 * Paper: A4 by default (`options.paper: 'LETTER'` for US Letter). Cue sheets are landscape, sides
 * portrait.
 *
 * Layout is done here, not by pdfkit's text flow: every cell is wrapped into lines first (measured
 * with the real font), pages are planned with those heights, and only then drawn. So the page count
 * is known before the first header is drawn ("Page N of M"), a table row moves whole to the next
 * page when it does not fit (it is split between lines only when it is taller than a whole page),
 * and a group heading never sits alone at the foot of a page.
 *
 * Fonts: pdfkit's built-in Helvetica uses WinAnsi encoding, which shows Western European text
 * ("Émile", "Åsa", "Zoë") but not Polish, Greek, Cyrillic, CJK… When DejaVu Sans is installed
 * (Debian's fonts-dejavu-core: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf, with its Bold and
 * Oblique beside it) it is embedded (subset) instead and covers Latin, Greek, Cyrillic and more.
 * Either way no character reaches the page that the font cannot draw: text is NFC-normalized,
 * control and zero-width characters are dropped, a character the font lacks is replaced by a
 * simple look-alike (− → -, ł → l) or by its base letter without accents (NFD, marks dropped), and
 * failing that by "?". CJK ideographs and emoji therefore print as "?" (DejaVu has none); right-to-
 * left scripts print their letters in logical order (no bidi reordering).
 *
 * Determinism: the same input gives the same bytes. CreationDate and ModDate are `context.made`,
 * and pdfkit derives the trailer /ID from the document info (an MD5 of it), not from randomness;
 * font subset tags come from pdfkit's font ids, which count up in use order. Nothing reads a clock.
 *
 * What goes on each sheet: the ADR sheet and sides take the `adr` cues, the Foley sheet the `foley`
 * cues, each in input order (timeline order, as the cue list is kept). Omitted cues stay on the
 * cue sheets, greyed and marked OMIT, and are left out of sides. Without `context.character`,
 * sides are made for every character with lines, each starting on a new page and numbered on its
 * own ("Page 1 of 3" per character), so each actor's pages can be handed out separately.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { FOLEY_PASS_LABELS, FOLEY_PASSES, type Cue, type FoleyPass } from '../../core/cues/cue.js';
import { LoopstageError } from '../../core/errors.js';
import { position, positionToLabel, type FrameRate } from '../../core/time/index.js';
import type { ExportContext, PdfLayout } from '../../engine/ports/cue-formats.js';

/** Where Debian's fonts-dejavu-core puts DejaVu Sans; used for full Unicode when it exists. */
export const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface CuePdfOptions {
  /** 'A4' (default) or 'LETTER' (US Letter, 8.5 × 11 in). */
  readonly paper?: 'A4' | 'LETTER';
  /**
   * A TrueType font for full Unicode (its `-Bold` and `-Oblique` siblings are used when they sit
   * beside it). Default: DEJAVU_SANS when that file exists. `null`: built-in Helvetica only.
   */
  readonly unicodeFont?: string | null;
}

export type PdfContext = ExportContext & { character?: string };

export async function writeCuePdf(
  layout: PdfLayout,
  cues: readonly Cue[],
  context: PdfContext,
  options: CuePdfOptions = {},
): Promise<Uint8Array> {
  if (Number.isNaN(context.made.getTime())) {
    throw new LoopstageError('PDF_DATE_INVALID', 'The date the sheet was made is not a valid date; pass a real Date as `made`.', {});
  }
  const landscape = layout !== 'sides';
  const paper = PAPER[options.paper ?? 'A4'];
  const [pageWidth, pageHeight] = landscape ? [paper[1], paper[0]] : paper;
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: options.paper ?? 'A4',
    layout: landscape ? 'landscape' : 'portrait',
    margin: 0,
    compress: true,
    displayTitle: true,
    info: {
      Title: documentTitle(layout, context),
      Subject: LAYOUT_NAMES[layout],
      Creator: 'Loopstage',
      Producer: 'Loopstage (PDFKit)',
      CreationDate: context.made,
      ModDate: context.made,
    },
  });
  const chunks: Buffer[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  const fonts = new Fonts(doc, options.unicodeFont === undefined ? (existsSync(DEJAVU_SANS) ? DEJAVU_SANS : null) : options.unicodeFont);
  const page: PageGeometry = { width: pageWidth, height: pageHeight };
  const sections =
    layout === 'adr-sheet'
      ? [adrSheet(fonts, page, cues, context)]
      : layout === 'foley-sheet'
        ? [foleySheet(fonts, page, cues, context)]
        : talentSides(fonts, page, cues, context);

  for (const section of sections) {
    section.pages.forEach((ops, index) => {
      doc.addPage({ size: options.paper ?? 'A4', layout: landscape ? 'landscape' : 'portrait', margin: 0 });
      for (const op of [...section.header(index + 1, section.pages.length), ...ops]) draw(doc, fonts, op);
    });
  }
  doc.end();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}

// ————————————————————————————————————————————— geometry, styles, drawing

const PAPER: Readonly<Record<'A4' | 'LETTER', readonly [number, number]>> = {
  A4: [595.28, 841.89],
  LETTER: [612, 792],
};

const LAYOUT_NAMES: Readonly<Record<PdfLayout, string>> = {
  'adr-sheet': 'ADR cue sheet',
  sides: 'ADR sides',
  'foley-sheet': 'Foley cue sheet',
};

interface PageGeometry {
  readonly width: number;
  readonly height: number;
}

type FontKey = 'regular' | 'bold' | 'italic';

interface Style {
  readonly font: FontKey;
  readonly size: number;
  readonly color: string;
  /** Line height as a multiple of the size. */
  readonly leading?: number;
}

type Op =
  | { readonly kind: 'text'; readonly style: Style; readonly x: number; readonly y: number; readonly text: string }
  | { readonly kind: 'rule'; readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number; readonly color: string; readonly width: number }
  | { readonly kind: 'box'; readonly x: number; readonly y: number; readonly w: number; readonly h: number; readonly color: string };

/** A run of pages numbered together, with the header drawn on each. */
interface Section {
  readonly pages: Op[][];
  header(page: number, pages: number): Op[];
}

const INK = '#111111';
const GREY = '#555555';
const LIGHT = '#8a8a8a';
const RULE = '#c8c8c8';

function lineHeight(style: Style): number {
  return style.size * (style.leading ?? 1.25);
}

function draw(doc: PDFKit.PDFDocument, fonts: Fonts, op: Op): void {
  switch (op.kind) {
    case 'text':
      if (op.text === '') return;
      doc
        .font(fonts.name(op.style.font))
        .fontSize(op.style.size)
        .fillColor(op.style.color)
        // Centre the glyphs in the line box: pdfkit puts the top of the em box at y.
        .text(op.text, op.x, op.y + (lineHeight(op.style) - op.style.size * 1.15) / 2, { lineBreak: false });
      return;
    case 'rule':
      doc.moveTo(op.x1, op.y1).lineTo(op.x2, op.y2).lineWidth(op.width).strokeColor(op.color).stroke();
      return;
    case 'box':
      doc.rect(op.x, op.y, op.w, op.h).fillColor(op.color).fill();
      return;
  }
}

// ————————————————————————————————————————————— fonts and text cleaning

/** WinAnsi (cp1252) characters above Latin-1 that Helvetica can show. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Look-alikes for characters fonts often lack (and NFD cannot reduce to a base letter). */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '\u2010': '-', '\u2011': '-', '\u2012': '–', '\u2212': '-', '\u2032': "'", '\u2033': '"',
  '\u2002': ' ', '\u2003': ' ', '\u2007': ' ', '\u2009': ' ', '\u200A': ' ', '\u202F': ' ', '\u3000': ' ',
  'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ħ': 'h', 'Ħ': 'H', 'ı': 'i', 'ŀ': 'l', 'Ŀ': 'L',
  '\u2018': "'", '\u2019': "'", '\u201C': '"', '\u201D': '"', '\u2013': '-', '\u2014': '-', '\u2026': '...', '\u2022': '*',
};

/** Characters dropped outright: controls (tab and newlines are handled apart), zero-width marks, BOM. */
function dropped(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0x2060 || cp === 0xfeff;
}

interface GlyphSource {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

class Fonts {
  readonly unicode: boolean;
  private readonly names: Record<FontKey, string>;
  private readonly glyphs: Partial<Record<FontKey, GlyphSource>> = {};
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    unicodeFont: string | null,
  ) {
    if (unicodeFont !== null && existsSync(unicodeFont)) {
      const sibling = (suffix: string): string => {
        const file = path.join(path.dirname(unicodeFont), `${path.basename(unicodeFont, '.ttf')}-${suffix}.ttf`);
        return existsSync(file) ? file : unicodeFont;
      };
      doc.registerFont('ls-regular', unicodeFont);
      doc.registerFont('ls-bold', sibling('Bold'));
      doc.registerFont('ls-italic', sibling('Oblique'));
      this.names = { regular: 'ls-regular', bold: 'ls-bold', italic: 'ls-italic' };
      this.unicode = true;
      for (const key of ['regular', 'bold', 'italic'] as const) {
        // pdfkit keeps the fontkit font of an embedded font at `_font.font`; its glyph check is
        // how we know what the font can draw. Guarded: if pdfkit changes, every character passes.
        const font = (doc.font(this.names[key]) as unknown as { _font?: { font?: Partial<GlyphSource> } })._font?.font;
        if (typeof font?.hasGlyphForCodePoint === 'function') this.glyphs[key] = font as GlyphSource;
      }
    } else {
      this.names = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique' };
      this.unicode = false;
    }
  }

  name(key: FontKey): string {
    return this.names[key];
  }

  width(style: Style, text: string): number {
    return this.doc.font(this.names[style.font]).fontSize(style.size).widthOfString(text);
  }

  /** `text` with only characters the font can draw (see the module comment). */
  clean(key: FontKey, text: string): string {
    let out = '';
    for (const char of text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ')) {
      if (char === '\n') out += char;
      else if (!dropped(char.codePointAt(0) ?? 0)) out += this.cleanChar(key, char);
    }
    return out;
  }

  private cleanChar(key: FontKey, char: string): string {
    const cacheKey = `${key}${char}`;
    let done = this.cache.get(cacheKey);
    if (done === undefined) {
      done = this.substitute(key, char);
      this.cache.set(cacheKey, done);
    }
    return done;
  }

  private substitute(key: FontKey, char: string): string {
    if (this.canDraw(key, char)) return char;
    const lookAlike = LOOK_ALIKES[char];
    if (lookAlike !== undefined && [...lookAlike].every((c) => this.canDraw(key, c))) return lookAlike;
    const base = char.normalize('NFD').replace(/\p{M}/gu, '');
    if (base !== '' && base !== char && [...base].every((c) => this.canDraw(key, c))) return base;
    return '?';
  }

  private canDraw(key: FontKey, char: string): boolean {
    const cp = char.codePointAt(0) ?? 0;
    if (!this.unicode) return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(char);
    if (cp === 0x20) return true;
    const glyphs = this.glyphs[key];
    return glyphs === undefined || glyphs.hasGlyphForCodePoint(cp);
  }
}

// ————————————————————————————————————————————— wrapping

interface Span {
  readonly text: string;
  readonly style: Style;
}

interface Line {
  readonly text: string;
  readonly style: Style;
  readonly height: number;
}

/** Greedy word wrap to `width`, with hard breaks at newlines; a word longer than a line is broken between characters. */
function wrap(fonts: Fonts, span: Span, width: number): Line[] {
  const { style } = span;
  const text = fonts.clean(style.font, span.text);
  const fits = (s: string): boolean => fonts.width(style, s) <= width;
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let current = '';
    for (const word of paragraph.split(/ +/).filter((w) => w !== '')) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (fits(candidate)) {
        current = candidate;
        continue;
      }
      if (current !== '') lines.push(current);
      current = '';
      if (fits(word)) {
        current = word;
        continue;
      }
      for (const char of word) {
        if (current !== '' && !fits(current + char)) {
          lines.push(current);
          current = '';
        }
        current += char;
      }
    }
    lines.push(current);
  }
  // Trailing empty paragraphs (a line ending in a newline) would only add blank space.
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((t) => ({ text: t, style, height: lineHeight(style) }));
}

function wrapAll(fonts: Fonts, spans: readonly Span[], width: number): Line[] {
  return spans.filter((s) => s.text.trim() !== '').flatMap((s) => wrap(fonts, s, width));
}

function linesHeight(lines: readonly Line[]): number {
  return lines.reduce((sum, l) => sum + l.height, 0);
}

function textOps(lines: readonly Line[], x: number, y: number): Op[] {
  const ops: Op[] = [];
  let top = y;
  for (const line of lines) {
    ops.push({ kind: 'text', style: line.style, x, y: top, text: line.text });
    top += line.height;
  }
  return ops;
}

// ————————————————————————————————————————————— shared labels

function tc(samples: number, context: PdfContext): string {
  return positionToLabel(position(samples), context.frameRate, context.sampleRate);
}

function rateLabel(rate: FrameRate): string {
  const m = /^([\d.]+)(df|ndf)?$/.exec(rate.id);
  const fps = m?.[1] ?? rate.id;
  return m?.[2] ? `${fps} fps ${m[2].toUpperCase()}` : `${fps} fps`;
}

function madeLabel(made: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${made.getUTCFullYear()}-${pad(made.getUTCMonth() + 1)}-${pad(made.getUTCDate())} ${pad(made.getUTCHours())}:${pad(made.getUTCMinutes())} UTC`;
}

function documentTitle(layout: PdfLayout, context: PdfContext): string {
  const parts = [context.title, LAYOUT_NAMES[layout]];
  if (layout === 'sides' && context.character) parts.push(context.character);
  return parts.filter((p) => p !== '').join(' — ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A reason as the project's list names it. */
function reasonLabel(reason: string | null, context: PdfContext): string {
  if (reason === null) return '';
  return context.reasonCodes.find((r) => r.code.toLowerCase() === reason.toLowerCase())?.label ?? reason;
}

function adrFlags(cue: Cue): string[] {
  const flags: string[] = [];
  if (cue.tv) flags.push('TV');
  if (cue.tbw) flags.push('TBW');
  if (cue.adlib) flags.push('ADLIB');
  if (cue.optional) flags.push('OPT');
  return flags;
}

// ————————————————————————————————————————————— cue sheets (tables)

const SHEET_MARGIN = 34;

/** The header of a cue sheet: title and page count on top, what and when below, then a rule. */
function sheetSection(fonts: Fonts, page: PageGeometry, context: PdfContext, what: string): Section & { bodyTop: number; bodyBottom: number } {
  const left = SHEET_MARGIN;
  const right = page.width - SHEET_MARGIN;
  const top = SHEET_MARGIN;
  const title: Style = { font: 'bold', size: 15, color: INK };
  const pageStyle: Style = { font: 'bold', size: 10, color: INK };
  const sub: Style = { font: 'regular', size: 9, color: GREY };
  const detail = `${rateLabel(context.frameRate)}  ·  Made ${madeLabel(context.made)}`;
  const titleText = fitOne(fonts, title, context.title === '' ? 'Untitled project' : context.title, right - left - 110);
  return {
    pages: [],
    bodyTop: top + 46,
    bodyBottom: page.height - SHEET_MARGIN,
    header: (n, count) => {
      const pageText = `Page ${n} of ${count}`;
      return [
        { kind: 'text', style: title, x: left, y: top, text: titleText },
        { kind: 'text', style: pageStyle, x: right - fonts.width(pageStyle, pageText), y: top + 3, text: pageText },
        { kind: 'text', style: sub, x: left, y: top + 22, text: fonts.clean('regular', what) },
        { kind: 'text', style: sub, x: right - fonts.width(sub, detail), y: top + 22, text: detail },
        { kind: 'rule', x1: left, y1: top + 37, x2: right, y2: top + 37, color: INK, width: 1.2 },
      ];
    },
  };
}

/** One line of `text`, cut with an ellipsis to fit `width`. */
function fitOne(fonts: Fonts, style: Style, text: string, width: number): string {
  const clean = fonts.clean(style.font, text).replace(/\s+/g, ' ');
  if (fonts.width(style, clean) <= width) return clean;
  const chars = [...clean];
  while (chars.length > 0 && fonts.width(style, `${chars.join('')}…`) > width) chars.pop();
  return `${chars.join('')}…`;
}

interface ColumnSpec {
  readonly title: string;
  /** Points, or 0 for the one column that takes what is left. */
  readonly width: number;
}

interface TableRow {
  readonly cells: readonly (readonly Span[])[];
  /** Shown in the first column when a row taller than a page continues on the next. */
  readonly label: string;
  readonly dim: boolean;
}

interface TableGroup {
  readonly heading: string;
  readonly note: string;
  readonly rows: readonly TableRow[];
}

const CELL: Style = { font: 'regular', size: 8.5, color: INK };
const CELL_BOLD: Style = { ...CELL, font: 'bold' };
const CELL_NOTE: Style = { font: 'italic', size: 8, color: GREY };
const HEAD: Style = { font: 'bold', size: 7.5, color: INK };
const GROUP: Style = { font: 'bold', size: 11.5, color: INK };
const GROUP_NOTE: Style = { font: 'regular', size: 9, color: GREY };
const PAD_X = 4;
const PAD_Y = 3.5;

function dimmed(style: Style): Style {
  return { ...style, color: LIGHT };
}

/**
 * Lays `groups` out as a table over as many pages as needed. Each group starts with its heading
 * (when it has one) and the column titles; both repeat, marked "continued", on a page a group
 * continues onto. Rows move whole to the next page; only a row taller than a page is split.
 */
function layoutTable(
  fonts: Fonts,
  page: PageGeometry,
  section: Section & { bodyTop: number; bodyBottom: number },
  specs: readonly ColumnSpec[],
  groups: readonly TableGroup[],
): void {
  const left = SHEET_MARGIN;
  const tableWidth = page.width - 2 * SHEET_MARGIN;
  const fixed = specs.reduce((sum, s) => sum + s.width, 0);
  const widths = specs.map((s) => (s.width === 0 ? Math.max(60, tableWidth - fixed) : s.width));
  const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const headLines = specs.map((s, i) => wrap(fonts, { text: s.title, style: HEAD }, (widths[i] ?? 0) - 2 * PAD_X));
  const headHeight = Math.max(...headLines.map(linesHeight)) + 2 * PAD_Y + 1;
  const groupHeight = 24;

  let ops: Op[] = [];
  let y = section.bodyTop;
  const newPage = (): void => {
    ops = [];
    section.pages.push(ops);
    y = section.bodyTop;
  };
  const room = (): number => section.bodyBottom - y;

  const drawHeading = (group: TableGroup, continued: boolean): void => {
    if (group.heading === '') return;
    const heading = fonts.clean('bold', group.heading);
    const note = continued ? `${group.note}, continued` : group.note;
    ops.push({ kind: 'text', style: GROUP, x: left, y: y + 6, text: heading });
    ops.push({ kind: 'text', style: GROUP_NOTE, x: left + fonts.width(GROUP, heading) + 6, y: y + 6 + (GROUP.size - GROUP_NOTE.size) * 0.9, text: `(${note})` });
    y += groupHeight;
  };
  const drawColumnTitles = (): void => {
    ops.push({ kind: 'box', x: left, y, w: tableWidth, h: headHeight, color: '#e4e4e4' });
    headLines.forEach((lines, i) => ops.push(...textOps(lines, (xs[i] ?? 0) + PAD_X, y + PAD_Y)));
    ops.push({ kind: 'rule', x1: left, y1: y + headHeight, x2: left + tableWidth, y2: y + headHeight, color: INK, width: 0.8 });
    y += headHeight;
  };
  const preamble = (group: TableGroup): number => (group.heading === '' ? 0 : groupHeight) + headHeight;
  const drawRow = (cells: readonly (readonly Line[])[], height: number, shade: boolean): void => {
    if (shade) ops.push({ kind: 'box', x: left, y, w: tableWidth, h: height, color: '#f3f3f3' });
    cells.forEach((lines, i) => ops.push(...textOps(lines, (xs[i] ?? 0) + PAD_X, y + PAD_Y)));
    ops.push({ kind: 'rule', x1: left, y1: y + height, x2: left + tableWidth, y2: y + height, color: RULE, width: 0.5 });
    y += height;
  };

  newPage();
  let first = true;
  for (const group of groups) {
    const rows = group.rows.map((row) => row.cells.map((spans, i) => wrapAll(fonts, spans, (widths[i] ?? 0) - 2 * PAD_X)));
    const heights = rows.map((cells) => Math.max(...cells.map(linesHeight), lineHeight(CELL)) + 2 * PAD_Y);
    // Keep the heading with the column titles and the first row.
    const firstRow = Math.min(heights[0] ?? 0, section.bodyBottom - section.bodyTop - preamble(group));
    if (!first && room() < preamble(group) + firstRow + 8) newPage();
    else if (!first) y += 8;
    first = false;
    drawHeading(group, false);
    drawColumnTitles();
    const fullRoom = section.bodyBottom - section.bodyTop - preamble(group);
    rows.forEach((cells, r) => {
      const row = group.rows[r] as TableRow;
      const shade = r % 2 === 1;
      const height = heights[r] ?? 0;
      if (height > room() && (height <= fullRoom || room() < 4 * lineHeight(CELL) + 2 * PAD_Y)) {
        newPage();
        drawHeading(group, true);
        drawColumnTitles();
      }
      if (height <= room()) {
        drawRow(cells, height, shade);
        return;
      }
      // Taller than a page: fill the pages line by line, labelling each continuation.
      let rest = cells.map((lines) => [...lines]);
      for (;;) {
        const avail = room() - 2 * PAD_Y;
        const part = rest.map((lines) => takeLines(lines, avail));
        rest = rest.map((lines, i) => lines.slice(part[i]?.length ?? 0));
        drawRow(part, Math.max(...part.map(linesHeight)) + 2 * PAD_Y, shade);
        if (rest.every((lines) => lines.length === 0)) break;
        newPage();
        drawHeading(group, true);
        drawColumnTitles();
        rest[0] = wrap(fonts, { text: `${row.label} (cont.)`, style: row.dim ? dimmed(CELL_BOLD) : CELL_BOLD }, (widths[0] ?? 0) - 2 * PAD_X);
      }
    });
  }
}

/** The leading lines of `lines` that fit in `height` (at least one, so progress is made). */
function takeLines(lines: readonly Line[], height: number): Line[] {
  const out: Line[] = [];
  let used = 0;
  for (const line of lines) {
    if (out.length > 0 && used + line.height > height) break;
    out.push(line);
    used += line.height;
  }
  return out;
}

function emptyMessage(section: Section & { bodyTop: number }, text: string): void {
  section.pages.push([{ kind: 'text', style: { font: 'regular', size: 12, color: GREY }, x: SHEET_MARGIN, y: section.bodyTop + 16, text }]);
}

function adrSheet(fonts: Fonts, page: PageGeometry, all: readonly Cue[], context: PdfContext): Section {
  const cues = all.filter((c) => c.kind === 'adr');
  const section = sheetSection(fonts, page, context, `ADR cue sheet  ·  ${plural(cues.length, 'cue')}`);
  if (cues.length === 0) {
    emptyMessage(section, 'There are no ADR cues on this sheet.');
    return section;
  }
  const specs: ColumnSpec[] = [
    { title: 'Cue', width: 50 },
    { title: 'Character', width: 82 },
    { title: 'TC In', width: 64 },
    { title: 'TC Out', width: 64 },
    { title: 'Reason', width: 66 },
    { title: 'Flags', width: 52 },
    { title: 'Line', width: 0 },
    { title: 'Notes', width: 140 },
  ];
  const rows: TableRow[] = cues.map((cue) => {
    const omitted = cue.status === 'omitted';
    const s = (style: Style): Style => (omitted ? dimmed(style) : style);
    const flags = adrFlags(cue);
    if (omitted) flags.unshift('OMIT');
    const line: Span[] = [
      cue.lineText.trim() === ''
        ? { text: cue.tbw ? '(line to be written)' : '(no line text)', style: s(CELL_NOTE) }
        : { text: cue.lineText, style: s(CELL) },
    ];
    if (cue.altText.trim() !== '') line.push({ text: `Alt: ${cue.altText}`, style: s(CELL_NOTE) });
    const notes: Span[] = [{ text: cue.notes, style: s(CELL) }];
    if (cue.engNotes.trim() !== '') notes.push({ text: `Eng: ${cue.engNotes}`, style: s(CELL_NOTE) });
    return {
      label: cue.number,
      dim: omitted,
      cells: [
        [{ text: cue.number, style: s(CELL_BOLD) }],
        [{ text: cue.character ?? '', style: s(CELL) }],
        [{ text: tc(cue.in, context), style: s(CELL) }],
        [{ text: tc(cue.out, context), style: s(CELL) }],
        [{ text: reasonLabel(cue.reason, context), style: s(CELL) }],
        [{ text: flags.join(' '), style: s(CELL_BOLD) }],
        line,
        notes,
      ],
    };
  });
  layoutTable(fonts, page, section, specs, [{ heading: '', note: '', rows }]);
  return section;
}


function foleySheet(fonts: Fonts, page: PageGeometry, all: readonly Cue[], context: PdfContext): Section {
  const cues = all.filter((c) => c.kind === 'foley');
  const section = sheetSection(fonts, page, context, `Foley cue sheet  ·  ${plural(cues.length, 'cue')}`);
  if (cues.length === 0) {
    emptyMessage(section, 'There are no Foley cues on this sheet.');
    return section;
  }
  const specs: ColumnSpec[] = [
    { title: 'Cue', width: 46 },
    { title: 'TC In', width: 64 },
    { title: 'TC Out', width: 64 },
    { title: 'Character', width: 72 },
    { title: 'Description', width: 0 },
    { title: 'Surface', width: 66 },
    { title: 'Footwear', width: 66 },
    { title: 'Prop', width: 66 },
    { title: 'Track', width: 54 },
    { title: 'Notes', width: 118 },
  ];
  const row = (cue: Cue): TableRow => {
    const omitted = cue.status === 'omitted';
    const s = (style: Style): Style => (omitted ? dimmed(style) : style);
    const notes: Span[] = [];
    if (omitted) notes.push({ text: 'OMITTED', style: s(CELL_BOLD) });
    notes.push({ text: cue.notes, style: s(CELL) });
    if (cue.engNotes.trim() !== '') notes.push({ text: `Eng: ${cue.engNotes}`, style: s(CELL_NOTE) });
    return {
      label: cue.number,
      dim: omitted,
      cells: [
        [{ text: cue.number, style: s(CELL_BOLD) }],
        [{ text: tc(cue.in, context), style: s(CELL) }],
        [{ text: tc(cue.out, context), style: s(CELL) }],
        [{ text: cue.character ?? '', style: s(CELL) }],
        [{ text: cue.description, style: s(CELL) }],
        [{ text: cue.surface, style: s(CELL) }],
        [{ text: cue.footwear, style: s(CELL) }],
        [{ text: cue.prop, style: s(CELL) }],
        [{ text: cue.track, style: s(CELL) }],
        notes,
      ],
    };
  };
  const passes: (FoleyPass | null)[] = [...FOLEY_PASSES, null];
  const groups: TableGroup[] = passes
    .map((pass) => {
      const members = cues.filter((c) => (FOLEY_PASSES.includes(c.pass as FoleyPass) ? c.pass : null) === pass);
      return { heading: pass === null ? 'No pass' : FOLEY_PASS_LABELS[pass], note: plural(members.length, 'cue'), rows: members.map(row) };
    })
    .filter((g) => g.rows.length > 0);
  layoutTable(fonts, page, section, specs, groups);
  return section;
}

// ————————————————————————————————————————————— talent sides

const SIDES_MARGIN_X = 54;
const SIDES_MARGIN_Y = 44;
const META: Style = { font: 'bold', size: 10, color: INK };
const META_TC: Style = { font: 'regular', size: 10, color: GREY };
const LINE: Style = { font: 'regular', size: 19, color: '#000000', leading: 1.32 };
const ALT: Style = { font: 'italic', size: 13, color: GREY, leading: 1.3 };
const NOTE_RULES = 3;
const NOTE_RULE_GAP = 21;
const BLOCK_GAP = 20;

interface Atom {
  readonly height: number;
  ops(y: number): Op[];
}

function talentSides(fonts: Fonts, page: PageGeometry, all: readonly Cue[], context: PdfContext): Section[] {
  const lines = all.filter((c) => c.kind === 'adr' && c.status !== 'omitted');
  const key = (name: string | null): string => (name ?? '').normalize('NFC').trim().toLocaleLowerCase('en');
  if (context.character !== undefined) {
    const wanted = key(context.character);
    return [sidesFor(fonts, page, context, context.character, lines.filter((c) => key(c.character) === wanted))];
  }
  const names: (string | null)[] = [];
  for (const cue of lines) if (!names.some((n) => key(n) === key(cue.character))) names.push(cue.character);
  if (names.length === 0) return [sidesFor(fonts, page, context, null, [])];
  return names.map((name) => sidesFor(fonts, page, context, name, lines.filter((c) => key(c.character) === key(name))));
}

function sidesFor(fonts: Fonts, page: PageGeometry, context: PdfContext, character: string | null, cues: readonly Cue[]): Section {
  const left = SIDES_MARGIN_X;
  const right = page.width - SIDES_MARGIN_X;
  const width = right - left;
  const top = SIDES_MARGIN_Y;
  const bodyTop = top + 80;
  const bodyBottom = page.height - SIDES_MARGIN_Y;
  const nameKey = character === null ? '' : character.normalize('NFC').trim().toLocaleLowerCase('en');
  const record = context.characters.find((c) => c.name.normalize('NFC').trim().toLocaleLowerCase('en') === nameKey);
  const name = character === null || character.trim() === '' ? 'No character' : (record?.name ?? character);
  const actor = record?.actor.trim() ?? '';

  const nameStyle: Style = { font: 'bold', size: 22, color: INK };
  const pageStyle: Style = { font: 'bold', size: 10, color: INK };
  const info: Style = { font: 'regular', size: 11, color: '#333333' };
  const infoBold: Style = { ...info, font: 'bold' };
  const small: Style = { font: 'regular', size: 9, color: GREY };
  const titleText = fitOne(fonts, infoBold, context.title === '' ? 'Untitled project' : context.title, width / 2);
  const nameText = fitOne(fonts, nameStyle, name, width - 90);
  const actorText = fitOne(fonts, info, actor === '' ? 'Actor: not set' : `Actor: ${actor}`, width / 2 - 8);
  const detail = `ADR sides  ·  ${rateLabel(context.frameRate)}  ·  ${madeLabel(context.made)}`;
  const count = plural(cues.length, 'line');

  const section: Section = {
    pages: [],
    header: (n, total) => {
      const pageText = `Page ${n} of ${total}`;
      return [
        { kind: 'text', style: nameStyle, x: left, y: top, text: nameText },
        { kind: 'text', style: pageStyle, x: right - fonts.width(pageStyle, pageText), y: top + 2, text: pageText },
        { kind: 'text', style: info, x: left, y: top + 31, text: actorText },
        { kind: 'text', style: infoBold, x: right - fonts.width(infoBold, titleText), y: top + 31, text: titleText },
        { kind: 'text', style: small, x: left, y: top + 48, text: count },
        { kind: 'text', style: small, x: right - fonts.width(small, detail), y: top + 48, text: detail },
        { kind: 'rule', x1: left, y1: top + 64, x2: right, y2: top + 64, color: INK, width: 1.2 },
      ];
    },
  };
  if (cues.length === 0) {
    section.pages.push([{ kind: 'text', style: { font: 'regular', size: 14, color: GREY }, x: left, y: bodyTop + 16, text: fonts.clean('regular', `There are no lines for ${name}.`) }]);
    return section;
  }

  let ops: Op[] = [];
  let y = bodyTop;
  const newPage = (): void => {
    ops = [];
    section.pages.push(ops);
    y = bodyTop;
  };
  const place = (atom: Atom): void => {
    ops.push(...atom.ops(y));
    y += atom.height;
  };
  newPage();
  cues.forEach((cue, index) => {
    const atoms = sideAtoms(fonts, cue, context, left, width);
    const height = atoms.reduce((sum, a) => sum + a.height, 0);
    const gap = index === 0 || y === bodyTop ? 0 : BLOCK_GAP;
    if (gap + height <= bodyBottom - y) {
      y += gap;
      atoms.forEach(place);
      return;
    }
    if (height <= bodyBottom - bodyTop) {
      newPage();
      atoms.forEach(place);
      return;
    }
    // A block taller than a page: break between its lines, never inside one, and say whose
    // line continues at the top of the next page.
    y += gap;
    const cont = continuedAtom(fonts, cue, left);
    for (const atom of atoms) {
      if (atom.height > bodyBottom - y && y > bodyTop) {
        newPage();
        place(cont);
      }
      place(atom);
    }
  });
  return section;
}

function continuedAtom(fonts: Fonts, cue: Cue, left: number): Atom {
  const text = fonts.clean('bold', `${cue.number} (continued)`);
  return { height: lineHeight(META) + 3, ops: (y) => [{ kind: 'text', style: dimmed(META), x: left, y, text }] };
}

function sideAtoms(fonts: Fonts, cue: Cue, context: PdfContext, left: number, width: number): Atom[] {
  const number = fonts.clean('bold', cue.number);
  const timecode = `TC ${tc(cue.in, context)}`;
  const extras: string[] = [];
  if (cue.onScreen === true) extras.push('On screen');
  if (cue.onScreen === false) extras.push('Off screen');
  if (cue.adlib) extras.push('Ad lib');
  if (cue.tv) extras.push('TV version');
  if (cue.optional) extras.push('Optional');
  const after = [timecode, ...extras].join('   ·   ');
  const meta: Atom = {
    height: lineHeight(META) + 3,
    ops: (y) => [
      { kind: 'text', style: META, x: left, y, text: number },
      { kind: 'text', style: META_TC, x: left + fonts.width(META, number) + 12, y, text: after },
    ],
  };
  const text =
    cue.lineText.trim() === ''
      ? wrap(fonts, { text: cue.tbw ? '(line to be written)' : '(no line text)', style: { ...LINE, font: 'italic', color: GREY } }, width)
      : wrap(fonts, { text: cue.lineText, style: LINE }, width);
  const alt = cue.altText.trim() === '' ? [] : wrap(fonts, { text: `Alt: ${cue.altText}`, style: ALT }, width);
  const lineAtoms: Atom[] = [...text, ...alt].map((line) => ({
    height: line.height,
    ops: (y) => [{ kind: 'text', style: line.style, x: left, y, text: line.text }],
  }));
  const notes: Atom = {
    height: 6 + NOTE_RULES * NOTE_RULE_GAP,
    ops: (y) =>
      Array.from({ length: NOTE_RULES }, (_, i): Op => {
        const ry = y + 6 + (i + 1) * NOTE_RULE_GAP;
        return { kind: 'rule', x1: left, y1: ry, x2: left + width, y2: ry, color: '#b4b4b4', width: 0.6 };
      }),
  };
  return [meta, ...lineAtoms, notes];
}
