/**
 * The spotting view's logic without a browser: the local cue list kept in step with `cues.changed`
 * events, filters, selection movement, the editor's patches and timecode fields, import mappings.
 */
import { describe, expect, it } from 'vitest';
import type { CueDto } from '../../src/api/contract.js';
import { CUE_FIELD_DEFAULTS } from '../../src/core/cues/cue.js';
import { parseFrameRate } from '../../src/core/time/index.js';
import { changedKeys, draftOf, draftPatch } from '../../src/ui/lib/cue-draft.js';
import {
  CueCollection,
  EMPTY_FILTER,
  EMPTY_LISTS,
  decodeText,
  historyTitle,
  mappingSpecs,
  moveSelection,
  patchOf,
  readTimecode,
  selectionAfterRemoval,
  timecodeLabel,
  toCueFilter,
  type CueChangeEvent,
  type CueListResult,
} from '../../src/ui/lib/cue-model.js';

const SR = 48_000;
const rate24 = parseFrameRate('24');
const rateDf = parseFrameRate('29.97DF');
const HOUR = 3600 * SR;

let nextId = 1;
function cue(fields: Partial<CueDto> = {}): CueDto {
  const id = fields.id ?? nextId++;
  return {
    ...CUE_FIELD_DEFAULTS,
    kind: 'adr',
    number: `R${100 + id}`,
    in: HOUR + id * SR,
    out: HOUR + id * SR + SR,
    doneAt: null,
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...fields,
    id,
  };
}

function listResult(cues: CueDto[], revision = 5): CueListResult {
  return { cues, lists: EMPTY_LISTS, history: { undo: null, redo: null }, revision };
}

function change(revision: number, cues: CueDto[], removedCueIds: number[] = [], label = 'Edit'): CueChangeEvent {
  return { label, cues, removedCueIds, listsChanged: false, cuesStale: false, history: { undo: label, redo: null }, revision };
}

describe('CueCollection: incremental updates from cues.changed', () => {
  it('applies edits, creations and deletions in place, keeping timeline order', () => {
    const a = cue({ id: 1, in: HOUR + 10 * SR, character: 'ROBIN' });
    const b = cue({ id: 2, in: HOUR + 20 * SR, character: 'MARIAN' });
    const c = cue({ id: 3, in: HOUR + 30 * SR, character: 'ROBIN' });
    const list = new CueCollection();
    list.load(listResult([c, a, b]));
    expect(list.cues.map((x) => x.id)).toEqual([1, 2, 3]);

    // An edit that moves a cue later re-sorts it.
    expect(list.apply(change(6, [{ ...a, in: HOUR + 25 * SR, lineText: 'Moved' }]))).toBe('applied');
    expect(list.cues.map((x) => x.id)).toEqual([2, 1, 3]);
    expect(list.get(1)?.lineText).toBe('Moved');

    // A new cue and a deletion in one event.
    const d = cue({ id: 4, in: HOUR + 5 * SR });
    expect(list.apply(change(7, [d], [2], 'Import x.csv'))).toBe('applied');
    expect(list.cues.map((x) => x.id)).toEqual([4, 1, 3]);
    expect(list.get(2)).toBeUndefined();
    expect(list.size).toBe(3);
    expect(list.history.undo).toBe('Import x.csv');
    expect(list.revision).toBe(7);
  });

  it('ignores an event it already has (the reply and the broadcast of one change) and reports a gap', () => {
    const a = cue({ id: 10 });
    const list = new CueCollection();
    list.load(listResult([a], 3));
    const edit = change(4, [{ ...a, notes: 'once' }]);
    expect(list.apply(edit)).toBe('applied');
    expect(list.apply(edit)).toBe('stale');
    expect(list.apply(change(2, [{ ...a, notes: 'old' }]))).toBe('stale');
    expect(list.get(10)?.notes).toBe('once');
    expect(list.apply(change(9, [{ ...a, notes: 'later' }]))).toBe('gap');
    expect(list.get(10)?.notes).toBe('later');
  });

  it('takes new lists when an event carries them', () => {
    const list = new CueCollection();
    list.load(listResult([], 1));
    const lists = { ...EMPTY_LISTS, characters: [{ id: 1, name: 'ROBIN', actor: '', prefix: 'RH', colour: '' }] };
    list.apply({ ...change(2, [cue({ character: 'ROBIN' })]), listsChanged: true, lists });
    expect(list.lists.characters.map((c) => c.name)).toEqual(['ROBIN']);
  });

  it('keeps 10,000 cues in step with single edits quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => cue({ id: 100_000 + i, in: HOUR + i * SR }));
    const list = new CueCollection();
    list.load(listResult(many, 1));
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const target = many[(i * 37) % many.length]!;
      list.apply(change(2 + i, [{ ...target, lineText: `take ${i}` }]));
    }
    expect(performance.now() - started).toBeLessThan(2000);
    expect(list.size).toBe(10_000);
    expect(list.filter({ search: 'take 199' })).toHaveLength(1);
  });
});

describe('filters', () => {
  const cues = [
    cue({ id: 21, character: 'ROBIN', reel: 'R1', lineText: 'To the forest', status: 'todo' }),
    cue({ id: 22, character: 'MARIAN', reel: 'R1', lineText: 'Not without me', status: 'done' }),
    cue({ id: 23, kind: 'foley', character: null, reel: 'R2', description: 'Footsteps on gravel' }),
  ];
  const list = new CueCollection();
  list.load(listResult(cues));

  it('turns the form into a CueFilter without the "any" choices', () => {
    expect(toCueFilter(EMPTY_FILTER)).toEqual({});
    expect(toCueFilter({ ...EMPTY_FILTER, kind: 'adr', character: 'ROBIN', search: '  forest ' })).toEqual({ kind: 'adr', character: 'ROBIN', search: 'forest' });
  });

  it('filters by kind, character (any case), reel, status and words', () => {
    const ids = (form: Partial<typeof EMPTY_FILTER>) => list.filter(toCueFilter({ ...EMPTY_FILTER, ...form })).map((c) => c.id);
    expect(ids({})).toEqual([21, 22, 23]);
    expect(ids({ kind: 'foley' })).toEqual([23]);
    expect(ids({ character: 'robin' })).toEqual([21]);
    expect(ids({ reel: 'R1', status: 'done' })).toEqual([22]);
    expect(ids({ search: 'gravel footsteps' })).toEqual([23]);
  });
});

describe('selection', () => {
  const rows = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];

  it('moves by rows and stops at the ends', () => {
    expect(moveSelection(rows, 2, 1)).toBe(3);
    expect(moveSelection(rows, 2, -1)).toBe(1);
    expect(moveSelection(rows, 4, 1)).toBe(4);
    expect(moveSelection(rows, 1, -10)).toBe(1);
    expect(moveSelection(rows, 1, 10)).toBe(4);
  });

  it('starts at the first row going down and the last going up when nothing (visible) is selected', () => {
    expect(moveSelection(rows, null, 1)).toBe(1);
    expect(moveSelection(rows, null, -1)).toBe(4);
    expect(moveSelection(rows, 99, 1)).toBe(1);
    expect(moveSelection([], null, 1)).toBeNull();
  });

  it('after a deletion selects the next row, else the previous one', () => {
    expect(selectionAfterRemoval(rows, 2, [2])).toBe(3);
    expect(selectionAfterRemoval(rows, 4, [4])).toBe(3);
    expect(selectionAfterRemoval(rows, 2, [2, 3])).toBe(4);
    expect(selectionAfterRemoval(rows, 1, [3])).toBe(1);
    expect(selectionAfterRemoval([{ id: 1 }], 1, [1])).toBeNull();
  });
});

describe('editing', () => {
  it('a patch holds only what changed', () => {
    const a = cue({ lineText: 'Hello', notes: '' });
    expect(patchOf(a, { lineText: 'Hello', notes: 'louder' })).toEqual({ notes: 'louder' });
    expect(patchOf(a, {})).toEqual({});
  });

  it('the editor form saves just the changed fields, timecode read at the project rate', () => {
    const a = cue({ id: 50, in: HOUR, out: HOUR + 2 * SR, character: 'ROBIN', priority: null, onScreen: null });
    const baseline = draftOf(a, rate24, SR);
    expect(baseline.inText).toBe('01:00:00:00');
    const draft = { ...baseline, inText: '01:00:01:12', character: '  ', priority: '3', onScreen: 'off' as const, tv: true };
    expect(changedKeys(baseline, draft).sort()).toEqual(['character', 'inText', 'onScreen', 'priority', 'tv']);
    const result = draftPatch(baseline, draft, rate24, SR);
    expect(result).toEqual({ ok: true, patch: { in: HOUR + SR + SR / 2, character: null, priority: 3, onScreen: false, tv: true } });
  });

  it('a typed timecode that does not exist says why (a dropped drop-frame label)', () => {
    const a = cue({ in: HOUR, out: HOUR + SR });
    const baseline = draftOf(a, rateDf, SR);
    const result = draftPatch(baseline, { ...baseline, inText: '01:01:00;00', priority: '11' }, rateDf, SR);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.inText).toMatch(/does not exist in 29\.97df timecode.*use 01:01:00;02/i);
    expect(result.errors.priority).toMatch(/0 to 10/);
    expect(readTimecode('01:00:00:00', rateDf, SR)).toMatchObject({ ok: false, message: expect.stringMatching(/01:00:00;00/) });
    expect(readTimecode('', rate24, SR)).toMatchObject({ ok: false });
    expect(readTimecode('10:00:00:00', rate24, SR)).toEqual({ ok: true, position: 10 * HOUR });
    expect(timecodeLabel(10 * HOUR, rate24, SR)).toBe('10:00:00:00');
  });

  it('undo and redo titles name the action', () => {
    expect(historyTitle('Undo', 'Edit R101 lineText')).toBe('Undo Edit R101 lineText');
    expect(historyTitle('Redo', null)).toBe('Nothing to redo');
  });
});

describe('import helpers', () => {
  it('names mapped columns by header, or by number when the header is ambiguous', () => {
    const headers = ['Cue', 'Char', 'TC In', 'Notes', 'Notes', ''];
    const overrides = new Map<number, string | null>([
      [1, 'character'],
      [3, 'engNotes'],
      [5, null],
      [2, 'in'],
    ]);
    expect(mappingSpecs(headers, overrides)).toEqual(['Char=character', 'TC In=in', '4=engNotes', '6=ignore']);
  });

  it('reads UTF-8 (with a BOM), UTF-16 and Windows-1252 files', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x43, 0xc3, 0xa9]))).toBe('Cé');
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0x43, 0x00, 0xe9, 0x00]))).toBe('Cé');
    expect(decodeText(new Uint8Array([0x43, 0xe9, 0x74, 0xe9]))).toBe('Cété');
  });
});
