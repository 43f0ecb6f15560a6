/**
 * The cue list from the command line, through the real binary, real project files and the outside
 * fixtures: import with preview and merge, list with filters, export and read back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { loopstage } from '../support/cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const ROBIN = path.join(FIXTURES, 'protools', 'Robin Hood Spotting.txt');
let tmp: string;
let project: string;

function create(name: string, rate: string, start = '01:00:00:00'): string {
  const dir = path.join(tmp, name);
  const result = loopstage(['project', 'create', dir, '--rate', rate, '--start', start]);
  expect(result.code, result.stderr).toBe(0);
  return dir;
}

function list(dir: string, ...filter: string[]): { number: string; character: string | null; lineText: string; notes: string; status: string; in: number }[] {
  const result = loopstage(['cues', 'list', '--project', dir, '--json', ...filter]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).cues;
}

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'loopstage-cues-cli-'));
  project = create('Robin Hood', '29.97ndf');
});

describe('loopstage import', () => {
  it('imports a Pro Tools session, then merges a re-import instead of duplicating', () => {
    const first = loopstage(['import', ROBIN, '--project', project, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const preview = JSON.parse(first.stdout);
    expect(preview).toMatchObject({ format: 'ptx', applied: true, counts: { create: 85, update: 0, errors: 0, characters: 13, scenes: 6 } });
    expect(list(project)).toHaveLength(85);
    expect(list(project, '--character', 'robin').map((c) => c.number).slice(0, 3)).toEqual(['R101', 'R102', 'R103']);

    const again = loopstage(['import', ROBIN, '--project', project]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Imported: 0 new, 0 changed, 85 unchanged.');
    expect(list(project)).toHaveLength(85);
  });

  it('previews a CSV with --dry-run, writes nothing, then imports; a changed list updates only what changed', () => {
    const csv = path.join(FIXTURES, 'cues', 'adr-spreadsheet.csv');
    const dry = loopstage(['import', csv, '--project', project, '--dry-run']);
    expect(dry.stdout).toMatch(/Columns: Cue # → number, Character → character/);
    expect(list(project)).toEqual([]);
    const real = loopstage(['import', csv, '--project', project, '--json']);
    const preview = JSON.parse(real.stdout);
    if (!preview.canApply) {
      // The fixture has deliberately bad rows: then nothing may be written, and each error has a place.
      expect(real.code).toBe(1);
      expect(preview.issues.filter((i: { severity: string }) => i.severity === 'error').every((i: { line: number }) => i.line > 1)).toBe(true);
      expect(list(project)).toEqual([]);
      expect(real.stderr).toMatch(/^loopstage: adr-spreadsheet\.csv has \d+ error\(s\), first at line \d+: .* Nothing was imported\.\n$/);
      return;
    }
    expect(real.code).toBe(0);
  });

  it('merges an updated spreadsheet by cue number and keeps what was typed on the stage', () => {
    const v1 = path.join(tmp, 'list v1.csv');
    writeFileSync(v1, 'Cue,Character,TC In,TC Out,Line\nR101,Robin,01:00:10:00,01:00:12:00,Hello there\nR102,Robin,01:00:20:00,01:00:22:00,Second line\n');
    expect(loopstage(['import', v1, '--project', project]).code).toBe(0);
    // Notes typed later, in the project (here through a second, notes-only list).
    const notes = path.join(tmp, 'notes.csv');
    writeFileSync(notes, 'Cue,TC In,TC Out,Remarks\nR101,01:00:10:00,01:00:12:00,sounds tired\n');
    const noted = loopstage(['import', notes, '--project', project, '--map', 'Remarks=notes']);
    expect(noted.code, noted.stderr).toBe(0);
    const v2 = path.join(tmp, 'list v2.csv');
    writeFileSync(v2, 'Cue,Character,TC In,TC Out,Line\nR101,Robin,01:00:10:00,01:00:12:00,Hello there!\nR102,Robin,01:00:20:00,01:00:22:00,Second line\nR103,Robin,01:00:30:00,01:00:31:00,Third\n');
    const merged = loopstage(['import', v2, '--project', project]);
    expect(merged.stdout).toContain('change R101: lineText "Hello there" → "Hello there!"');
    expect(merged.stdout).toContain('Imported: 1 new, 1 changed, 1 unchanged.');
    expect(list(project).map((c) => [c.number, c.lineText, c.notes])).toEqual([
      ['R101', 'Hello there!', 'sounds tired'],
      ['R102', 'Second line', ''],
      ['R103', 'Third', ''],
    ]);
  });

  it('a broken list names file, line and column, and changes nothing', () => {
    const good = path.join(tmp, 'good.csv');
    writeFileSync(good, 'Cue,TC In,TC Out,Line\nA1,01:00:10:00,01:00:12:00,Fine\n');
    expect(loopstage(['import', good, '--project', project]).code).toBe(0);
    const broken = path.join(tmp, 'broken.csv');
    writeFileSync(broken, 'Cue,TC In,TC Out,Line\nA2,01:00:20:00,01:00:22:00,New\nA3,01:00:61:00,01:00:62:00,Bad time\nA4,01:00:30:00,01:00:31:00,"unterminated\n');
    const result = loopstage(['import', broken, '--project', project]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/broken\.csv:3:2: error: .*01:00:61:00/);
    expect(result.stderr).toMatch(/Nothing was imported\.\n$/);
    expect(list(project).map((c) => c.number)).toEqual(['A1']);
  });

  it('imports WebVTT with voices as characters, refuses a damaged SRT by line, and imports EDL locators', () => {
    const vtt = loopstage(['import', path.join(FIXTURES, 'cues', 'robin.vtt'), '--project', project, '--json']);
    expect(vtt.code, vtt.stderr).toBe(0);
    const preview = JSON.parse(vtt.stdout);
    expect(preview.counts.create).toBeGreaterThan(0);
    expect(preview.characters.length).toBeGreaterThan(0);
    const before = list(project).length;
    const srt = loopstage(['import', path.join(FIXTURES, 'cues', 'robin.srt'), '--project', project]);
    expect(srt.code).toBe(1);
    expect(srt.stderr).toMatch(/robin\.srt has 1 error\(s\), first at line 23: .*timing line/);
    expect(list(project)).toHaveLength(before);
    const edlProject = create('EDL', '24');
    const edl = loopstage(['import', path.join(FIXTURES, 'edl', 'screening_example.edl'), '--project', edlProject, '--json']);
    expect(edl.code, edl.stderr).toBe(0);
    expect(JSON.parse(edl.stdout).counts).toMatchObject({ create: 3, scenes: 9 });
    expect(list(edlProject).map((c) => c.lineText)).toContain('ANIM FIX NEEDED');
  });
});

describe('loopstage cues list and export cues', () => {
  beforeEach(() => {
    expect(loopstage(['import', ROBIN, '--project', project]).code).toBe(0);
  });

  it('filters by kind, character, status and search', () => {
    expect(list(project, '--kind', 'foley')).toEqual([]);
    expect(list(project, '--search', 'sir guy').length).toBeGreaterThan(0);
    expect(list(project, '--search', 'sir guy').every((c) => /sir guy/i.test(c.lineText + c.notes + (c.character ?? '')))).toBe(true);
    const text = loopstage(['cues', 'list', '--project', project, '--character', 'Robin']);
    expect(text.stdout).toMatch(/^R101 +adr +Robin +01:05:06:18 +01:05:09:22 +todo +What now, Sir Guy\?/m);
    expect(text.stdout).toMatch(/^10 of 85 cues\.$/m);
  });

  it('exports CSV that imports into another project as the same cues (CSV → project → CSV)', () => {
    const out = path.join(tmp, 'all.csv');
    expect(loopstage(['export', 'cues', '--project', project, '--format', 'csv', '--out', out]).code).toBe(0);
    const copy = create('Copy', '29.97ndf');
    const imported = loopstage(['import', out, '--project', copy]);
    expect(imported.code, imported.stderr + imported.stdout).toBe(0);
    const strip = (cues: ReturnType<typeof list>) => cues.map(({ number, character, lineText, notes, status, in: start }) => ({ number, character, lineText, notes, status, start }));
    expect(strip(list(copy))).toEqual(strip(list(project)));
    const again = path.join(tmp, 'again.csv');
    expect(loopstage(['export', 'cues', '--project', copy, '--format', 'csv', '--out', again]).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('exports talent sides for one character as a PDF with only their lines', () => {
    const out = path.join(tmp, 'Robin sides.pdf');
    expect(loopstage(['export', 'cues', '--project', project, '--format', 'pdf', '--sides', 'Robin', '--out', out]).code).toBe(0);
    const text = spawnSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' }).stdout;
    const robin = list(project, '--character', 'Robin');
    for (const cue of robin) expect(text.replace(/\s+/g, ' ')).toContain(cue.number);
    expect(text).toContain('What now, Sir Guy?');
    const others = list(project).filter((c) => c.character !== 'Robin');
    for (const cue of others) expect(text).not.toContain(`${cue.number} `);
    // Exports never replace a file silently.
    const again = loopstage(['export', 'cues', '--project', project, '--format', 'pdf', '--sides', 'Robin', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; choose another name, or add --force/);
    expect(loopstage(['export', 'cues', '--project', project, '--format', 'pdf', '--sides', 'Nobody', '--out', path.join(tmp, 'x.pdf')]).stderr).toMatch(/no character "Nobody"/);
  });
});

describe('characters, reasons and numbering from the command line', () => {
  it('sets a prefix and scheme, renumbers in timeline order, and edits reason codes', () => {
    const csv = path.join(tmp, 'list.csv');
    writeFileSync(csv, 'Character,Reel,TC In,TC Out,Line,Reason\nRobin,Reel 2,01:00:20:00,01:00:21:00,Second,Noise\nRobin,Reel 2,01:00:10:00,01:00:11:00,First,\nMarian,Reel 2,01:00:15:00,01:00:16:00,Hers,\n');
    expect(loopstage(['import', csv, '--project', project]).code).toBe(0);
    expect(list(project).map((c) => c.number)).toEqual(['R202', 'M201', 'R201']);
    const set = loopstage(['characters', 'set', 'robin', '--project', project, '--prefix', 'RH', '--actor', 'Errol Flynn']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^Robin +RH +Errol Flynn$/m);
    expect(loopstage(['cues', 'numbering', '--project', project, '--adr', '{prefix}-{reel}-{seq:03}']).stdout).toContain('ADR numbers: {prefix}-{reel}-{seq:03}');
    expect(loopstage(['cues', 'numbering', '--project', project, '--adr', '{prefix}']).stderr).toMatch(/not valid: it needs exactly one \{seq\}/);
    expect(loopstage(['cues', 'renumber', '--project', project]).stdout).toMatch(/Renumber 3 cues/);
    expect(list(project).map((c) => c.number)).toEqual(['RH-2-001', 'M-2-001', 'RH-2-002']);

    expect(loopstage(['reasons', 'rename', 'noise', '--project', project, '--code', 'bg-noise', '--label', 'Background noise']).code).toBe(0);
    expect(loopstage(['cues', 'list', '--project', project, '--search', 'second', '--json']).stdout).toContain('"reason": "bg-noise"');
    // The cue sheet prints the reason as the project now names it.
    const sheet = path.join(tmp, 'sheet.pdf');
    expect(loopstage(['export', 'cues', '--project', project, '--format', 'pdf', '--out', sheet]).code).toBe(0);
    // (The Reason column wraps the label onto the cue's second line.)
    expect(spawnSync('pdftotext', ['-layout', sheet, '-'], { encoding: 'utf8' }).stdout).toMatch(/Background[\s\S]{0,120}?\bnoise\b/);
    expect(loopstage(['reasons', 'add', 'breath', 'Breath', '--project', project]).stdout).toMatch(/^breath +Breath$/m);
    expect(loopstage(['reasons', 'add', 'BREATH', 'Again', '--project', project]).stderr).toMatch(/already in the list/);
    expect(loopstage(['reasons', 'remove', 'bg-noise', '--project', project]).code).toBe(0);
    expect(loopstage(['cues', 'list', '--project', project, '--search', 'second', '--json']).stdout).toContain('"reason": null');
  });
});

describe('reels and EDL events', () => {
  it('sets a reel\'s picture version and offset, and reads EDL events as shots', () => {
    const csv = path.join(tmp, 'reel.csv');
    writeFileSync(csv, 'Cue,Reel,TC In,TC Out,Line\nA1,Reel 3,01:00:10:00,01:00:11:00,Hi\n');
    expect(loopstage(['import', csv, '--project', project]).code).toBe(0);
    const set = loopstage(['reels', 'set', 'reel 3', '--project', project, '--picture-version', 'v12 locked', '--offset', '03:00:00:00', '--name', 'R3']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^R3 +3 +03:00:00:00 +v12 locked$/m);
    expect(list(project)[0]).toMatchObject({ number: 'A1' });
    expect(JSON.parse(loopstage(['cues', 'list', '--project', project, '--json']).stdout).cues[0].reel).toBe('R3');
    const edlProject = create('Shots', '24');
    const edl = loopstage(['import', path.join(FIXTURES, 'edl', 'screening_example.edl'), '--project', edlProject, '--edl-events', 'shots', '--json']);
    expect(edl.code, edl.stderr).toBe(0);
    expect(JSON.parse(edl.stdout).counts.scenes).toBe(9);
  });
});
