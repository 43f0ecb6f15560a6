// PDF cue sheets and sides, read back with poppler (pdftotext, pdfinfo): what is on each page,
// page numbering, timecode labels at the project rate, non-ASCII text, determinism. Each test also
// leaves a PNG of its first page in /tmp/loopstage-pdf-preview/ for a look by eye.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCuePdf, type CuePdfOptions, type PdfContext } from '../../src/adapters/interchange/pdf-sheets.js';
import { CUE_FIELD_DEFAULTS, type Cue, type FoleyPass, DEFAULT_REASON_CODES } from '../../src/core/cues/cue.js';
import { FRAME_RATES, labelToPosition, positionToLabel, position } from '../../src/core/time/index.js';
import type { PdfLayout } from '../../src/engine/ports/cue-formats.js';

const PREVIEW_DIR = '/tmp/loopstage-pdf-preview';
const hasPoppler = ['pdftotext', 'pdfinfo', 'pdftoppm'].every((tool) => spawnSync(tool, ['-v']).error === undefined);

const RATE = FRAME_RATES['29.97df'];
const SAMPLE_RATE = 48_000;
const MADE = new Date(Date.UTC(2025, 2, 14, 10, 30, 0));

const context: PdfContext = {
  title: 'The Lighthouse Keeper — Reel mix v3',
  frameRate: RATE,
  sampleRate: SAMPLE_RATE,
  characters: [
    { id: 1, name: 'Émile', actor: 'Zoë Marchand', prefix: 'EM', colour: '' },
    { id: 2, name: 'Åsa', actor: 'Åsa Lindqvist', prefix: 'AS', colour: '' },
    { id: 3, name: 'Hank', actor: 'Hank Doyle', prefix: 'HA', colour: '' },
  ],
  scenes: [],
  // The project renamed one label: sheets print the project's names, not the defaults.
  reasonCodes: DEFAULT_REASON_CODES.map((r) => (r.code === 'performance' ? { ...r, label: 'Read / performance' } : r)),
  made: MADE,
};

let nextId = 1;
function cue(fields: Partial<Cue> & Pick<Cue, 'kind' | 'number' | 'in' | 'out'>): Cue {
  return { ...CUE_FIELD_DEFAULTS, id: nextId++, doneAt: null, updatedAt: '2025-03-01T00:00:00.000Z', ...fields };
}

function at(label: string): number {
  return labelToPosition(label, RATE, SAMPLE_RATE);
}

/** The timecode label of a sample at the project rate, as the sheet should print it. */
function label(samples: number): string {
  return positionToLabel(position(samples), RATE, SAMPLE_RATE);
}

const WORDS = [
  'the', 'tide', 'is', 'turning', 'and', 'nobody', 'told', 'me', 'lamp', 'oil', 'storm', 'harbour',
  'listen', 'please', 'we', 'never', 'wanted', 'this', 'keeper', 'rope', 'café', 'naïve', 'señor', 'Straße',
];
const CHARACTERS = ['Émile', 'Åsa', 'Hank'] as const;

/** 60 ADR cues, 20 per character, interleaved along the timeline, lines from short to very long. */
function adrCues(): Cue[] {
  const cues: Cue[] = [];
  for (let i = 0; i < 60; i++) {
    const character = CHARACTERS[i % 3] ?? 'Hank';
    const length = 4 + ((i * 7) % 23) * (i % 5 === 0 ? 4 : 1);
    const words = Array.from({ length }, (_, w) => WORDS[(i * 5 + w * 3) % WORDS.length] ?? 'x');
    // A token only this line has, so a test can tell lines apart in extracted text.
    words.splice(1, 0, `L${String(i).padStart(2, '0')}q`);
    const lineText = `${words.join(' ')}.`.replace(/^./, (c) => c.toUpperCase());
    const pad = (n: number): string => String(n).padStart(2, '0');
    // Ascending along the timeline; frames from 02 so no drop-frame label is skipped.
    const tcIn = `01:${pad(Math.floor(i / 2))}:${pad((i % 2) * 30 + (i % 7))};${pad(2 + ((i * 7) % 28))}`;
    cues.push(
      cue({
        kind: 'adr',
        number: `A${101 + i}`,
        in: at(tcIn),
        out: at(tcIn) + 3 * SAMPLE_RATE + i * 1001,
        character,
        reel: `R${1 + Math.floor(i / 20)}`,
        lineText,
        altText: i % 9 === 0 ? `Alternative: ${WORDS.slice(0, 6).join(' ')} L${String(i).padStart(2, '0')}alt` : '',
        reason: (['noise', 'performance', 'added', 'script', null] as const)[i % 5] ?? null,
        tv: i % 4 === 0,
        tbw: i % 11 === 0,
        adlib: i % 6 === 0,
        optional: i % 8 === 0,
        onScreen: i % 3 === 0 ? false : true,
        notes: i % 4 === 1 ? 'Match the energy of take 3; wild line recorded on set is too noisy to use.' : '',
        engNotes: i % 10 === 2 ? 'Lav + boom, 2 ft' : '',
        status: i === 59 ? 'omitted' : 'todo',
      }),
    );
  }
  return cues;
}

const PASS_ORDER: (FoleyPass | null)[] = ['feet', 'props', 'cloth', 'moves', 'specifics', null];

/** 30 Foley cues across every pass (and some without one), not in pass order on the timeline. */
function foleyCues(): Cue[] {
  const cues: Cue[] = [];
  for (let i = 0; i < 30; i++) {
    const pass = PASS_ORDER[(i * 5) % 6] ?? null;
    const k = Math.floor(i / 6) % 3;
    cues.push(
      cue({
        kind: 'foley',
        number: `F${201 + i}`,
        in: at(`01:${String(10 + i).padStart(2, '0')}:00;10`),
        out: at(`01:${String(10 + i).padStart(2, '0')}:04;12`),
        character: i % 4 === 3 ? null : (CHARACTERS[i % 3] ?? null),
        pass,
        description: `Walks to the window, stops, turns back; token D${String(i).padStart(2, '0')}x`,
        surface: pass === 'feet' ? ['Wood floor', 'Gravel', 'Wet sand'][k] ?? '' : '',
        footwear: pass === 'feet' ? ['Leather boots', 'Heels', 'Barefoot'][k] ?? '' : '',
        prop: pass === 'props' ? ['Oil lamp', 'Keys', 'Tin mug'][k] ?? '' : '',
        track: `${pass === null ? 'FX' : pass} ${1 + (i % 2)}`,
        notes: i % 5 === 0 ? 'Sync to picture; soft on the turn.' : '',
        status: i === 7 ? 'omitted' : 'todo',
      }),
    );
  }
  return cues;
}

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'loopstage-pdf-'));
  mkdirSync(PREVIEW_DIR, { recursive: true });
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface Rendered {
  readonly bytes: Uint8Array;
  readonly file: string;
  readonly pages: number;
  /** `pdftotext -layout`, one string per page. */
  readonly layoutPages: string[];
  /** `pdftotext -raw` (content-stream order), one string per page, whitespace collapsed. */
  readonly rawPages: string[];
  readonly info: string;
}

function run(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

async function render(name: string, layout: PdfLayout, cues: readonly Cue[], ctx: PdfContext, options?: CuePdfOptions): Promise<Rendered> {
  const bytes = await writeCuePdf(layout, cues, ctx, options);
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, bytes);
  const info = run('pdfinfo', [file]);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  const layoutPages = run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']).split('\f').slice(0, pages);
  const rawPages = run('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-']).split('\f').slice(0, pages).map(squash);
  run('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', '-singlefile', file, path.join(PREVIEW_DIR, name)]);
  return { bytes, file, pages, layoutPages, rawPages, info };
}

function expectPageNumbers(pages: readonly string[]): void {
  pages.forEach((text, i) => expect(text).toContain(`Page ${i + 1} of ${pages.length}`));
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

describe('PDF sheets (read back with poppler)', () => {
  beforeAll(() => {
    if (!hasPoppler) throw new Error('these tests read PDFs back with poppler: apt-get install poppler-utils (.ci/run does this)');
  });

  const adr = adrCues();
  const foley = foleyCues();

  it('ADR cue sheet: one row per cue over several landscape pages, headers numbered, rows whole', async () => {
    const out = await render('adr-sheet', 'adr-sheet', [...adr, ...foley], context);
    expect(out.pages).toBeGreaterThan(1);
    expect(out.info).toMatch(/Page size:\s+841\.89 x 595\.28 pts \(A4\)/); // landscape A4
    expect(out.info).toMatch(/Title:\s+The Lighthouse Keeper — Reel mix v3 — ADR cue sheet/);
    expectPageNumbers(out.layoutPages);
    for (const page of out.layoutPages) {
      expect(page).toContain('The Lighthouse Keeper — Reel mix v3');
      expect(page).toContain('ADR cue sheet');
      expect(page).toContain('29.97 fps DF');
      expect(page).toContain('Made 2025-03-14 10:30 UTC');
      expect(page).toMatch(/Cue\s+Character\s+TC In\s+TC Out\s+Reason\s+Flags\s+Line\s+Notes/);
    }
    const all = out.rawPages.join(' ');
    // Every ADR cue is a row, once; the Foley cues are not on this sheet.
    expect(count(all, /\bA1\d\d\b/g)).toBe(60);
    expect(count(all, /\bF2\d\d\b/g)).toBe(0);
    // Rows in input (timeline) order, each whole on one page with its full line and both timecodes.
    let last = -1;
    for (const c of adr) {
      const pageIndex = out.rawPages.findIndex((p) => p.includes(squash(c.lineText)));
      expect(pageIndex, `${c.number} whole on one page`).toBeGreaterThanOrEqual(0);
      const page = out.rawPages[pageIndex] ?? '';
      expect(page).toContain(label(c.in));
      expect(page).toContain(label(c.out));
      const where = all.indexOf(`${c.number} `);
      expect(where).toBeGreaterThan(last);
      last = where;
    }
    // Drop-frame labels at the project rate (29.97 DF): semicolon before the frames.
    expect(label(adr[1]?.in ?? 0)).toBe('01:00:31;09');
    expect(all).toContain('A102 Åsa 01:00:31;09');
    // Flags, reasons, alt text, notes, omitted.
    expect(all).toMatch(/A101 Émile 01:00:00;02 \S+ Noise TV TBW ADLIB OPT/);
    expect(all).toContain('Alt: Alternative: the tide is turning and nobody L00alt');
    expect(all).toContain('Eng: Lav + boom, 2 ft');
    expect(all).toContain('Read / performance');
    expect(all).toMatch(/A160 Hank \S+ \S+ OMIT/);
  });

  it('sides: only that character’s lines, every one of them, large type on portrait pages', async () => {
    const out = await render('sides-emile', 'sides', [...adr, ...foley], { ...context, character: 'Émile' });
    expect(out.info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/); // portrait A4
    expect(out.pages).toBeGreaterThan(1);
    expectPageNumbers(out.layoutPages);
    for (const page of out.layoutPages) {
      expect(page).toContain('Émile');
      expect(page).toContain('Actor: Zoë Marchand');
      expect(page).toContain('The Lighthouse Keeper — Reel mix v3');
    }
    const text = squash(out.layoutPages.join('\n'));
    const mine = adr.filter((c) => c.character === 'Émile');
    for (const c of mine) {
      expect(text, c.number).toContain(squash(c.lineText));
      expect(text).toContain(`${c.number} TC ${label(c.in)}`);
    }
    for (const c of adr.filter((c) => c.character !== 'Émile')) {
      expect(text).not.toContain(`L${String(adr.indexOf(c)).padStart(2, '0')}q`);
      expect(text).not.toMatch(new RegExp(`\\b${c.number}\\b`));
    }
    // The line is set large: pdftotext sees the line text at ~19 pt (bbox height), the cue number smaller.
    const bbox = run('pdftotext', ['-bbox', '-f', '1', '-l', '1', out.file, '-']);
    const token = /<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">L00q<\/word>/.exec(bbox);
    expect(token).not.toBeNull();
    expect(Number(token?.[2]) - Number(token?.[1])).toBeGreaterThan(17);
    const number = /<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">A101<\/word>/.exec(bbox);
    expect(Number(number?.[2]) - Number(number?.[1])).toBeLessThan(13);
  });

  it('sides leave out omitted lines, and match the character name regardless of case', async () => {
    const last = adr[adr.length - 1] as Cue; // A160, Hank, omitted
    expect(last.status).toBe('omitted');
    const out = await render('sides-hank', 'sides', adr, { ...context, character: 'hank' });
    const text = squash(out.layoutPages.join('\n'));
    expect(text).toContain('Actor: Hank Doyle');
    expect(text).not.toContain('A160');
    expect(text).not.toContain('L59q');
    expect(text).toContain('19 lines');
    expect(text).toContain('A157 TC');
  });

  it('sides without a character: each character on pages of its own, numbered per character', async () => {
    const out = await render('sides-all', 'sides', adr, context);
    const starts = out.layoutPages.map((p) => /Page (\d+) of (\d+)/.exec(p)).map((m) => [Number(m?.[1]), Number(m?.[2])]);
    const firsts = out.layoutPages.filter((_, i) => starts[i]?.[0] === 1);
    expect(firsts).toHaveLength(3);
    expect(firsts[0]).toContain('Actor: Zoë Marchand');
    expect(firsts[1]).toContain('Actor: Åsa Lindqvist');
    expect(firsts[2]).toContain('Actor: Hank Doyle');
    // Each page belongs to exactly one character's run.
    for (const [i, page] of out.layoutPages.entries()) {
      const character = page.includes('Zoë Marchand') ? 'Émile' : page.includes('Åsa Lindqvist') ? 'Åsa' : 'Hank';
      for (const c of adr) {
        if (squash(page).includes(`${c.number} TC`)) expect(c.character, `page ${i + 1}`).toBe(character);
      }
    }
  });

  it('Foley cue sheet: grouped by pass in order Feet, Props, Cloth, Moves, Specifics, No pass', async () => {
    const out = await render('foley-sheet', 'foley-sheet', [...foley, ...adr], context);
    expect(out.info).toMatch(/Page size:\s+841\.89 x 595\.28 pts \(A4\)/);
    expectPageNumbers(out.layoutPages);
    const text = out.layoutPages.join('\n');
    const headings = ['Feet', 'Props', 'Cloth', 'Moves', 'Specifics', 'No pass'].map((name, p) => {
      const n = foley.filter((c) => c.pass === PASS_ORDER[p]).length;
      const where = text.search(new RegExp(`^\\s*${name}\\s+\\(${n} cues?\\)`, 'm'));
      expect(where, name).toBeGreaterThanOrEqual(0);
      return where;
    });
    expect([...headings].sort((a, b) => a - b)).toEqual(headings);
    expect(text).toMatch(/Cue\s+TC In\s+TC Out\s+Character\s+Description\s+Surface\s+Footwear\s+Prop\s+Track\s+Notes/);
    // Each cue sits under its own pass's heading, and no ADR cue is on the sheet.
    for (const c of foley) {
      const where = text.indexOf(`${c.number} `);
      const group = PASS_ORDER.indexOf(c.pass);
      expect(where, c.number).toBeGreaterThan(headings[group] ?? Infinity);
      if (group < headings.length - 1) expect(where, c.number).toBeLessThan(headings[group + 1] ?? -1);
      expect(text).toContain(label(c.in));
    }
    expect(count(text, /\bA1\d\d\b/g)).toBe(0);
    const raw = out.rawPages.join(' ');
    expect(raw).toContain('Leather boots');
    expect(raw).toContain('Oil lamp');
    expect(raw).toContain('OMITTED');
  });

  it('long Foley groups continue across pages with their heading repeated', async () => {
    const many = Array.from({ length: 70 }, (_, i) =>
      cue({ kind: 'foley', number: `F${300 + i}`, in: at('02:00:00;00') + i * SAMPLE_RATE, out: at('02:00:00;00') + (i + 1) * SAMPLE_RATE, pass: i < 50 ? 'feet' : 'props', description: 'Steps' }),
    );
    const out = await render('foley-long', 'foley-sheet', many, context);
    expect(out.pages).toBeGreaterThan(1);
    expectPageNumbers(out.layoutPages);
    expect(out.layoutPages[1]).toMatch(/Feet\s+\(50 cues, continued\)/);
    expect(count(out.layoutPages.join('\n'), /\bF3\d\d\b/g)).toBe(70);
  });

  it('a line longer than a page is split between its lines, not lost', async () => {
    const words = Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ');
    const long = [
      cue({ kind: 'adr', number: 'B1', in: at('01:00:00;02'), out: at('01:00:09;00'), character: 'Hank', lineText: 'Short one first.' }),
      cue({ kind: 'adr', number: 'B2', in: at('01:00:10;00'), out: at('01:00:20;00'), character: 'Hank', lineText: words, notes: 'Very long.' }),
      cue({ kind: 'adr', number: 'B3', in: at('01:00:30;00'), out: at('01:00:40;00'), character: 'Hank', lineText: 'Short one last.' }),
    ];
    const sheet = await render('long-sheet', 'adr-sheet', long, context);
    expect(sheet.pages).toBeGreaterThan(1);
    expectPageNumbers(sheet.layoutPages);
    const raw = sheet.rawPages.join(' ');
    expect(sheet.rawPages.map((p) => p.replace(/^.*? Line Notes (B2 \(cont\.\) )?/, '')).join(' ').replace(' Very long.', '')).toContain(words);
    expect(raw).toContain('B2 (cont.)');
    expect(raw).toContain('Short one last.');

    const sides = await render('long-sides', 'sides', long, { ...context, character: 'Hank' });
    expect(sides.pages).toBeGreaterThan(1);
    expectPageNumbers(sides.layoutPages);
    const text = sides.rawPages.map((p) => p.replace(/^.*?2025-03-14 10:30 UTC (B2 \(continued\) )?/, '')).join(' ');
    expect(text).toContain(words);
    expect(sides.rawPages[1]).toContain('B2 (continued)');
  });

  it('an empty list still makes a valid one-page PDF that says so', async () => {
    for (const layout of ['adr-sheet', 'sides', 'foley-sheet'] as const) {
      const out = await render(`empty-${layout}`, layout, [], layout === 'sides' ? { ...context, character: 'Åsa' } : context);
      expect(out.pages).toBe(1);
      expect(out.layoutPages[0]).toContain('Page 1 of 1');
      expect(out.layoutPages[0]).toMatch(/There are no (ADR cues|Foley cues|lines for Åsa)/);
    }
    const none = await render('empty-sides-all', 'sides', [], context);
    expect(none.pages).toBe(1);
    expect(none.layoutPages[0]).toContain('There are no lines');
  });

  it('is deterministic: same input, same bytes, dates from context.made', async () => {
    const a = await writeCuePdf('adr-sheet', adr, context);
    const b = await writeCuePdf('adr-sheet', adr, context);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const s1 = await writeCuePdf('sides', adr, { ...context, character: 'Åsa' });
    const s2 = await writeCuePdf('sides', adr, { ...context, character: 'Åsa' });
    expect(Buffer.from(s1).equals(Buffer.from(s2))).toBe(true);
    const file = path.join(dir, 'dates.pdf');
    writeFileSync(file, a);
    const info = run('pdfinfo', ['-isodates', file]);
    expect(info).toMatch(/CreationDate:\s+2025-03-14T10:30:00/);
    expect(info).toMatch(/ModDate:\s+2025-03-14T10:30:00/);
  });

  it('non-Latin text: shown with DejaVu Sans, replaced readably with Helvetica', async () => {
    const special = [
      cue({ kind: 'adr', number: 'X1', in: at('01:00:00;02'), out: at('01:00:02;00'), character: 'Zoë', lineText: 'Łódź — Привет, Ελλάδα! 東京 🎬 done.' }),
      cue({ kind: 'adr', number: 'X2', in: at('01:00:03;00'), out: at('01:00:05;00'), character: 'Zoë', lineText: 'Tab\there\u200b and a\u0007bell; ½ − ¾' }),
    ];
    const unicode = await render('unicode-dejavu', 'sides', special, { ...context, character: 'Zoë' });
    const u = squash(unicode.layoutPages.join('\n'));
    expect(u).toContain('Zoë');
    expect(u).toContain('Łódź — Привет, Ελλάδα! ?? ? done.'); // no CJK or emoji in DejaVu Sans
    expect(u).toContain('Tab here and abell; ½ − ¾');

    const latin = await render('unicode-helvetica', 'sides', special, { ...context, character: 'Zoë' }, { unicodeFont: null });
    const h = squash(latin.layoutPages.join('\n'));
    expect(h).toContain('Zoë');
    expect(h).toContain('Actor: not set');
    expect(h).toContain('Lódz — ??????, ??????! ?? ? done.');
    expect(h).toContain('Tab here and abell; ½ - ¾');
    const fonts = run('pdffonts', [latin.file]);
    expect(fonts).toContain('Helvetica');
    expect(run('pdffonts', [unicode.file])).toContain('DejaVuSans');
  });

  it('US Letter on request', async () => {
    const out = await render('letter-foley', 'foley-sheet', foley, context, { paper: 'LETTER' });
    expect(out.info).toMatch(/Page size:\s+792 x 612 pts \(letter\)/);
    expectPageNumbers(out.layoutPages);
  });
});
