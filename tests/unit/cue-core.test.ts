import { describe, expect, it } from 'vitest';
import { CUE_FIELD_DEFAULTS, type Cue, type ImportResult } from '../../src/core/cues/cue.js';
import { CueIndex, compareCueNumbers } from '../../src/core/cues/filter.js';
import { planImport, type ProjectCueContext } from '../../src/core/cues/import-plan.js';
import { assignNumbers, DEFAULT_NUMBERING, renumber, validateTemplate } from '../../src/core/cues/numbering.js';

function cue(id: number, fields: Partial<Cue>): Cue {
  return { ...CUE_FIELD_DEFAULTS, id, kind: 'adr', number: `C${id}`, in: id * 1000, out: id * 1000 + 500, doneAt: null, updatedAt: '2026-01-01T00:00:00.000Z', ...fields };
}

describe('numbering', () => {
  it('continues each prefix-and-reel sequence after the highest taken number', () => {
    const numbers = assignNumbers(
      [
        { kind: 'adr', prefix: 'R', reelNumber: 1 },
        { kind: 'adr', characterName: 'guy of gisbourne', reelNumber: 1 },
        { kind: 'adr', prefix: 'R', reelNumber: 1 },
        { kind: 'foley', reelNumber: 2 },
        { kind: 'adr', prefix: 'R', reelNumber: null },
      ],
      DEFAULT_NUMBERING,
      ['R101', 'r105', 'G101'],
    );
    // Without a reel, "R{seq:02}" also matches R101…R107, so it continues after them rather than colliding.
    expect(numbers).toEqual(['R106', 'G102', 'R107', 'F2001', 'R108']);
  });

  it('renumbers from 1 and rejects bad templates', () => {
    expect(renumber([{ kind: 'adr', prefix: 'M', reelNumber: 3 }, { kind: 'adr', prefix: 'M', reelNumber: 3 }], DEFAULT_NUMBERING)).toEqual(['M301', 'M302']);
    expect(() => validateTemplate('{prefix}{reel}')).toThrow(/exactly one \{seq\}/);
    expect(() => validateTemplate('{prefix}{seq}{seq}')).toThrow(/not valid/);
    expect(() => validateTemplate('{pre}{seq:3}')).toThrow(/not valid/);
  });

  it('orders numbers naturally', () => {
    expect(['R10', 'R2', 'r1', 'R1A'].sort(compareCueNumbers)).toEqual(['r1', 'R1A', 'R2', 'R10']);
  });
});

describe('CueIndex', () => {
  const cues = [
    cue(1, { character: 'Robin', lineText: 'What now, Sir Guy?', reel: 'Reel 1' }),
    cue(2, { character: 'Guy', lineText: 'Arrest that man!', status: 'done', reel: 'Reel 1' }),
    cue(3, { kind: 'foley', number: 'F1', description: 'Footsteps on gravel', pass: 'feet' }),
  ];

  it('filters by kind, character, reel, status and every search word', () => {
    const index = new CueIndex(cues);
    expect(index.filter({ kind: 'foley' }).map((c) => c.number)).toEqual(['F1']);
    expect(index.filter({ character: 'ROBIN' }).map((c) => c.id)).toEqual([1]);
    expect(index.filter({ status: 'done' }).map((c) => c.id)).toEqual([2]);
    expect(index.filter({ reel: 'reel 1', search: 'sir guy' }).map((c) => c.id)).toEqual([1]);
    expect(index.filter({ search: 'gravel feet' })).toEqual([]);
    expect(index.filter({ search: 'GRAVEL' }).map((c) => c.id)).toEqual([3]);
  });

  it('applies changes and removals in timeline order', () => {
    const index = new CueIndex(cues);
    index.update([cue(2, { in: 0, out: 10, lineText: 'Moved first' }), cue(4, { in: 99_999 })], [3]);
    expect(index.cues.map((c) => c.id)).toEqual([2, 1, 4]);
    expect(index.filter({ search: 'moved' }).map((c) => c.id)).toEqual([2]);
  });
});

describe('planImport', () => {
  const context: ProjectCueContext = {
    cues: [cue(1, { number: 'R101', character: 'Robin', lineText: 'Old text', notes: 'typed on the stage', status: 'done' })],
    characters: [{ name: 'Robin', prefix: 'R', actor: 'Errol Flynn' }],
    reels: [{ name: 'Reel 1', number: 1 }],
    scenes: [{ number: '1', description: 'Town square', in: 0, out: 100 }],
    scheme: DEFAULT_NUMBERING,
  };
  const source = (line: number) => ({ file: 'list.csv', line });

  it('merges by number, keeping what the source does not carry, and numbers new cues', () => {
    const result: ImportResult = {
      cues: [
        { kind: 'adr', number: 'r101', in: 1000, out: 1500, character: 'robin', lineText: 'New text', source: source(2) },
        { kind: 'adr', number: null, in: 5000, out: 6000, character: 'Robin', reel: 'Reel 1', lineText: 'Another', source: source(3) },
        { kind: 'adr', number: null, in: 7000, out: 8000, character: 'Marian', reel: 'Reel 1', lineText: 'Hello', source: source(4) },
      ],
      scenes: [{ number: '1', description: 'Town square', in: 0, out: 200 }, { number: '2', in: 200, out: 300 }],
      characters: [{ name: 'Marian', actor: 'Olivia de Havilland' }],
      issues: [],
    };
    const plan = planImport(context, result);
    expect(plan.canApply).toBe(true);
    expect(plan.updates).toEqual([{ id: 1, number: 'R101', changes: [{ field: 'lineText', from: 'Old text', to: 'New text' }], source: source(2) }]);
    expect(plan.creates.map((c) => [c.fields.number, c.fields.character, c.fields.status])).toEqual([['R102', 'Robin', 'todo'], ['M101', 'Marian', 'todo']]);
    expect(plan.characters).toEqual([{ name: 'Marian', actor: 'Olivia de Havilland' }]);
    expect(plan.scenes.create.map((s) => s.number)).toEqual(['2']);
    expect(plan.scenes.update.map((s) => s.number)).toEqual(['1']);
  });

  it('reports unchanged cues, and refuses duplicates and kind changes with file and line', () => {
    const same = planImport(context, { cues: [{ kind: 'adr', number: 'R101', in: 1000, out: 1500, lineText: 'Old text' }], scenes: [], characters: [], issues: [] });
    expect(same.unchanged.map((u) => u.number)).toEqual(['R101']);
    expect(same.updates).toEqual([]);
    const bad = planImport(context, {
      cues: [
        { kind: 'adr', number: 'X1', in: 0, out: 1, source: source(2) },
        { kind: 'adr', number: 'x1', in: 0, out: 1, source: source(7) },
        { kind: 'foley', number: 'R101', in: 0, out: 1, source: source(8) },
      ],
      scenes: [], characters: [], issues: [],
    });
    expect(bad.canApply).toBe(false);
    expect(bad.issues.map((i) => [i.code, i.line])).toEqual([['IMPORT_DUPLICATE_NUMBER', 7], ['IMPORT_KIND_CHANGE', 8]]);
    expect(bad.issues[0]!.message).toMatch(/x1 appears twice in this import \(also on line 2\)/);
  });

  it('matches reasons by code or label and keeps unknown ones in the notes', () => {
    const plan = planImport({ ...context, reasonCodes: [{ code: 'noise', label: 'Noise' }, { code: 'added', label: 'Added line' }] }, {
      cues: [
        { kind: 'adr', number: 'A1', in: 0, out: 1, reason: 'ADDED LINE' },
        { kind: 'adr', number: 'A2', in: 0, out: 1, reason: 'Set Noise', notes: 'loud', source: source(9) },
      ],
      scenes: [], characters: [], issues: [],
    });
    expect(plan.creates.map((c) => [c.fields.reason, c.fields.notes])).toEqual([['added', ''], [null, 'loud\nReason: Set Noise']]);
    expect(plan.issues).toMatchObject([{ severity: 'warning', code: 'IMPORT_REASON_UNKNOWN', line: 9 }]);
    expect(plan.canApply).toBe(true);
  });

  it('carries the importer\'s own errors and cannot apply with them', () => {
    const plan = planImport(context, { cues: [], scenes: [], characters: [], issues: [{ severity: 'error', code: 'CSV_BAD_TIMECODE', message: 'x', file: 'a.csv', line: 3, column: 2 }] });
    expect(plan.canApply).toBe(false);
  });
});
