/**
 * A whole session as a new user runs it, in Chromium on `loopstage serve` with the audio rig's
 * `rig_loopback` device (its input hears its own output, so Calibrate measures a real round trip):
 * create a project, choose the interface, add the demo picture (its sound as guide) and import the
 * demo ADR and Foley cue lists, calibrate, rehearse a cue, record three takes, rate, note and
 * circle the second (the session moves on to the next cue), record a Foley feet pass over a scene,
 * review a take and A/B two takes against picture — all from the keyboard where a mixer would.
 * The talent's screen shows the state throughout. Then independent readers check what was written:
 * sqlite3 (the takes, their marks, the pass and its links, the session log), exiftool (bext and
 * iXML CIRCLED / NOTE as set in the session) and sox (the audio bytes untouched by the marks).
 *
 * Then the app is killed (SIGKILL) during a take and started again: the take is there, recovered,
 * playable, and the session log says what happened.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelToPosition, parseFrameRate } from '../../src/core/time/index.js';
import { launchChromium } from '../support/browser.js';
import { alerts, calibrate, cueRow, squash, sqliteJson, dismissAlerts } from '../support/stage-page.js';
import { loopstageServe, stopChild } from '../support/cli.js';
import { startRig, type Rig } from '../support/rig.js';

const DEMO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cues');
/** The demo's settings: its picture runs at the project's rate. */
const SETTINGS = JSON.parse(readFileSync(path.join(DEMO, 'project.json'), 'utf8')) as { title: string; frameRate: string; sampleRate: number; startTimecode: string };
const SAMPLE_RATE = SETTINGS.sampleRate;
const RATE = parseFrameRate(SETTINGS.frameRate);
const at = (label: string) => labelToPosition(label, RATE, SAMPLE_RATE) as number;

let rig: Rig;
let browser: Browser;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let url: string;
let work: string;
let dir: string;

beforeAll(async () => {
  rig = startRig(2, SAMPLE_RATE);
  work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-session-'));
  dir = path.join(work, 'Sherwood');
  copyFileSync(path.join(DEMO, 'media', 'demo-reel1.mp4'), path.join(work, 'demo-reel1.mp4'));
  serve = await loopstageServe(['serve', '--port', '0', '--json'], rig.env);
  url = (JSON.parse(serve.firstLine) as { url: string }).url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (serve) await stopChild(serve.child);
  rig?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function phase(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Recorder phase', exact: true }).textContent().then(squash);
}

/** The cells of a take's row in the recorder: [number, status, length, start, file, channels, …]. */
async function takeRow(page: Page, number: number): Promise<string[] | null> {
  const rows = page.getByRole('table', { name: 'Takes', exact: true }).getByRole('row').filter({ has: page.getByRole('button', { name: `Play take ${number}`, exact: true }) });
  if ((await rows.count()) !== 1) return null;
  return (await rows.locator('th, td').allTextContents()).map((t) => squash(t)!);
}

/** The keys a row of the keyboard map shows. */
function keysOf(row: Locator): Promise<string[]> {
  return row.locator('.keys kbd').allTextContents();
}

/**
 * Presses `key` and waits for the recorder to say `expected`. A rig stall that ends the roll at
 * once (the engine reopens the stream and says so) is dismissed and the key pressed again.
 */
async function rollWith(page: Page, key: string, expected: string): Promise<void> {
  const tries: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    await focusPage(page);
    await page.keyboard.press(key);
    const started = await expect.poll(() => phase(page), { interval: 20, timeout: 15_000 }).toBe(expected).then(() => true, () => false);
    if (started) return;
    const said = await alerts(page);
    tries.push(`${await phase(page)}; ${said}`);
    if (!/AUDIO_/.test(said)) break;
    await dismissAlerts(page);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 20_000 }).toMatch(/^Running on the audio device/);
  }
  throw new Error(`"${key}" did not start "${expected}": ${tries.join(' | ')}; log: ${serve.stderr().slice(-1500)}`);
}

function exif(file: string): Record<string, unknown> {
  return (JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', file], { encoding: 'utf8' })) as Array<Record<string, unknown>>)[0]!;
}

function soxHash(file: string): string {
  return createHash('sha256').update(execFileSync('sox', [file, '-t', 's32', '-'], { maxBuffer: 1 << 28 })).digest('hex');
}

/** Keys go to the app, not to whatever field last had the focus. */
async function focusPage(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.());
}

/**
 * Records one take of the selected cue from the keyboard (Shift+R) and lets it run to the end of
 * its roll. A rig glitch that reopened the stream voids the calibration, and Record then refuses
 * (RECORD_NOT_CALIBRATED): calibrate again and press again. Returns the take's number.
 */
async function recordTake(page: Page, talent: Page, expected: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await calibrate(page, () => serve.stderr());
    await focusPage(page);
    await page.keyboard.press('Shift+R');
    await expect.poll(async () => (await phase(page)) === `Recording take ${expected}` || /RECORD_/.test(await alerts(page)), { interval: 20, timeout: 15_000 }).toBe(true);
    if (/RECORD_NOT_CALIBRATED/.test(await alerts(page))) {
      await dismissAlerts(page);
      continue;
    }
    // Both screens say so, unmistakably.
    expect(await page.getByRole('status', { name: 'Stage state', exact: true }).getAttribute('data-phase')).toBe('record');
    await expect.poll(() => talent.getByRole('status', { name: 'Recording state' }).textContent(), { interval: 20 }).toBe('Recording');
    await expect.poll(() => phase(page), { timeout: 30_000 }).toBe('Idle');
    await expect.poll(() => takeRow(page, expected).then((row) => row?.[1])).toMatch(/^Complete/);
    return;
  }
  throw new Error(`take ${expected} was not recorded: ${await alerts(page)}; log: ${serve.stderr().slice(-1500)}`);
}

/** Rehearses the selected cue (E) to the end of its roll, again if the rig stalled under it. */
async function rehearse(page: Page, talent: Page): Promise<void> {
  const tries: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    await focusPage(page);
    await page.keyboard.press('e');
    await expect.poll(() => phase(page), { interval: 20, timeout: 15_000 }).toBe('Rehearsing').catch(async (error: unknown) => {
      throw new Error(`${String(error)}; alerts: ${await alerts(page)}; focus: ${await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { outerHTML: string } | null } }).document.activeElement?.outerHTML.slice(0, 200))}; log: ${serve.stderr().slice(-1500)}`);
    });
    await expect.poll(() => talent.getByRole('status', { name: 'Recording state' }).textContent(), { interval: 20 }).toBe('Rehearsal');
    await expect.poll(() => phase(page), { timeout: 30_000 }).toBe('Idle');
    const said = await alerts(page);
    if (!/AUDIO_/.test(said)) return;
    tries.push(said);
    await dismissAlerts(page);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 20_000 }).toMatch(/^Running on the audio device/);
  }
  throw new Error(`the rehearsal was cut short 3 times: ${tries.join('; ')}; log: ${serve.stderr().slice(-1500)}`);
}

describe('a session as a new user runs it, in Chromium on the audio rig', () => {
  it('creates, imports, calibrates, rehearses, records, marks, advances, records a Foley pass, reviews and compares; the project, files and screens agree', { timeout: 420_000 }, async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('No project open');

    // ---- Create the project.
    await page.getByLabel('New project folder', { exact: true }).fill(dir);
    await page.getByLabel('Title', { exact: true }).fill('Sherwood');
    await page.getByLabel('Frame rate', { exact: true }).selectOption(SETTINGS.frameRate);
    await page.getByLabel('Sample rate', { exact: true }).selectOption(String(SAMPLE_RATE));
    await page.getByLabel('Start timecode', { exact: true }).fill(SETTINGS.startTimecode);
    await page.getByRole('button', { name: 'Create project', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sherwood');
    expect(existsSync(path.join(dir, 'project.db'))).toBe(true);

    // ---- Choose the interface: Record says why it is held until then.
    await page.getByLabel('Audio input', { exact: true }).selectOption('rig_loopback');
    await page.getByLabel('Audio output', { exact: true }).selectOption('rig_loopback');
    await page.getByRole('button', { name: 'Use these devices', exact: true }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 20_000 }).toMatch(/^Running on the audio device · device rig_loopback/);

    // ---- The demo picture, its sound as the guide.
    await page.getByLabel('Picture file').fill(path.join(work, 'demo-reel1.mp4'));
    await page.getByLabel('Its sound as guide').check();
    await page.getByRole('button', { name: 'Add picture' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Added' }).count(), { timeout: 60_000 }).toBeGreaterThan(0).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; alerts: ${await alerts(page)}; picture panel: ${squash(await page.locator('.panel.picture').textContent())}`);
    });
    await expect.poll(() => page.getByRole('list', { name: 'Pictures' }).textContent()).toContain('demo-reel1');

    // ---- The demo cue lists: ADR lines, then Foley events.
    const count = page.getByRole('search', { name: 'Cue filters' }).getByRole('status');
    const importList = async (file: string, kind: 'adr' | 'foley', cues: number) => {
      await page.getByLabel('Import cue list', { exact: true }).setInputFiles({ name: file, mimeType: 'text/plain', buffer: readFileSync(path.join(DEMO, file)) });
      const dialog = page.getByRole('dialog', { name: 'Import preview' });
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await dialog.getByLabel('Import as', { exact: true }).selectOption(kind);
      const button = dialog.getByRole('button', { name: `Import ${cues} cues`, exact: true });
      await expect.poll(() => button.isEnabled()).toBe(true);
      await button.click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
    };
    const adrLines = readFileSync(path.join(DEMO, 'adr.csv'), 'utf8').trim().split('\n').length - 1;
    const foleyLines = readFileSync(path.join(DEMO, 'foley.tsv'), 'utf8').trim().split('\n').length - 1;
    await importList('adr.csv', 'adr', adrLines);
    await importList('foley.tsv', 'foley', foleyLines);
    await expect.poll(() => count.textContent()).toBe(`${adrLines + foleyLines} of ${adrLines + foleyLines} cues`);

    // The talent's screen, on its own page as on the booth's monitor.
    const talent = await browser.newPage();
    await talent.goto(`${url}${url.includes('?') ? '&' : '?'}screen=talent`);
    await expect.poll(() => talent.getByRole('status', { name: 'Recording state' }).textContent(), { timeout: 20_000 }).toBe('Standby');

    // ---- Select R101; until calibrated, Record is held and the reason is on screen.
    await cueRow(page, 'R101').click();
    const recorder = page.getByRole('region', { name: 'Recorder', exact: true });
    await expect.poll(() => recorder.textContent()).toContain('Halt! Who crosses my bridge?');
    const held = page.getByRole('status', { name: 'Why record is held', exact: true });
    await expect.poll(() => held.textContent()).toMatch(/round trip is not measured/);
    await calibrate(page, () => serve.stderr());
    await expect.poll(() => held.textContent()).toMatch(/^Arm recording/);

    // ---- Rehearse (E): beeps, streamer and guide, nothing recorded. (A rig stall ends the roll
    // early and the engine reopens the stream, saying so: then the rehearsal is run again.)
    await rehearse(page, talent);
    expect(await page.getByRole('table', { name: 'Takes', exact: true }).count()).toBe(0);

    // ---- After a circled take the session moves on by cue number.
    await recorder.getByLabel('After a circled take', { exact: true }).selectOption('number');

    // ---- Arm (R) and record three takes (Shift+R), each running to the end of its roll.
    await focusPage(page);
    await page.keyboard.press('r');
    await expect.poll(() => recorder.getByRole('button', { name: 'Record-arm', exact: true }).getAttribute('aria-pressed')).toBe('true');
    for (const n of [1, 2, 3]) await recordTake(page, talent, n);
    const files = await Promise.all([1, 2, 3].map(async (n) => path.join(dir, 'takes', (await takeRow(page, n))![4]!)));
    const audioBefore = files.map(soxHash);

    // ---- Take 2: choose its row, rate it 4, note it (T), then circle it (C).
    await page.getByRole('table', { name: 'Takes', exact: true }).getByRole('row').filter({ has: page.getByRole('button', { name: 'Play take 2', exact: true }) }).locator('th').click();
    await focusPage(page);
    await page.keyboard.press('4');
    await expect.poll(() => page.getByLabel('Rating of take 2', { exact: true }).inputValue()).toBe('4');
    await page.keyboard.press('t');
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label') ?? null)).toBe('Note on take 2');
    await page.keyboard.type('Best read; keep the breath');
    await page.keyboard.press('Enter');
    await expect.poll(() => sqliteJson<{ note: string }>(dir, 'SELECT note FROM takes WHERE number = 2')[0]?.note).toBe('Best read; keep the breath');
    await focusPage(page);
    await page.keyboard.press('c');
    // Circled: the session moved on to the next cue by number.
    await expect.poll(() => recorder.textContent(), { timeout: 10_000 }).toContain('Then pay the toll');
    expect(await cueRow(page, 'R102').getAttribute('aria-selected')).toBe('true');

    // ---- A Foley feet pass over scene 1 (the demo's feet F101 and F102), recorded free-running.
    const passes = page.getByRole('region', { name: 'Foley passes', exact: true });
    await passes.getByLabel('Kind of pass', { exact: true }).selectOption('feet');
    await passes.getByLabel('A scene', { exact: true }).check();
    await passes.getByLabel('Scene of the pass', { exact: true }).selectOption('1');
    await passes.getByRole('button', { name: 'Create pass', exact: true }).click();
    const passRows = passes.getByRole('table', { name: 'Foley pass list', exact: true }).getByRole('row');
    await expect.poll(() => passRows.count()).toBe(2); // header and the pass
    const passName = squash(await passRows.nth(1).locator('th, td').first().textContent())!;
    // Feet are recorded on a close mic and a room mic: the feet track template.
    const template = passes.getByRole('form', { name: 'Track template for Feet', exact: true });
    expect(await template.getByRole('status', { name: 'Track template in use', exact: true }).textContent().then(squash)).toBe("Records the project's inputs");
    await template.getByLabel('Inputs', { exact: true }).fill('1,2');
    await template.getByLabel('Track names', { exact: true }).fill('close,room');
    await template.getByRole('button', { name: 'Save template', exact: true }).click();
    await expect.poll(() => template.getByRole('status', { name: 'Track template in use', exact: true }).textContent().then(squash), { timeout: 20_000 }).toBe('Records input 1 (close), input 2 (room)');
    const passArm = passes.getByRole('button', { name: 'Arm pass recording', exact: true });
    if ((await passArm.getAttribute('aria-pressed')) !== 'true') await passArm.click();
    let passTake: string[] | null = null;
    for (let attempt = 0; attempt < 4 && !passTake; attempt++) {
      // Two inputs now: the stream reopens, and the round trip must be measured on it again.
      await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 20_000 }).toMatch(/^Running on the audio device/);
      await calibrate(page, () => serve.stderr());
      const ready = await expect.poll(() => passes.getByRole('button', { name: 'Record pass', exact: true }).isEnabled(), { timeout: 10_000 }).toBe(true).then(() => true, () => false);
      if (!ready) continue;
      // An underrun may void the calibration between the two (Record pass is then disabled again).
      if (!(await passes.getByRole('button', { name: 'Record pass', exact: true }).click({ timeout: 3_000 }).then(() => true, () => false))) continue;
      const rolling = await expect.poll(() => page.getByRole('status', { name: 'Stage state', exact: true }).getAttribute('data-phase'), { interval: 20, timeout: 15_000 }).toBe('record').then(() => true, () => false);
      if (!rolling) {
        await dismissAlerts(page);
        continue;
      }
      await expect.poll(() => talent.getByRole('status', { name: 'Recording state' }).textContent(), { interval: 20 }).toBe('Recording');
      // The artist sees the pass and the event under the playhead (or the next one), not an ADR line.
      await expect.poll(() => talent.getByLabel('Line', { exact: true }).textContent().then(squash)).toMatch(new RegExp(`^${passName} (Next: )?F10[12] `));
      await expect.poll(() => page.getByRole('status', { name: 'Stage state', exact: true }).getAttribute('data-phase'), { timeout: 60_000 }).toBe('idle');
      const rows = passes.getByRole('table', { name: 'Pass takes', exact: true }).getByRole('row');
      await expect.poll(() => rows.count()).toBeGreaterThan(1);
      const cells = (await rows.last().locator('th, td').allTextContents()).map((t) => squash(t)!);
      if (/^Complete/.test(cells[1]!)) passTake = cells;
    }
    expect(passTake, 'a pass take').not.toBeNull();
    expect(passTake![5]).toBe('close, room');
    expect(passTake![6]).toBe('F101, F102');
    for (const covered of ['F101', 'F102']) await expect.poll(() => cueRow(page, covered).locator('.covered').textContent()).toBe('Covered');

    // ---- Back to R101: review a take (P), then A/B the circled take against the newest (V, B).
    await cueRow(page, 'R101').click();
    await expect.poll(() => takeRow(page, 3).then((row) => row?.[0])).toBe('3');
    await rollWith(page, 'p', 'Playing back take 3');
    await expect.poll(() => talent.getByRole('status', { name: 'Recording state' }).textContent(), { interval: 20, timeout: 5_000 }).toBe('Playback');
    await page.keyboard.press('Space');
    await expect.poll(() => phase(page), { timeout: 10_000 }).toBe('Idle');
    const compare = page.getByRole('group', { name: 'Compare takes', exact: true });
    expect(squash(await compare.textContent())).toContain('A: take 2 · B: take 3');
    await rollWith(page, 'v', 'Comparing: hearing A (take 2), not B (take 3)');
    expect(await compare.getByRole('status', { name: 'Hearing', exact: true }).textContent()).toBe('Hearing A');
    await page.keyboard.press('b');
    await expect.poll(() => phase(page), { interval: 20, timeout: 15_000 }).toBe('Comparing: hearing B (take 3), not A (take 2)');
    await page.keyboard.press('Space');
    await expect.poll(() => phase(page), { timeout: 10_000 }).toBe('Idle');

    // Marks show at once; the files and the project have them once no row is saving.
    await expect.poll(() => page.locator('tr[data-saving="true"]').count(), { timeout: 10_000 }).toBe(0);

    // ---- The selects view: R101's circled take with its note; R102 among the cues with none.
    const selects = page.getByRole('region', { name: 'Selects', exact: true });
    await expect.poll(() => selects.textContent().then(squash)).toMatch(/R101.*2.*Best read; keep the breath/);

    // ---- The session log on screen, then as the database has it.
    const log = page.getByRole('table', { name: 'Session log', exact: true });
    await expect.poll(() => log.textContent()).toContain('circled');

    // ---- Independent readers. SQLite: three takes of R101, take 2 circled, rated and noted.
    const takes = sqliteJson<{ number: number; path: string; circled: number; rating: number | null; note: string; status: string; latency_source: string; cue: string }>(dir, 
      "SELECT t.number, t.path, t.circled, t.rating, t.note, t.status, t.latency_source, c.number AS cue FROM takes t JOIN cues c ON c.id = t.cue_id WHERE c.number = 'R101' ORDER BY t.number",
    );
    expect(takes.map((t) => [t.number, t.circled, t.rating, t.note])).toEqual([[1, 0, null, ''], [2, 1, 4, 'Best read; keep the breath'], [3, 0, null, '']]);
    expect(takes.every((t) => t.status === 'complete' && t.latency_source === 'measured')).toBe(true);
    const passRowsDb = sqliteJson<{ name: string; pass: string; scope: string; takes: number; covered: number }>(dir, 
      'SELECT p.name, p.pass, p.scope, (SELECT COUNT(*) FROM takes t WHERE t.pass_id = p.id) AS takes, (SELECT COUNT(DISTINCT e.cue_id) FROM take_events e JOIN takes t ON t.id = e.take_id WHERE t.pass_id = p.id) AS covered FROM foley_passes p',
    );
    expect(passRowsDb).toEqual([expect.objectContaining({ name: passName, pass: 'feet', scope: 'scene', covered: 2 })]);
    const logged = sqliteJson<{ action: string }>(dir, 'SELECT action FROM session_log ORDER BY id').map((e) => e.action);
    expect(logged.filter((a) => a === 'take.recorded').length).toBeGreaterThanOrEqual(4);
    expect(logged).toContain('take.marked');
    expect(logged).toContain('pass.created');

    // Files: named by the take template, bext placing them on the timeline, iXML as set in the
    // session (rewritten in place), the audio itself untouched by the marks.
    expect(takes.map((t) => path.basename(t.path))).toEqual(['R101_ROBIN_T01.wav', 'R101_ROBIN_T02.wav', 'R101_ROBIN_T03.wav']);
    expect(readdirSync(path.join(dir, 'takes'))).toEqual(expect.arrayContaining(takes.map((t) => path.basename(t.path))));
    const [tags1, tags2] = [exif(files[0]!), exif(files[1]!)];
    expect(String(tags2['XML:BwfxmlCircled']).toUpperCase()).toBe('TRUE');
    expect(String(tags2['XML:BwfxmlNote'])).toBe('Best read; keep the breath');
    expect(String(tags1['XML:BwfxmlCircled']).toUpperCase()).toBe('FALSE');
    const roll = sqliteJson<{ start_sample: number }>(dir, "SELECT start_sample FROM takes WHERE number = 2 AND cue_id = (SELECT id FROM cues WHERE number = 'R101')")[0]!;
    expect(Number(tags2['RIFF:TimeReference'])).toBe(roll.start_sample);
    expect(String(tags2['RIFF:Description'])).toContain('R101');
    expect(files.map(soxHash)).toEqual(audioBefore);
    expect(roll.start_sample).toBeLessThanOrEqual(at('01:00:03:00'));

    expect(problems).toEqual([]);
    await talent.close();
    await page.close();
  });

  it('rebinds a key in the shortcuts panel: the new key works at once, the old one no longer, and the project keeps it', { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sherwood');
    await cueRow(page, 'R101').click();
    await expect.poll(() => takeRow(page, 3).then((row) => row?.[0])).toBe('3');
    const circle3 = page.getByRole('button', { name: 'Circle take 3', exact: true });
    expect(await circle3.getAttribute('aria-pressed')).toBe('false');
    // Stay on R101 after circling here.
    await page.getByRole('region', { name: 'Recorder', exact: true }).getByLabel('After a circled take', { exact: true }).selectOption('off');

    // Who runs the session is named in the log from now on.
    const logPanel = page.getByRole('region', { name: 'Session log', exact: true });
    await logPanel.getByLabel('Stage', { exact: true }).fill('Stage B');
    await logPanel.getByLabel('Operator', { exact: true }).fill('Sam');
    await logPanel.getByRole('button', { name: 'Save names', exact: true }).click();

    // Circle moves from C to Q: press Change on its row, then Q.
    const keymap = page.getByRole('table', { name: 'Keyboard map', exact: true });
    const row = keymap.locator('tr[data-command="take.circle"]');
    expect(await keysOf(row)).toEqual(['C']);
    await row.getByRole('button', { name: 'Change', exact: true }).click();
    await row.getByRole('button', { name: 'Press the new key (Esc cancels)', exact: true }).press('q');
    await expect.poll(() => keysOf(row)).toEqual(['Q']);
    expect(squash(await page.getByRole('status', { name: 'Keymap change', exact: true }).textContent())).toMatch(/^Q now runs “Circle the marked take/);
    // C, free now, becomes a second key for Review.
    const review = keymap.locator('tr[data-command="recorder.review"]');
    await review.getByRole('button', { name: 'Add', exact: true }).click();
    await review.getByRole('button', { name: 'Press the new key (Esc cancels)', exact: true }).press('c');
    await expect.poll(() => keysOf(review)).toEqual(['P', 'C']);
    // A key the page needs is refused, with the reason; Esc leaves the key as it was.
    const note = keymap.locator('tr[data-command="take.note"]');
    await note.getByRole('button', { name: 'Change', exact: true }).click();
    const capture = note.getByRole('button', { name: 'Press the new key (Esc cancels)', exact: true });
    await capture.press('Enter');
    expect(squash(await page.getByRole('status', { name: 'Keymap change', exact: true }).textContent())).toMatch(/^Enter moves through the page/);
    await capture.press('Escape');
    await expect.poll(() => keysOf(note)).toEqual(['T']);

    // Q circles the marked take (the newest, take 3) now.
    await focusPage(page);
    await page.keyboard.press('q');
    await expect.poll(() => circle3.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('tr[data-saving="true"]').count(), { timeout: 10_000 }).toBe(0);
    // The project keeps the keymap: a fresh page has Q, and C still does not circle.
    await page.reload();
    await cueRow(page, 'R101').click();
    await expect.poll(() => takeRow(page, 3).then((r) => r?.[0])).toBe('3');
    await expect.poll(() => keysOf(page.getByRole('table', { name: 'Keyboard map', exact: true }).locator('tr[data-command="take.circle"]'))).toEqual(['Q']);
    await page.getByRole('table', { name: 'Takes', exact: true }).getByRole('row').filter({ has: page.getByRole('button', { name: 'Play take 2', exact: true }) }).locator('th').click();
    await focusPage(page);
    await page.keyboard.press('q');
    await expect.poll(() => page.getByRole('button', { name: 'Circle take 2', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('tr[data-saving="true"]').count(), { timeout: 10_000 }).toBe(0);
    expect(await circle3.getAttribute('aria-pressed')).toBe('false');
    // The log names the stage and operator for these marks.
    const marks = sqliteJson<{ stage: string; who: string; text: string }>(dir, "SELECT stage, who, text FROM session_log WHERE action = 'take.marked' ORDER BY id DESC LIMIT 2");
    expect(marks.map((m) => [m.stage, m.who])).toEqual([['Stage B', 'Sam'], ['Stage B', 'Sam']]);
    // Reset all: C circles again.
    await page.getByRole('button', { name: 'Reset all keys', exact: true }).click();
    await expect.poll(() => keysOf(page.getByRole('table', { name: 'Keyboard map', exact: true }).locator('tr[data-command="take.circle"]'))).toEqual(['C']);
    await page.close();
  });

  it('keeps a take when the app is killed during it: reopened, the take is there as recovered and the log says so', { timeout: 180_000 }, async () => {
    // The project from the session above, opened by the command line with its interface.
    if (serve) await stopChild(serve.child);
    serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--input', 'rig_loopback', '--output', 'rig_loopback', '--json'], rig.env);
    url = (JSON.parse(serve.firstLine) as { url: string }).url;
    const page = await browser.newPage();
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 20_000 }).toMatch(/^Running on the audio device · device rig_loopback/);
    // Reopened where the session was: R101 selected (the operator's last choice).
    await expect.poll(() => cueRow(page, 'R101').getAttribute('aria-selected')).toBe('true');
    await page.getByLabel('Record uncalibrated', { exact: true }).check();
    await focusPage(page);
    await page.keyboard.press('r');
    // A rig stall as the take starts ends it at once (the engine reopens the stream and says so):
    // then record again. The take number is whatever the recorder gives it.
    let number = 0;
    const tries: string[] = [];
    for (let attempt = 0; attempt < 3 && number === 0; attempt++) {
      await focusPage(page);
      await page.keyboard.press('Shift+R');
      await expect.poll(async () => /^Recording take \d+$/.test((await phase(page)) ?? '') || /AUDIO_|RECORD_/.test(await alerts(page)), { interval: 20, timeout: 15_000 }).toBe(true);
      const shown = /^Recording take (\d+)$/.exec((await phase(page)) ?? '');
      if (shown) {
        number = Number(shown[1]);
        break;
      }
      tries.push(await alerts(page));
      await dismissAlerts(page);
      await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 20_000 }).toMatch(/^Running on the audio device/);
    }
    expect(number, `a take started (${tries.join(' | ')}; log: ${serve.stderr().slice(-1500)})`).toBeGreaterThanOrEqual(4);
    // Some of it on disk, then the whole app dies at once.
    await expect.poll(() => sqliteJson<{ n: number }>(dir, `SELECT COUNT(*) AS n FROM takes WHERE number = ${number} AND status = 'recording'`)[0]?.n).toBe(1);
    await expect.poll(() => page.locator('section.recorder p.roll').textContent(), { timeout: 20_000 }).toMatch(/s on disk/);
    const children = execFileSync('pgrep', ['-P', String(serve.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    serve.child.kill('SIGKILL');
    for (const pid of children) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => serve.child.once('exit', resolve));

    serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--json'], rig.env);
    url = (JSON.parse(serve.firstLine) as { url: string }).url;
    await page.goto(url);
    await cueRow(page, 'R101').click();
    await expect.poll(() => takeRow(page, number).then((row) => row?.[1]), { timeout: 20_000 }).toMatch(/^Recovered/);
    const [take] = sqliteJson<{ status: string; length: number; path: string }>(dir, `SELECT status, length, path FROM takes WHERE number = ${number} AND cue_id = (SELECT id FROM cues WHERE number = 'R101')`);
    expect(take).toMatchObject({ status: 'recovered' });
    expect(take!.length).toBeGreaterThan(SAMPLE_RATE / 2);
    // sox reads the whole recovered take.
    const soxFrames = Number(execFileSync('soxi', ['-s', path.join(dir, take!.path)], { encoding: 'utf8' }).trim());
    expect(soxFrames).toBe(take!.length);
    const log = page.getByRole('table', { name: 'Session log', exact: true });
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toMatch(/recovered/i);
    const logged = sqliteJson<{ action: string; text: string }>(dir, "SELECT action, text FROM session_log WHERE action = 'take.recovered'");
    expect(logged).toEqual([expect.objectContaining({ text: expect.stringMatching(/R101/) })]);
    await page.close();
  });
});
