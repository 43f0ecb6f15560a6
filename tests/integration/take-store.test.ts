/** Takes, guide tracks and per-cue rolls on real SQLite project files (migration 0003). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { latestVersion, loadMigrations } from '../../src/adapters/sqlite/migrations.js';
import { CUE_FIELD_DEFAULTS, type CueFields } from '../../src/core/cues/cue.js';
import { isLoopstageError } from '../../src/core/errors.js';
import type { ProjectHandle } from '../../src/engine/ports/project-store.js';
import type { NewGuide, NewTake } from '../../src/engine/ports/take-store.js';

const now = new Date('2026-11-21T10:00:00.000Z');
const created = now.toISOString();
const later = '2026-11-21T10:01:30.250Z';
const store = new SqliteProjectStore();

let tmp: string;
let dir: string;
let project: ProjectHandle;
let r101: number;
let r102: number;

beforeEach(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'loopstage-takes-'));
  dir = path.join(tmp, 'p');
  project = await store.create(dir, { title: 'Takes', frameRate: '24', sampleRate: 48000, start: 172_800_000 }, now);
  await project.cues.apply('Add', [
    { type: 'create-cue', fields: fields('R101', { character: 'Robin', lineText: 'Who goes there?' }) },
    { type: 'create-cue', fields: fields('R102', { character: 'Robin', in: 172_900_000, out: 172_950_000 }) },
  ], now);
  const cues = await project.cues.listCues();
  r101 = cues.find((c) => c.number === 'R101')!.id;
  r102 = cues.find((c) => c.number === 'R102')!.id;
});

afterEach(async () => {
  await project.close();
  rmSync(tmp, { recursive: true, force: true });
});

function fields(number: string, extra: Partial<CueFields> = {}): CueFields {
  return { ...CUE_FIELD_DEFAULTS, kind: 'adr', number, in: 172_800_000, out: 172_848_000, ...extra };
}

function newTake(cueId: number, number: number, extra: Partial<NewTake> = {}): NewTake {
  return {
    cueId, passId: null, number, path: `takes/C${cueId}_ROBIN_T${String(number).padStart(2, '0')}.wav`,
    channels: 2, channelNames: ['boom', 'lav'], inputChannels: [0, 3], sampleRate: 48000, bitsPerSample: 24, float: false,
    start: 172_800_312, latency: 312, latencySource: 'measured', inputDevice: 'MOTU 828', outputDevice: 'MOTU 828 out',
    createdAt: created, ...extra,
  };
}

function guide(extra: Partial<NewGuide> = {}): NewGuide {
  return { path: 'guide/R1_dx.wav', name: 'R1_dx.wav', start: 172_800_000, length: 480_000, channels: 1, sampleRate: 48000, enabled: true, addedAt: created, ...extra };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isLoopstageError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a LoopstageError');
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('takes', () => {
  it('begins a take as recording, finishes it, and marks it', async () => {
    const takes = project.takes;
    expect(await takes.nextNumber(r101)).toBe(1);
    const begun = await takes.begin(newTake(r101, 1));
    expect(begun).toEqual({
      ...newTake(r101, 1), id: begun.id, length: 0, dropouts: 0, status: 'recording', problem: null, circled: false, alternate: false,
      noGood: false, falseStart: false, rating: null, note: '', completedAt: null,
    });
    expect(await codeOf(takes.mark(begun.id, { note: 'too soon' }))).toBe('TAKE_STILL_RECORDING');
    expect(await takes.unfinished()).toEqual([begun]);
    expect(await takes.nextNumber(r101)).toBe(2);
    expect(await takes.nextNumber(r102)).toBe(1);

    const done = await takes.finish(begun.id, { status: 'complete', length: 96_000, completedAt: later });
    expect(done).toEqual({ ...begun, status: 'complete', length: 96_000, completedAt: later });
    expect(await takes.unfinished()).toEqual([]);

    const circled = (await takes.mark(begun.id, { circled: true, rating: 4, note: 'Best read; slight pop at "there".' })).take.after;
    expect(circled).toMatchObject({ circled: true, noGood: false, rating: 4, note: 'Best read; slight pop at "there".' });
    const ng = (await takes.mark(begun.id, { noGood: true, rating: null })).take.after;
    // The latest mark wins: NG uncircles.
    expect(ng).toMatchObject({ circled: false, noGood: true, rating: null, note: 'Best read; slight pop at "there".' });
    const unchanged = await takes.mark(begun.id, {});
    expect(unchanged.take.before).toBe(unchanged.take.after);
    expect(unchanged.take.after).toEqual(ng);
    expect((await takes.mark(begun.id, { rating: 0 })).take.after).toMatchObject({ rating: 0 });
    expect(await takes.get(begun.id)).toEqual({ ...ng, rating: 0 });
    expect(await takes.get(9999)).toBeNull();
  });

  it('keeps one circled take per cue: circling another uncircles it, in one transaction with the files', async () => {
    const takes = project.takes;
    const filed = async (cueId: number, number: number, length = 48_000) => {
      const take = await takes.begin(newTake(cueId, number));
      return takes.finish(take.id, { status: length > 0 ? 'complete' : 'aborted', length, completedAt: later });
    };
    const [t1, t2, t3] = [await filed(r101, 1), await filed(r101, 2), await filed(r101, 3)];
    const other = await filed(r102, 1);
    await takes.mark(other.id, { circled: true });
    const first = await takes.mark(t1.id, { circled: true, note: 'good' });
    expect(first.others).toEqual([]);
    await takes.mark(t3.id, { alternate: true });

    // Circling take 2: take 1 gives way, take 3 stays an alternate, R102's circle is untouched.
    const seen: string[] = [];
    const second = await takes.mark(t2.id, { circled: true }, async (changes) => {
      seen.push(...changes.map((c) => `${c.after.number}:${c.before.circled}->${c.after.circled}`));
    });
    expect(seen).toEqual(['2:false->true', '1:true->false']);
    expect(second.others.map((c) => c.after.id)).toEqual([t1.id]);
    expect((await takes.list({ cueId: r101 })).map((t) => [t.number, t.circled, t.alternate])).toEqual([[1, false, false], [2, true, false], [3, false, true]]);
    expect((await takes.get(other.id))!.circled).toBe(true);

    // An alternate made circled stops being an alternate; circled and alternate together are refused.
    expect((await takes.mark(t3.id, { circled: true })).take.after).toMatchObject({ circled: true, alternate: false });
    expect(await codeOf(takes.mark(t3.id, { circled: true, alternate: true }))).toBe('TAKE_MARK_INVALID');
    expect(await codeOf(takes.mark(t3.id, { circled: true, noGood: true }))).toBe('TAKE_MARK_INVALID');
    expect((await takes.mark(t3.id, { falseStart: true })).take.after).toMatchObject({ circled: false, falseStart: true });

    // When the files cannot take the marks, nothing changes in the database either.
    const before = await takes.list();
    const failure = await errorOf(takes.mark(t1.id, { circled: true, rating: 5 }, async () => {
      throw Object.assign(new Error('IXML_NO_ROOM'), { code: 'IXML_NO_ROOM' });
    }));
    expect(failure.code).toBe('IXML_NO_ROOM');
    expect(await takes.list()).toEqual(before);

    // A take without audio cannot be circled or an alternate, but can carry a note.
    const empty = await filed(r101, 4, 0);
    expect(await codeOf(takes.mark(empty.id, { circled: true }))).toBe('TAKE_NOT_USABLE');
    expect(await codeOf(takes.mark(empty.id, { alternate: true }))).toBe('TAKE_NOT_USABLE');
    expect((await takes.mark(empty.id, { note: 'phone rang' })).take.after.note).toBe('phone rang');
  });

  it('stores 32-bit float takes and negative latencies', async () => {
    const take = await project.takes.begin(newTake(r101, 1, { bitsPerSample: 32, float: true, latency: -48, latencySource: 'none', channels: 1, channelNames: ['boom'], inputChannels: [7] }));
    expect(take).toMatchObject({ bitsPerSample: 32, float: true, latency: -48, latencySource: 'none', channelNames: ['boom'], inputChannels: [7] });
  });

  it('lists takes by cue then number, all or one cue\'s', async () => {
    const a2 = await project.takes.begin(newTake(r102, 1));
    const b1 = await project.takes.begin(newTake(r101, 2));
    const a1 = await project.takes.begin(newTake(r101, 1));
    const byCue = r101 < r102 ? [a1, b1, a2] : [a2, a1, b1];
    expect((await project.takes.list()).map((t) => t.id)).toEqual(byCue.map((t) => t.id));
    expect((await project.takes.list({ cueId: r101 })).map((t) => t.number)).toEqual([1, 2]);
    expect(await project.takes.list({ cueId: 9999 })).toEqual([]);
    expect((await project.takes.unfinished()).map((t) => t.id)).toEqual([a2.id, b1.id, a1.id]);
  });

  it('never reuses a take number, not even an aborted take\'s', async () => {
    const t1 = await project.takes.begin(newTake(r101, await project.takes.nextNumber(r101)));
    await project.takes.finish(t1.id, { status: 'complete', length: 48_000, completedAt: later });
    const t2 = await project.takes.begin(newTake(r101, await project.takes.nextNumber(r101)));
    const aborted = await project.takes.finish(t2.id, { status: 'aborted', length: 0, completedAt: later, problem: 'The audio interface disappeared.' });
    expect(aborted).toMatchObject({ number: 2, status: 'aborted', problem: 'The audio interface disappeared.' });
    expect(await project.takes.nextNumber(r101)).toBe(3);
    expect(await codeOf(project.takes.begin(newTake(r101, 2, { path: 'takes/retry.wav' })))).toBe('TAKE_NUMBER_TAKEN');
    // A gap is allowed (the recorder decides the number); the next one is past the highest.
    await project.takes.begin(newTake(r101, 7));
    expect(await project.takes.nextNumber(r101)).toBe(8);
  });

  it('recovers a take a crash left recording, with what recovery found', async () => {
    const take = await project.takes.begin(newTake(r101, 1));
    const recovered = await project.takes.finish(take.id, { status: 'recovered', length: 12_345, completedAt: later, problem: 'The header was repaired; the last 0.2 s were lost.' });
    expect(recovered).toMatchObject({ status: 'recovered', length: 12_345, problem: 'The header was repaired; the last 0.2 s were lost.', completedAt: later });
  });

  it('refuses with clear codes and changes nothing', async () => {
    const take = await project.takes.begin(newTake(r101, 1));
    const numberTaken = await errorOf(project.takes.begin(newTake(r101, 1, { path: 'takes/other.wav' })));
    expect(numberTaken.code).toBe('TAKE_NUMBER_TAKEN');
    expect(numberTaken.message).toBe('Take 1 of cue R101 already exists and take numbers are never reused; ask for the next number and record again.');
    expect(await codeOf(project.takes.begin(newTake(r101, 2, { path: take.path })))).toBe('TAKE_PATH_TAKEN');
    expect(await codeOf(project.takes.begin(newTake(r101, 2, { path: take.path.toUpperCase() })))).toBe('TAKE_PATH_TAKEN');
    expect(await codeOf(project.takes.begin(newTake(9999, 1)))).toBe('CUE_NOT_FOUND');

    for (const bad of [
      { float: true }, { bitsPerSample: 8 as 16 }, { channels: 0, channelNames: [], inputChannels: [] }, { channelNames: ['boom'] },
      { inputChannels: [0, -1] }, { path: '/tmp/take.wav' }, { path: 'takes/../../etc/passwd' }, { path: 'takes\\a.wav' },
      { path: '' }, { start: -1 }, { latency: 0.5 }, { latencySource: 'guessed' as 'none' }, { createdAt: 'now' }, { number: 0 },
      { sampleRate: 0 },
    ] satisfies Partial<NewTake>[]) {
      expect(await codeOf(project.takes.begin(newTake(r101, 2, { path: 'takes/T2.wav', ...bad }))), JSON.stringify(bad)).toBe('TAKE_VALUE_INVALID');
    }

    expect(await codeOf(project.takes.finish(9999, { status: 'complete', length: 1, completedAt: later }))).toBe('TAKE_NOT_FOUND');
    expect(await codeOf(project.takes.finish(take.id, { status: 'recording' as 'complete', length: 1, completedAt: later }))).toBe('TAKE_VALUE_INVALID');
    expect(await codeOf(project.takes.finish(take.id, { status: 'complete', length: -1, completedAt: later }))).toBe('TAKE_VALUE_INVALID');
    expect(await codeOf(project.takes.finish(take.id, { status: 'complete', length: 1, completedAt: 'soon' }))).toBe('TAKE_VALUE_INVALID');
    await project.takes.finish(take.id, { status: 'complete', length: 1, completedAt: later });
    const again = await errorOf(project.takes.finish(take.id, { status: 'aborted', length: 0, completedAt: later }));
    expect(again.code).toBe('TAKE_NOT_RECORDING');
    expect(again.message).toContain('already complete');

    for (const marks of [{ rating: 6 }, { rating: -1 }, { rating: 2.5 }, { circled: 1 as unknown as boolean }, { note: 3 as unknown as string }, { alternate: 'yes' as unknown as boolean }, { note: 'x'.repeat(10_001) }]) {
      expect(await codeOf(project.takes.mark(take.id, marks)), JSON.stringify(marks)).toBe('TAKE_MARK_INVALID');
    }
    expect(await codeOf(project.takes.mark(9999, { circled: true }))).toBe('TAKE_NOT_FOUND');
    expect(await codeOf(project.takes.mark(9999, {}))).toBe('TAKE_NOT_FOUND');

    expect(await project.takes.list()).toEqual([{ ...take, status: 'complete', length: 1, completedAt: later }]);
  });
});

describe('guides', () => {
  it('adds, lists and updates guide tracks', async () => {
    const dx = await project.takes.addGuide(guide());
    expect(dx).toEqual({ ...guide(), id: dx.id });
    const fx = await project.takes.addGuide(guide({ path: 'guide/R1_fx.wav', name: '  R1 effects  ', enabled: false, channels: 2 }));
    expect(fx).toMatchObject({ name: 'R1 effects', enabled: false, channels: 2 });
    expect(await project.takes.listGuides()).toEqual([dx, fx]);

    const moved = await project.takes.updateGuide(dx.id, { start: 172_801_000, enabled: false, name: 'Dialogue guide' });
    expect(moved).toEqual({ ...dx, start: 172_801_000, enabled: false, name: 'Dialogue guide' });
    expect(await project.takes.updateGuide(dx.id, {})).toEqual(moved);
    expect(await project.takes.listGuides()).toEqual([moved, fx]);

    expect(await codeOf(project.takes.addGuide(guide({ name: 'copy' })))).toBe('GUIDE_PATH_TAKEN');
    expect(await codeOf(project.takes.addGuide(guide({ path: 'GUIDE/r1_DX.wav' })))).toBe('GUIDE_PATH_TAKEN');
    expect(await codeOf(project.takes.updateGuide(9999, { enabled: true }))).toBe('GUIDE_NOT_FOUND');
    expect(await codeOf(project.takes.updateGuide(9999, {}))).toBe('GUIDE_NOT_FOUND');
    for (const bad of [{ path: '../guide.wav' }, { name: '  ' }, { start: -5 }, { length: -1 }, { channels: 0 }, { sampleRate: 1 }, { addedAt: 'x' }]) {
      expect(await codeOf(project.takes.addGuide(guide({ path: 'guide/new.wav', ...bad }))), JSON.stringify(bad)).toBe('GUIDE_VALUE_INVALID');
    }
    expect(await codeOf(project.takes.updateGuide(dx.id, { start: -1 }))).toBe('GUIDE_VALUE_INVALID');
    expect(await project.takes.listGuides()).toEqual([moved, fx]);
  });
});

describe('rolls', () => {
  it('gets defaults (nulls), sets, changes and removes a cue\'s override', async () => {
    expect(await project.takes.getRoll(r101)).toEqual({ cueId: r101, preRollMs: null, postRollMs: null });
    expect(await project.takes.setRoll({ cueId: r101, preRollMs: 3000, postRollMs: null })).toEqual({ cueId: r101, preRollMs: 3000, postRollMs: null });
    expect(await project.takes.getRoll(r101)).toEqual({ cueId: r101, preRollMs: 3000, postRollMs: null });
    await project.takes.setRoll({ cueId: r101, preRollMs: 0, postRollMs: 60_000 });
    expect(await project.takes.getRoll(r101)).toEqual({ cueId: r101, preRollMs: 0, postRollMs: 60_000 });
    expect(await project.takes.getRoll(r102)).toEqual({ cueId: r102, preRollMs: null, postRollMs: null });

    expect(await project.takes.setRoll({ cueId: r101, preRollMs: null, postRollMs: null })).toEqual({ cueId: r101, preRollMs: null, postRollMs: null });
    expect(await project.takes.getRoll(r101)).toEqual({ cueId: r101, preRollMs: null, postRollMs: null });
    expect(await (project as unknown as { db: { all: (sql: string) => Promise<unknown[]> } }).db.all('SELECT * FROM cue_rolls')).toEqual([]);

    for (const [pre, post] of [[-1, null], [null, 60_001], [1.5, null], [Number.NaN, 0]] as const) {
      expect(await codeOf(project.takes.setRoll({ cueId: r101, preRollMs: pre, postRollMs: post }))).toBe('ROLL_INVALID');
    }
    expect(await codeOf(project.takes.setRoll({ cueId: 9999, preRollMs: 1000, postRollMs: null }))).toBe('CUE_NOT_FOUND');
    expect(await project.takes.getRoll(r101)).toEqual({ cueId: r101, preRollMs: null, postRollMs: null });
  });

  it('a cue deleted and restored by undo keeps its roll; redo removes it again', async () => {
    await project.takes.setRoll({ cueId: r102, preRollMs: 2500, postRollMs: 750 });
    await project.cues.apply('Delete R102', [{ type: 'delete-cue', id: r102 }], now);
    expect(await project.takes.getRoll(r102)).toEqual({ cueId: r102, preRollMs: null, postRollMs: null });
    await project.cues.undo(now);
    expect(await project.takes.getRoll(r102)).toEqual({ cueId: r102, preRollMs: 2500, postRollMs: 750 });
    await project.cues.redo(now);
    expect(await project.takes.getRoll(r102)).toEqual({ cueId: r102, preRollMs: null, postRollMs: null });
    await project.cues.undo(now);
    expect(await project.takes.getRoll(r102)).toEqual({ cueId: r102, preRollMs: 2500, postRollMs: 750 });
  });
});

describe('a cue with takes', () => {
  it('cannot be deleted, and the refused action changes nothing', async () => {
    for (const n of [1, 2, 3]) await project.takes.begin(newTake(r101, n));
    const cues = await project.cues.listCues();
    const history = await project.cues.history();

    const error = await errorOf(project.cues.apply('Delete R101', [{ type: 'delete-cue', id: r101 }], now));
    expect(error.code).toBe('CUE_HAS_TAKES');
    expect(error.message).toBe('Cue R101 has 3 takes; a cue with takes cannot be deleted — mark it omitted instead.');
    expect(error.details).toEqual({ cues: [{ id: r101, number: 'R101', takes: 3 }] });

    // With a deletable cue and an edit in the same action: none of it happens.
    const both = await errorOf(project.cues.apply('Tidy', [
      { type: 'update-cue', id: r102, patch: { notes: 'changed' } },
      { type: 'delete-cue', id: r102 },
      { type: 'delete-cue', id: r101 },
    ], now));
    expect(both.code).toBe('CUE_HAS_TAKES');
    expect(await project.cues.listCues()).toEqual(cues);
    expect(await project.cues.history()).toEqual(history);
    expect(await project.takes.list({ cueId: r101 })).toHaveLength(3);

    // Omitting it is the way.
    await project.cues.apply('Omit R101', [{ type: 'update-cue', id: r101, patch: { status: 'omitted' } }], now);
    expect((await project.cues.listCues()).find((c) => c.id === r101)?.status).toBe('omitted');
  });

  it('names every cue with takes when several are refused', async () => {
    await project.takes.begin(newTake(r101, 1));
    await project.takes.begin(newTake(r102, 1));
    await project.takes.begin(newTake(r102, 2));
    const error = await errorOf(project.cues.apply('Delete 2 cues', [{ type: 'delete-cue', id: r102 }, { type: 'delete-cue', id: r101 }], now));
    expect(error.code).toBe('CUE_HAS_TAKES');
    expect(error.message).toBe('Cues R101 (1 take) and R102 (2 takes) have takes; cues with takes cannot be deleted — mark them omitted instead.');
  });

  it('cannot be deleted by undoing its creation', async () => {
    await project.cues.apply('Add R200', [{ type: 'create-cue', fields: fields('R200') }], now);
    const r200 = (await project.cues.listCues()).find((c) => c.number === 'R200')!;
    await project.takes.begin(newTake(r200.id, 1));
    const error = await errorOf(project.cues.undo(now));
    expect(error.code).toBe('CUE_HAS_TAKES');
    expect(error.message).toBe('Undoing "Add R200" would delete cue R200, which has 1 take; a cue with takes cannot be deleted — mark it omitted instead.');
    expect((await project.cues.listCues()).find((c) => c.id === r200.id)).toEqual(r200);
    expect(await project.cues.history()).toEqual({ undo: 'Add R200', redo: null });
  });

  it('cannot be deleted by redoing a delete made before the takes', async () => {
    await project.cues.apply('Delete R102', [{ type: 'delete-cue', id: r102 }], now);
    await project.cues.undo(now);
    await project.takes.begin(newTake(r102, 1));
    const before = await project.cues.listCues();
    const error = await errorOf(project.cues.redo(now));
    expect(error.code).toBe('CUE_HAS_TAKES');
    expect(error.message).toContain('Redoing "Delete R102" would delete cue R102');
    expect(await project.cues.listCues()).toEqual(before);
    expect(await project.cues.history()).toEqual({ undo: 'Add', redo: 'Delete R102' });
  });

  it('still lets cues without takes be deleted, undone and redone', async () => {
    await project.takes.begin(newTake(r101, 1));
    const set = await project.cues.apply('Delete R102', [{ type: 'delete-cue', id: r102 }], now);
    expect(set.removedCueIds).toEqual([r102]);
    await project.cues.undo(now);
    await project.cues.redo(now);
    expect((await project.cues.listCues()).map((c) => c.number)).toEqual(['R101']);
  });
});

describe('persistence', () => {
  it('keeps takes, guides and rolls across close and reopen', async () => {
    const take = await project.takes.begin(newTake(r101, 1));
    const open = await project.takes.begin(newTake(r101, 2));
    const finished = await project.takes.finish(take.id, { status: 'complete', length: 96_000, completedAt: later });
    const marked = (await project.takes.mark(finished.id, { circled: true, rating: 5, note: 'Circle it.' })).take.after;
    const g = await project.takes.addGuide(guide());
    await project.takes.setRoll({ cueId: r102, preRollMs: null, postRollMs: 1200 });
    await project.close();

    project = await store.open(dir);
    expect(await project.info()).toMatchObject({ schemaVersion: latestVersion(loadMigrations()) });
    expect(await project.takes.list()).toEqual([marked, open]);
    expect(await project.takes.unfinished()).toEqual([open]);
    expect(await project.takes.nextNumber(r101)).toBe(3);
    expect(await project.takes.listGuides()).toEqual([g]);
    expect(await project.takes.getRoll(r102)).toEqual({ cueId: r102, preRollMs: null, postRollMs: 1200 });
  });
});
