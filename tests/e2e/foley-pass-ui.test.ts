/**
 * A Foley feet pass as a Foley mixer runs it in Chromium, on `loopstage serve` with the audio rig's
 * `rig_loopback` device (its input hears its own output, so Calibrate measures a real round trip):
 * make a feet pass over a scene in the UI, calibrate, arm, record a pass take, stop it past the
 * pass's out point, see the take listed with its number and the events it covers, circle it, and
 * play it back. Then independent readers check what was written: the SQLite database (the take
 * row with its pass, the take_events links), the file on disk, exiftool's reading of its iXML, and
 * the cue list's "Covered" marks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelToPosition, parseFrameRate } from '../../src/core/time/index.js';
import { launchChromium } from '../support/browser.js';
import { alerts, calibrate, cueRow, squash, sqliteJson } from '../support/stage-page.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { startRig, writeRampMic, type Rig } from '../support/rig.js';

const SAMPLE_RATE = 48_000;
const RATE = parseFrameRate('25');
const at = (label: string) => labelToPosition(label, RATE, SAMPLE_RATE) as number;
const PASS_NAME = 'Feet ROBIN sc 7';
// Scene 7 runs from F101's in point to F102's out point (the import spans a scene over its cues).
const PASS_IN = '01:00:10:00';
const PASS_OUT = '01:00:13:00';
/** How long to wait for what the engine and the rig do (a roll starting, a take filed): under load, seconds. */
const WAIT = 15_000;
/** A take stopped with Stop before its post-roll ended (and perhaps the rig's dropouts, named). */
const STOPPED_BY_HAND = /^Complete: Cut short: the transport stopped before the end of the take\.( .*dropout.*)?$/s;

let rig: Rig;
let browser: Browser;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let url: string;
let work: string;
let dir: string;

beforeAll(async () => {
  rig = startRig(2, SAMPLE_RATE);
  writeRampMic(rig, 60, SAMPLE_RATE, 2);
  work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-pass-ui-'));
  dir = path.join(work, 'Sherwood Foley');
  const created = loopstage(['project', 'create', dir, '--title', 'Sherwood Foley', '--rate', '25', '--sample-rate', String(SAMPLE_RATE), '--start', '01:00:00:00']);
  expect(created.code, created.stderr).toBe(0);
  // Scene 7's feet for ROBIN are F101 and F102; F103 is MARIAN's, F104 is props; F105 is in scene 8.
  const csv = path.join(work, 'foley.csv');
  writeFileSync(csv, [
    'Cue,Character,TC In,TC Out,Pass,Surface,Scene',
    'F101,ROBIN,01:00:10:00,01:00:11:00,feet,gravel,7',
    'F102,ROBIN,01:00:12:00,01:00:13:00,feet,wood,7',
    'F103,MARIAN,01:00:11:00,01:00:12:00,feet,gravel,7',
    'F104,ROBIN,01:00:12:10,01:00:12:20,props,,7',
    'F105,ROBIN,01:00:20:00,01:00:21:00,feet,stone,8',
  ].join('\n'));
  const imported = loopstage(['import', csv, '--project', dir, '--kind', 'foley']);
  expect(imported.code, imported.stderr).toBe(0);
  serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--input', 'rig_loopback', '--output', 'rig_loopback', '--json'], rig.env);
  const started = JSON.parse(serve.firstLine) as { url: string; audio: { state: string; clockSource: string } };
  expect(started.audio).toMatchObject({ state: 'running', clockSource: 'audio-device' });
  url = started.url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (serve) expect(await stopChild(serve.child)).toBe(0);
  rig?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function passPhase(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Foley pass phase', exact: true }).textContent().then(squash);
}

/** The cells of a pass take's row: [number, status, length, start, file, tracks, covers]. */
async function passTakeRow(page: Page, number: number): Promise<string[] | null> {
  const rows = page.getByRole('table', { name: 'Pass takes', exact: true }).getByRole('row').filter({ has: page.getByRole('button', { name: `Play pass take ${number}`, exact: true }) });
  if ((await rows.count()) !== 1) return null;
  return (await rows.locator('th, td').allTextContents()).map((t) => squash(t)!);
}

/** The cells of a pass's row in the pass list: [name, kind, character, over, in, out, covered, takes]. */
async function passRow(page: Page, name: string): Promise<string[] | null> {
  const rows = page.getByRole('table', { name: 'Foley pass list', exact: true }).getByRole('row').filter({ has: page.getByRole('button', { name, exact: true }) });
  if ((await rows.count()) !== 1) return null;
  return (await rows.locator('th, td').allTextContents()).map((t) => squash(t)!);
}

describe('a Foley pass in Chromium on the audio rig', () => {
  it('makes a feet pass over a scene, records a calibrated take of it, circles it, and the project, file, iXML and cue list agree', { timeout: 240_000 }, async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: WAIT }).toMatch(/^Running on the audio device · device rig_loopback/);

    // A long post-roll, so the test stops the take itself, well past the pass's out point.
    const settings = page.getByRole('region', { name: 'Recording', exact: true });
    await settings.getByLabel('Post-roll (s)', { exact: true }).fill('8');
    await settings.getByRole('button', { name: 'Save recording settings', exact: true }).click();
    await expect.poll(() => settings.textContent(), { timeout: WAIT }).not.toContain('Unsaved changes');

    // ---- Make the pass: feet, ROBIN, over scene 7. The form previews what the engine will plan.
    const panel = page.getByRole('region', { name: 'Foley passes', exact: true });
    await expect.poll(() => panel.textContent(), { timeout: WAIT }).toContain('No Foley passes yet');
    await panel.getByLabel('Kind of pass', { exact: true }).selectOption('feet');
    await panel.getByLabel('Character of the pass', { exact: true }).selectOption('ROBIN');
    await panel.getByLabel('A scene', { exact: true }).check();
    await panel.getByLabel('Scene of the pass', { exact: true }).selectOption('7');
    const preview = panel.getByRole('status', { name: 'New pass preview', exact: true });
    await expect.poll(() => preview.textContent().then(squash), { timeout: WAIT }).toBe(`${PASS_NAME}: 2 events (F101, F102), ${PASS_IN} → ${PASS_OUT}`);
    await panel.getByRole('button', { name: 'Create pass', exact: true }).click();

    // Listed and selected, named up front: nothing covered yet, no takes.
    const select = panel.getByRole('button', { name: PASS_NAME, exact: true });
    await expect.poll(() => select.getAttribute('aria-pressed'), { timeout: WAIT }).toBe('true');
    expect(await passRow(page, PASS_NAME)).toEqual([PASS_NAME, 'Feet', 'ROBIN', 'Scene 7', PASS_IN, PASS_OUT, '0 of 2', '0']);
    expect(squash(await panel.getByRole('group', { name: 'Selected pass', exact: true }).textContent())).toBe(`${PASS_NAME} Feet ROBIN ${PASS_IN} → ${PASS_OUT}`);
    expect(await panel.getByRole('list', { name: 'Events of the pass', exact: true }).getByRole('listitem').allTextContents().then((items) => items.map((t) => squash(t)!.split(' ')[0]))).toEqual(['F101', 'F102']);
    await expect.poll(() => panel.textContent(), { timeout: WAIT }).toContain('No takes of this pass yet.');

    // ---- Record is held until armed and calibrated, as for a cue.
    const record = panel.getByRole('button', { name: 'Record pass', exact: true });
    const arm = panel.getByRole('button', { name: 'Arm pass recording', exact: true });
    const held = panel.getByRole('status', { name: 'Pass recording held', exact: true });
    expect(await record.isEnabled()).toBe(false);
    expect(await held.textContent()).toMatch(/^Arm recording first/);
    await arm.click();
    await expect.poll(() => arm.getAttribute('aria-pressed'), { timeout: WAIT }).toBe('true');
    await expect.poll(() => held.textContent(), { timeout: WAIT }).toMatch(/^Recording is held until the round trip is measured/);
    expect(await record.isEnabled()).toBe(false);
    await calibrate(page, () => serve.stderr());
    await expect.poll(() => held.count(), { timeout: WAIT }).toBe(0);

    // ---- Record a take, free-running over the pass; stop it once the clock is past its out point.
    // The rig's PulseAudio path sometimes stalls or fails (the engine reopens the stream, which
    // voids the calibration, and files the take cut short, saying why); such a take is recorded
    // again, at most 3 tries. A good take was stopped by hand: its status says so, and nothing else
    // but dropouts the rig reported under load.
    const timecode = page.getByRole('timer', { name: 'Timecode', exact: true });
    const tries: string[] = [];
    let takeNumber = 1;
    let cells: string[] | null = null;
    for (let attempt = 0; attempt < 3 && !cells; attempt++) {
      await calibrate(page, () => serve.stderr());
      if ((await arm.getAttribute('aria-pressed')) !== 'true') await arm.click();
      if (!(await expect.poll(() => record.isEnabled(), { timeout: 5_000 }).toBe(true).then(() => true, () => false))) {
        tries.push(`Record pass stayed disabled: ${await held.textContent().catch(() => '')}`);
        continue;
      }
      await record.click();
      await expect.poll(async () => (await passPhase(page)) === `Recording take ${takeNumber}` || /RECORD_NOT_CALIBRATED/.test(await alerts(page)), { timeout: WAIT, interval: 20 }).toBe(true).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; phase: ${await passPhase(page)}; alerts: ${await alerts(page)}; log: ${serve.stderr().slice(-1500)}`);
      });
      if (/RECORD_NOT_CALIBRATED/.test(await alerts(page))) {
        tries.push(await alerts(page));
        for (const dismiss of await page.getByRole('button', { name: /^Dismiss/ }).all()) await dismiss.click();
        continue;
      }
      expect(await page.getByRole('status', { name: 'Stage state', exact: true }).getAttribute('data-phase')).toBe('record');
      // No warning: the round trip was measured on this stream.
      expect(await panel.getByRole('status', { name: 'Pass roll warning', exact: true }).count()).toBe(0);
      const number = takeNumber++;
      await expect.poll(() => passTakeRow(page, number).then((row) => row?.[1]), { timeout: WAIT }).toMatch(/^(Recording|Complete)/);
      await expect
        .poll(async () => (await passPhase(page)) === 'Idle' || Number(await timecode.getAttribute('data-position')) > at('01:00:13:12'), { timeout: 20_000, interval: 50 })
        .toBe(true);
      if ((await passPhase(page)) !== 'Idle') await panel.getByRole('button', { name: 'Stop pass', exact: true }).click();
      await expect.poll(() => passPhase(page), { timeout: 20_000 }).toBe('Idle');
      await expect.poll(() => passTakeRow(page, number).then((row) => row?.[1]), { timeout: WAIT }).not.toMatch(/^Recording/);
      const row = (await passTakeRow(page, number))!;
      if (!STOPPED_BY_HAND.test(row[1]!)) {
        tries.push(`take ${number}: ${row[1]}`);
        continue;
      }
      cells = row;
    }
    expect(cells, tries.join('\n')).not.toBeNull();
    if (tries.length > 0) console.log(JSON.stringify({ rigRetries: tries }));

    // Filed against the pass: complete (stopped by hand before its post-roll ended, which the
    // status says), from the roll's first beep (3 s before the pass), covering both of its events.
    const [number, status, , start, file, tracks, covers] = cells!;
    const n = takeNumber - 1;
    expect(number).toBe(String(n));
    expect(status).toMatch(STOPPED_BY_HAND);
    expect(start).toBe('01:00:07:00');
    expect(tracks).toBe('Input 1');
    expect(covers).toBe('F101, F102');
    expect(file).toBe(`Feet ROBIN sc 7_ROBIN_T${String(n).padStart(2, '0')}.wav`);
    await expect.poll(() => passRow(page, PASS_NAME), { timeout: WAIT }).toEqual([PASS_NAME, 'Feet', 'ROBIN', 'Scene 7', PASS_IN, PASS_OUT, '2 of 2', String(n)]);

    // ---- Circle it from its row.
    const circle = panel.getByRole('button', { name: `Circle pass take ${n}`, exact: true });
    await circle.click();
    await expect.poll(() => circle.getAttribute('aria-pressed'), { timeout: WAIT }).toBe('true');

    // ---- The cue list marks the events the take covers, and only those.
    for (const covered of ['F101', 'F102']) await expect.poll(() => cueRow(page, covered).locator('.covered').textContent(), { timeout: WAIT }).toBe('Covered');
    for (const other of ['F103', 'F104', 'F105']) expect(await cueRow(page, other).locator('.covered').count()).toBe(0);
    expect(await panel.getByRole('list', { name: 'Events of the pass', exact: true }).getByRole('listitem').allTextContents().then((items) => items.map((t) => squash(t)!))).toEqual([
      expect.stringMatching(/^F101 01:00:10:00 ROBIN · gravel Covered$/),
      expect.stringMatching(/^F102 01:00:12:00 ROBIN · wood Covered$/),
    ]);

    // ---- Play it back against picture; Stop ends the playback.
    await panel.getByRole('button', { name: `Play pass take ${n}`, exact: true }).click();
    await expect.poll(() => passPhase(page), { timeout: WAIT, interval: 20 }).toBe(`Playing back take ${n}`).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; alerts: ${await alerts(page)}`);
    });
    await panel.getByRole('button', { name: 'Stop pass', exact: true }).click();
    await expect.poll(() => passPhase(page), { timeout: WAIT }).toBe('Idle');

    // ---- Independent readers. SQLite: the takes are the pass's (not a cue's); the good one is
    // circled and linked to exactly the events it covers.
    const [pass] = sqliteJson<{ id: number; name: string; pass: string; scope: string }>(dir, 'SELECT id, name, pass, scope FROM foley_passes');
    expect(pass).toMatchObject({ name: PASS_NAME, pass: 'feet', scope: 'scene' });
    const takes = sqliteJson<{ id: number; cue_id: number | null; pass_id: number; number: number; path: string; status: string; circled: number; start_sample: number; length: number; latency_source: string }>(dir, 
      'SELECT id, cue_id, pass_id, number, path, status, circled, start_sample, length, latency_source FROM takes ORDER BY number',
    );
    expect(takes.map((t) => [t.number, t.pass_id, t.cue_id])).toEqual(Array.from({ length: n }, (_, i) => [i + 1, pass!.id, null]));
    const take = takes.find((t) => t.number === n)!;
    expect(take).toMatchObject({ status: 'complete', circled: 1, start_sample: at('01:00:07:00'), latency_source: 'measured' });
    expect(take.start_sample + take.length).toBeGreaterThan(at(PASS_OUT));
    const linked = sqliteJson<{ number: string }>(dir, `SELECT c.number FROM take_events e JOIN cues c ON c.id = e.cue_id WHERE e.take_id = ${take.id} ORDER BY c.number`);
    expect(linked.map((row) => row.number)).toEqual(['F101', 'F102']);

    // The file: in the project's takes/ folder, under the name the UI showed.
    expect(take.path).toBe(`takes/${file}`);
    const onDisk = path.join(dir, take.path);
    expect(existsSync(onDisk)).toBe(true);
    expect(readdirSync(path.join(dir, 'takes'))).toContain(file);

    // exiftool: the take's iXML says circled and names the pass; bext places it at its start.
    const [exif] = JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', '-n', onDisk], { encoding: 'utf8' })) as Array<Record<string, unknown>>;
    expect(String(exif!['XML:BwfxmlCircled']).toUpperCase()).toBe('TRUE');
    expect(exif).toMatchObject({ 'XML:BwfxmlLoopstageCueNumber': PASS_NAME, 'XML:BwfxmlLoopstageLineText': 'Feet: F101, F102', 'RIFF:TimeReference': take.start_sample });

    // A fresh page returns to the pass (kept with the project) with its circled take.
    const fresh = await browser.newPage();
    await fresh.goto(url);
    await expect.poll(() => fresh.getByRole('button', { name: PASS_NAME, exact: true }).getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => fresh.getByRole('button', { name: `Circle pass take ${n}`, exact: true }).getAttribute('aria-pressed'), { timeout: WAIT }).toBe('true');
    await fresh.close();

    expect(problems).toEqual([]);
    await page.close();
  });
});
