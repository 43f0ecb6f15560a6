/** Foley passes, pass takes and the events they cover, on a real SQLite project (migration 0005). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { CUE_FIELD_DEFAULTS, type CueFields } from '../../src/core/cues/cue.js';
import { isLoopstageError } from '../../src/core/errors.js';
import type { ProjectHandle } from '../../src/engine/ports/project-store.js';
import type { NewFoleyPass } from '../../src/engine/ports/pass-store.js';
import type { NewTake } from '../../src/engine/ports/take-store.js';

const now = new Date('2026-12-04T10:00:00.000Z');
const S = 48_000;
const START = 172_800_000;
let tmp: string;
let project: ProjectHandle;
let ids: Record<string, number>;

function fields(number: string, extra: Partial<CueFields>): CueFields {
  return { ...CUE_FIELD_DEFAULTS, kind: 'foley', pass: 'feet', number, in: START, out: START + S, ...extra };
}

beforeEach(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'loopstage-passes-'));
  project = await new SqliteProjectStore().create(path.join(tmp, 'p'), { title: 'Passes', frameRate: '25', sampleRate: S, start: START }, now);
  await project.cues.apply('Spot', [
    { type: 'create-scene', fields: { number: '12', in: START, out: START + 60 * S } },
    { type: 'create-cue', fields: fields('F101', { character: 'Robin', scene: '12', in: START + 10 * S, out: START + 12 * S }) },
    { type: 'create-cue', fields: fields('F102', { character: 'Robin', scene: '12', in: START + 20 * S, out: START + 22 * S }) },
    { type: 'create-cue', fields: fields('F103', { character: 'Robin', scene: '12', in: START + 50 * S, out: START + 55 * S }) },
  ], now);
  ids = Object.fromEntries((await project.cues.listCues()).map((c) => [c.number, c.id]));
});

afterEach(async () => {
  await project.close();
  rmSync(tmp, { recursive: true, force: true });
});

const pass = (extra: Partial<NewFoleyPass> = {}): NewFoleyPass => ({
  name: 'Feet Robin sc 12', pass: 'feet', character: 'Robin', scope: 'scene', scene: '12', reel: null,
  in: START, out: START + 60 * S, createdAt: now.toISOString(), eventIds: [ids.F103!, ids.F101!, ids.F102!], ...extra,
});

const passTake = (passId: number, number: number, extra: Partial<NewTake> = {}): NewTake => ({
  cueId: null, passId, number, path: `takes/Feet_Robin_sc_12_T${number}.wav`, channels: 2, channelNames: ['close', 'room'], inputChannels: [0, 1],
  sampleRate: S, bitsPerSample: 24, float: false, start: START, latency: 0, latencySource: 'measured', inputDevice: 'rig', outputDevice: 'rig',
  createdAt: now.toISOString(), ...extra,
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isLoopstageError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('Foley passes', () => {
  it('stores a pass with its events (by in point), names resolved, and its status', async () => {
    const created = await project.passes.create(pass());
    expect(created).toEqual({ ...pass(), id: created.id, status: 'todo', eventIds: [ids.F101, ids.F102, ids.F103] });
    expect(await project.passes.list()).toEqual([created]);
    expect(await project.passes.setStatus(created.id, 'done')).toMatchObject({ status: 'done' });
    expect(await codeOf(project.passes.create(pass({ name: 'FEET robin SC 12' })))).toBe('PASS_NAME_TAKEN');
    expect(await codeOf(project.passes.create(pass({ name: 'x', character: 'Nobody' })))).toBe('PASS_VALUE_INVALID');
    expect(await codeOf(project.passes.create(pass({ name: 'y', out: START })))).toBe('PASS_VALUE_INVALID');
    expect(await codeOf(project.passes.create(pass({ name: 'z', eventIds: [9999] })))).toBe('CUE_NOT_FOUND');
    expect(await codeOf(project.passes.setStatus(9999, 'done'))).toBe('PASS_NOT_FOUND');
    expect(await project.passes.list()).toHaveLength(1);
  });

  it('numbers pass takes per pass, links them to the events they cover, and keeps covered events from being deleted', async () => {
    const feet = await project.passes.create(pass());
    expect(await project.takes.nextPassNumber(feet.id)).toBe(1);
    const t1 = await project.takes.begin(passTake(feet.id, 1));
    expect(t1).toMatchObject({ cueId: null, passId: feet.id, number: 1 });
    expect(await project.takes.nextPassNumber(feet.id)).toBe(2);
    expect(await codeOf(project.takes.begin(passTake(feet.id, 1, { path: 'takes/again.wav' })))).toBe('TAKE_NUMBER_TAKEN');
    expect(await codeOf(project.takes.begin(passTake(feet.id, 2, { path: 'takes/both.wav', cueId: ids.F101! })))).toBe('TAKE_VALUE_INVALID');
    await project.takes.finish(t1.id, { status: 'complete', length: 30 * S, completedAt: now.toISOString() });
    await project.takes.coverEvents(t1.id, [ids.F101!, ids.F102!]);
    await project.takes.coverEvents(t1.id, [ids.F101!]);
    expect(await project.takes.coverage()).toEqual(new Map([[ids.F101!, [t1.id]], [ids.F102!, [t1.id]]]));
    expect((await project.takes.list({ passId: feet.id })).map((t) => t.id)).toEqual([t1.id]);

    // An aborted pass take covers nothing.
    const t2 = await project.takes.begin(passTake(feet.id, 2, { path: 'takes/t2.wav' }));
    await project.takes.finish(t2.id, { status: 'aborted', length: 0, completedAt: now.toISOString() });
    await project.takes.coverEvents(t2.id, [ids.F103!]);
    expect([...(await project.takes.coverage()).keys()].sort()).toEqual([ids.F101, ids.F102].sort());

    // A covered event holds a take: deleting it is refused as for a cue with takes, and nothing changes.
    const before = await project.cues.listCues();
    expect(await codeOf(project.cues.apply('Delete', [{ type: 'delete-cue', id: ids.F101! }], now))).toBe('CUE_HAS_TAKES');
    expect(await project.cues.listCues()).toEqual(before);
    expect(await codeOf(project.takes.coverEvents(t1.id, [9999]))).toBe('TAKE_EVENTS_INVALID');
  });
});
