/** The cue database on real SQLite project files: changes, the journal, undo and redo. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { CUE_FIELD_DEFAULTS, type CueFields } from '../../src/core/cues/cue.js';
import type { ProjectHandle } from '../../src/engine/ports/project-store.js';

let project: ProjectHandle;
const now = new Date('2026-11-21T10:00:00.000Z');

beforeEach(async () => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'loopstage-cues-')), 'p');
  project = await new SqliteProjectStore().create(dir, { title: 'Cues', frameRate: '24', sampleRate: 48000, start: 172_800_000 }, now);
});
afterEach(() => project.close());

function fields(number: string, extra: Partial<CueFields> = {}): CueFields {
  return { ...CUE_FIELD_DEFAULTS, kind: 'adr', number, in: 172_800_000, out: 172_848_000, ...extra };
}

describe('SqliteCueStore', () => {
  it('creates cues with their characters and reels in one undoable action', async () => {
    const set = await project.cues.apply('Import list.csv', [
      { type: 'create-cue', fields: fields('R101', { character: 'Robin', reel: 'Reel 1', lineText: 'What now?', reason: 'noise', tv: true }) },
      { type: 'create-cue', fields: fields('R102', { character: 'robin', reel: 'Reel 1', in: 172_900_000, out: 172_950_000 }) },
      { type: 'create-cue', fields: fields('F101', { kind: 'foley', pass: 'feet', surface: 'gravel', in: 172_850_000, out: 172_860_000 }) },
    ], now);
    expect(set.cues).toHaveLength(3);
    expect(set.listsChanged).toBe(true);
    const cues = await project.cues.listCues();
    expect(cues.map((c) => c.number)).toEqual(['R101', 'F101', 'R102']);
    expect(cues[0]).toMatchObject({ character: 'Robin', reel: 'Reel 1', lineText: 'What now?', reason: 'noise', tv: true, status: 'todo', doneAt: null });
    expect(cues[1]).toMatchObject({ kind: 'foley', pass: 'feet', surface: 'gravel', character: null });
    expect(await project.cues.listCharacters()).toEqual([{ id: 1, name: 'Robin', actor: '', prefix: '', colour: '' }]);
    expect(await project.cues.listReels()).toMatchObject([{ name: 'Reel 1', number: 1 }]);
    expect(await project.cues.history()).toEqual({ undo: 'Import list.csv', redo: null });

    const undone = await project.cues.undo(now);
    expect([...(undone?.removedCueIds ?? [])].sort()).toEqual(cues.map((c) => c.id).sort());
    expect(await project.cues.listCues()).toEqual([]);
    expect(await project.cues.listCharacters()).toEqual([]);
    expect(await project.cues.listReels()).toEqual([]);
    expect(await project.cues.history()).toEqual({ undo: null, redo: 'Import list.csv' });

    await project.cues.redo(now);
    expect(await project.cues.listCues()).toEqual(cues);
    expect(await project.cues.listCharacters()).toHaveLength(1);
  });

  it('journals edits field by field; undo and redo restore them exactly; done stamps the date', async () => {
    await project.cues.apply('Add', [{ type: 'create-cue', fields: fields('R101', { lineText: 'Old' }) }], now);
    const [cue] = await project.cues.listCues();
    const later = new Date('2026-11-21T11:00:00.000Z');
    await project.cues.apply('Edit line', [{ type: 'update-cue', id: cue!.id, patch: { lineText: 'New', status: 'done' } }], later);
    const [edited] = await project.cues.listCues();
    expect(edited).toMatchObject({ lineText: 'New', status: 'done', doneAt: later.toISOString(), updatedAt: later.toISOString() });
    await project.cues.undo(later);
    expect((await project.cues.listCues())[0]).toEqual(cue);
    await project.cues.redo(later);
    expect((await project.cues.listCues())[0]).toEqual(edited);
    // A new action after an undo drops what could have been redone.
    await project.cues.undo(later);
    await project.cues.apply('Other edit', [{ type: 'update-cue', id: cue!.id, patch: { notes: 'typed' } }], later);
    expect(await project.cues.history()).toEqual({ undo: 'Other edit', redo: null });
  });

  it('deletes and restores a cue', async () => {
    await project.cues.apply('Add', [{ type: 'create-cue', fields: fields('R101', { character: 'Robin' }) }], now);
    const [cue] = await project.cues.listCues();
    const set = await project.cues.apply('Delete R101', [{ type: 'delete-cue', id: cue!.id }], now);
    expect(set.removedCueIds).toEqual([cue!.id]);
    expect(await project.cues.listCues()).toEqual([]);
    await project.cues.undo(now);
    expect(await project.cues.listCues()).toEqual([cue]);
  });

  it('a failing action changes nothing and says why', async () => {
    await project.cues.apply('Add', [{ type: 'create-cue', fields: fields('R101') }], now);
    const before = await project.cues.listCues();
    await expect(project.cues.apply('Import', [
      { type: 'create-cue', fields: fields('R200', { character: 'Newcomer' }) },
      { type: 'create-cue', fields: fields('r101') },
    ], now)).rejects.toMatchObject({ code: 'CUE_NUMBER_TAKEN' });
    await expect(project.cues.apply('Bad', [{ type: 'update-cue', id: before[0]!.id, patch: { out: 0 } }], now)).rejects.toMatchObject({ code: 'CUE_VALUE_INVALID' });
    await expect(project.cues.apply('Bad', [{ type: 'update-cue', id: before[0]!.id, patch: { reason: 'bad-hair-day' } }], now)).rejects.toMatchObject({ code: 'CUE_REFERENCE_UNKNOWN' });
    await expect(project.cues.apply('Bad', [{ type: 'update-cue', id: before[0]!.id, patch: { scene: '12' } }], now)).rejects.toMatchObject({ code: 'CUE_SCENE_UNKNOWN' });
    expect(await project.cues.listCues()).toEqual(before);
    expect(await project.cues.listCharacters()).toEqual([]);
    expect(await project.cues.history()).toEqual({ undo: 'Add', redo: null });
  });

  it('scenes by number, and cues that name them', async () => {
    await project.cues.apply('Scenes', [
      { type: 'create-scene', fields: { number: '12', description: 'Castle', in: 172_800_000, out: 173_000_000, reel: 'Reel 1' } },
      { type: 'create-cue', fields: fields('R101', { scene: '12' }) },
    ], now);
    expect((await project.cues.listCues())[0]?.scene).toBe('12');
    expect(await project.cues.listScenes()).toMatchObject([{ number: '12', description: 'Castle', reel: 'Reel 1' }]);
    await project.cues.apply('Rename scene', [{ type: 'update-scene', number: '12', patch: { description: 'Castle hall' } }], now);
    expect((await project.cues.listScenes())[0]?.description).toBe('Castle hall');
    await project.cues.undo(now);
    expect((await project.cues.listScenes())[0]?.description).toBe('Castle');
  });
});

describe('one action that creates a character and cues naming it', () => {
  it('does not create the character twice', async () => {
    await project.cues.apply('Import', [
      { type: 'create-character', fields: { name: 'Robin', actor: 'Errol Flynn', prefix: 'R' } },
      { type: 'create-reel', fields: { name: 'Reel 2', number: 2 } },
      { type: 'create-cue', fields: fields('R201', { character: 'ROBIN', reel: 'reel 2' }) },
    ], now);
    expect(await project.cues.listCharacters()).toMatchObject([{ name: 'Robin', actor: 'Errol Flynn', prefix: 'R' }]);
    expect(await project.cues.listReels()).toMatchObject([{ name: 'Reel 2', number: 2 }]);
    expect((await project.cues.listCues())[0]).toMatchObject({ character: 'Robin', reel: 'Reel 2' });
    await expect(project.cues.apply('Again', [{ type: 'create-character', fields: { name: 'robin' } }], now)).rejects.toMatchObject({ code: 'CUE_NAME_TAKEN' });
  });
});

describe('reason codes and characters, edited and undone', () => {
  it('renames a reason into its cues, removes it from them, and undo restores both', async () => {
    await project.cues.apply('Add', [{ type: 'create-cue', fields: fields('R101', { reason: 'noise', character: 'Robin' }) }], now);
    const noise = (await project.cues.listReasonCodes()).find((r) => r.code === 'noise')!;
    const renamed = await project.cues.apply('Rename', [{ type: 'update-reason', id: noise.id, patch: { code: 'bg-noise', label: 'Background noise' } }], now);
    expect(renamed.cuesStale).toBe(true);
    expect((await project.cues.listCues())[0]?.reason).toBe('bg-noise');
    await project.cues.apply('Remove', [{ type: 'delete-reason', id: noise.id }], now);
    expect((await project.cues.listCues())[0]?.reason).toBeNull();
    expect((await project.cues.listReasonCodes()).some((r) => r.id === noise.id)).toBe(false);
    await project.cues.undo(now);
    expect((await project.cues.listCues())[0]?.reason).toBe('bg-noise');
    await project.cues.undo(now);
    expect((await project.cues.listCues())[0]?.reason).toBe('noise');
    await expect(project.cues.apply('Dup', [{ type: 'create-reason', fields: { code: 'NOISE', label: 'x' } }], now)).rejects.toMatchObject({ code: 'CUE_REASON_TAKEN' });
    const added = await project.cues.apply('Add reason', [{ type: 'create-reason', fields: { code: 'breath', label: 'Breath' } }], now);
    expect(added.listsChanged).toBe(true);
    expect((await project.cues.listReasonCodes()).at(-1)).toMatchObject({ code: 'breath', label: 'Breath' });
  });

  it('edits a character (name, actor, prefix) and its cues show the new name', async () => {
    await project.cues.apply('Add', [{ type: 'create-cue', fields: fields('R101', { character: 'Robin' }) }], now);
    const [robin] = await project.cues.listCharacters();
    await project.cues.apply('Edit', [{ type: 'update-character', id: robin!.id, patch: { name: 'Robin of Locksley', actor: 'Errol Flynn', prefix: 'RL' } }], now);
    expect(await project.cues.listCharacters()).toMatchObject([{ name: 'Robin of Locksley', actor: 'Errol Flynn', prefix: 'RL' }]);
    expect((await project.cues.listCues())[0]?.character).toBe('Robin of Locksley');
    await project.cues.undo(now);
    expect((await project.cues.listCues())[0]?.character).toBe('Robin');
  });
});
