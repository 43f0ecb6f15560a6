/**
 * Picture settings changed from two screens at once, through the real engine and a real project
 * file: each change keeps the others (the operator's punch and the talent's display latency, set in
 * the same moment, are both there afterwards, in the engine and on disk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createEngine } from '../../src/host/create-engine.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-picture-settings-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('keeps every part of concurrent changes, in the engine and in the project file', async () => {
  const dir = path.join(work, 'P');
  const engine = createEngine();
  await engine.createProject(dir, { title: 'P', frameRate: '25', sampleRate: 48000, start: 0 });
  const before = await engine.pictures.settings();
  const changes = await Promise.all([
    engine.pictures.updateSettings({ displayOffsetMs: { ...before.displayOffsetMs, talent: 40 } }),
    engine.pictures.updateSettings({ overlay: { ...before.overlay, punch: { ...before.overlay.punch, holes: 3 } } }),
    engine.pictures.updateSettings({ screens: { ...before.screens, talent: { ...before.screens.talent, textSize: 0.08 } } }),
  ]);
  // The last answer is the whole result; each earlier answer already holds the changes before it.
  expect(changes[2]).toMatchObject({ displayOffsetMs: { talent: 40 }, overlay: { punch: { holes: 3 } }, screens: { talent: { textSize: 0.08 } } });
  expect(changes[1]).toMatchObject({ displayOffsetMs: { talent: 40 }, overlay: { punch: { holes: 3 } } });
  await engine.close();

  const reopened = createEngine();
  await reopened.openProject(dir);
  expect(await reopened.pictures.settings()).toMatchObject({ displayOffsetMs: { talent: 40 }, overlay: { punch: { holes: 3 } }, screens: { talent: { textSize: 0.08 } } });
  await reopened.close();
});
