/**
 * The recorder as an ADR mixer meets it in Chromium, on `loopstage serve` with the audio rig's
 * `default` device (rig_mic in, playing a known ramp; rig_out out): select the cue, arm, record,
 * see the take filed in the Takes list with the roll's length and start, see the input meter move
 * during the roll, play the take back, and find its file in the project's takes/ folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelToFrames, parseFrameRate } from '../../src/core/time/index.js';
import { launchChromium } from '../support/browser.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { startRig, writeRampMic, type Rig } from '../support/rig.js';

const SAMPLE_RATE = 48_000;
const RATE = parseFrameRate('25');
const SAMPLES_PER_FRAME = SAMPLE_RATE / 25;
const CUE_IN = '01:00:10:00';
const CUE_OUT = '01:00:12:00';
// The project's default rolls: 3 s before the in point (which holds the three beeps), 1 s after the out.
const ROLL_START = labelToFrames(CUE_IN, RATE) * SAMPLES_PER_FRAME - 3 * SAMPLE_RATE;
const ROLL_END = labelToFrames(CUE_OUT, RATE) * SAMPLES_PER_FRAME + 1 * SAMPLE_RATE;
const ROLL_SECONDS = (ROLL_END - ROLL_START) / SAMPLE_RATE;

let rig: Rig;
let browser: Browser;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let url: string;
let dir: string;

beforeAll(async () => {
  rig = startRig(2, SAMPLE_RATE);
  writeRampMic(rig, 120, SAMPLE_RATE, 2);
  const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-recorder-'));
  dir = path.join(work, 'Robin ADR');
  const created = loopstage(['project', 'create', dir, '--title', 'Robin ADR', '--rate', '25', '--sample-rate', String(SAMPLE_RATE), '--start', '01:00:00:00']);
  expect(created.code, created.stderr).toBe(0);
  const csv = path.join(work, 'robin.csv');
  writeFileSync(csv, ['Cue #,Character,TC In,TC Out,Dialogue', `R1001,ROBIN,${CUE_IN},${CUE_OUT},"Welcome to Sherwood, my lady."`, 'R1002,ROBIN,01:00:20:00,01:00:22:00,"Stand fast."'].join('\r\n'));
  const imported = loopstage(['import', csv, '--project', dir]);
  expect(imported.code, imported.stderr).toBe(0);
  serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--input', 'default', '--output', 'default', '--json'], rig.env);
  const started = JSON.parse(serve.firstLine) as { url: string; audio: { state: string; clockSource: string } };
  expect(started.audio).toMatchObject({ state: 'running', clockSource: 'audio-device' });
  url = started.url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (serve) expect(await stopChild(serve.child)).toBe(0);
  rig?.stop();
});

function phase(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Recorder phase', exact: true }).textContent().then((t) => t?.replace(/\s+/g, ' ').trim() ?? null);
}

/** The cells of a take's row: [number, status, length, start, file, channels]. */
async function takeRow(page: Page, number: number): Promise<string[] | null> {
  const rows = page.getByRole('table', { name: 'Takes', exact: true }).getByRole('row').filter({ has: page.getByRole('button', { name: `Play take ${number}`, exact: true }) });
  if ((await rows.count()) !== 1) return null;
  const cells = await rows.locator('th, td').allTextContents();
  return cells.map((t) => t.replace(/\s+/g, ' ').trim());
}

function level(meter: Locator): Promise<number> {
  return meter.getAttribute('aria-valuenow').then(Number);
}

/** Meter readings drawn in one second of animation frames (no timers: the page counts frames). */
function readingsPerSecond(page: Page): Promise<number> {
  return page.getByRole('group', { name: 'Input meters', exact: true }).evaluate(
    (element) =>
      new Promise<number>((resolve) => {
        // Runs in the page (this file is type-checked without the DOM library).
        const page = globalThis as unknown as { requestAnimationFrame(callback: (now: number) => void): number };
        const first = Number(element.getAttribute('data-readings'));
        const start = performance.now();
        const frame = (now: number) => {
          if (now - start >= 1000) resolve((Number(element.getAttribute('data-readings')) - first) / ((now - start) / 1000));
          else page.requestAnimationFrame(frame);
        };
        page.requestAnimationFrame(frame);
      }),
  );
}

describe('recorder in Chromium on the audio rig', () => {
  it('arms, records a take of the selected cue, meters it, files it and plays it back', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent()).toMatch(/^Running on the audio device · device default/);

    // Select the cue in the list; the recorder follows the selection.
    const row = page.getByRole('grid', { name: 'Cues' }).locator('[role="row"][data-cue-id]').filter({ has: page.getByRole('gridcell', { name: 'R1001', exact: true }) });
    await row.click();
    const recorder = page.getByRole('region', { name: 'Recorder', exact: true });
    await expect.poll(() => recorder.textContent()).toContain('Welcome to Sherwood, my lady.');
    expect(await phase(page)).toBe('Idle');
    expect(await recorder.textContent()).toContain('No takes yet.');

    // Nothing was measured on this stream: the calibration warning is up front, with Calibrate.
    const calibration = page.getByRole('status', { name: 'Calibration', exact: true });
    expect(await calibration.textContent()).toMatch(/^\s*Not calibrated/);
    // Enabled once the page's first calls (the device list among them) have answered.
    await expect.poll(() => calibration.getByRole('button', { name: 'Calibrate', exact: true }).isEnabled()).toBe(true);

    // One meter per recorded input; the rig's mic plays a ramp, so it reads above silence, and it
    // moves at the event rate.
    const meter = page.getByRole('meter', { name: 'Input 1 level', exact: true });
    await expect.poll(() => level(meter)).toBeGreaterThan(-100);
    const rate = await readingsPerSecond(page);
    expect(rate).toBeGreaterThanOrEqual(20);

    // Record is only offered while armed.
    const arm = page.getByRole('button', { name: 'Record-arm', exact: true });
    const record = page.getByRole('button', { name: 'Record', exact: true });
    expect(await arm.getAttribute('aria-pressed')).toBe('false');
    expect(await record.isEnabled()).toBe(false);
    await arm.click();
    await expect.poll(() => arm.getAttribute('aria-pressed')).toBe('true');
    // Armed, but recording is held while nothing was measured on this stream (the rig's default
    // device has no loopback): the operator decides, on purpose, to record uncalibrated.
    expect(await record.isEnabled()).toBe(false);
    expect(await calibration.textContent()).toMatch(/recording is held/);
    await calibration.getByLabel('Record uncalibrated', { exact: true }).check();
    await expect.poll(() => record.isEnabled()).toBe(true);

    await record.click();
    await expect.poll(() => phase(page), { interval: 20 }).toBe('Recording take 1');
    // The roll's warning: this take is placed without a measured round trip.
    expect(await page.getByRole('status', { name: 'Roll warning', exact: true }).textContent()).toMatch(/No round trip has been measured/);
    // The take is listed while it records, and the meter reads the mic during the roll.
    await expect.poll(() => takeRow(page, 1).then((cells) => cells?.[1])).toMatch(/^(Recording|Complete)/);
    const duringRoll: number[] = [];
    await expect
      .poll(async () => {
        duringRoll.push(await level(meter));
        return phase(page);
      }, { timeout: 20_000, interval: 50 })
      .toBe('Idle');
    expect(Math.max(...duringRoll)).toBeGreaterThan(-60);

    // Filed: complete, the roll's length (within a few ms), at the roll's start, its file on disk.
    // (Under test load the rig may report dropouts, which the status then names after "Complete:".)
    await expect.poll(() => takeRow(page, 1).then((cells) => cells?.[1])).toMatch(/^Complete(: .*dropout.*)?$/s);
    const [number, , length, start, file, channels] = (await takeRow(page, 1))!;
    expect(number).toBe('1');
    console.log(JSON.stringify({ e2eRecorder: { meterReadingsPerSecond: +rate.toFixed(1), peakDbDuringRoll: Math.max(...duringRoll), takeSeconds: Number(length), rollSeconds: ROLL_SECONDS } }));
    expect(Math.abs(Number(length) - ROLL_SECONDS)).toBeLessThanOrEqual(0.005);
    expect(start).toBe('01:00:07:00');
    expect(channels).toBe('Input 1');
    expect(file).toMatch(/\.wav$/);
    const takes = path.join(dir, 'takes');
    expect(readdirSync(takes)).toContain(file);
    expect(existsSync(path.join(takes, file!))).toBe(true);
    // 24-bit mono by default: three bytes a sample, and a header.
    expect(statSync(path.join(takes, file!)).size).toBeGreaterThan(ROLL_SECONDS * SAMPLE_RATE * 3);

    // Play it back at its place: the phase says so; Space stops it.
    await page.getByRole('button', { name: 'Play take 1', exact: true }).click();
    await expect.poll(() => phase(page), { interval: 20 }).toBe('Playing back take 1').catch(async (error: unknown) => {
      throw new Error(`${String(error)}; alerts: ${JSON.stringify(await page.getByRole('alert').allTextContents())}; log: ${serve.stderr().slice(-1500)}`);
    });
    await page.keyboard.press('Space');
    await expect.poll(() => phase(page)).toBe('Idle');

    // From the keyboard: E rehearses (no take), Space stops; R disarms, and Record is refused.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('e');
    await expect.poll(() => phase(page), { interval: 20 }).toBe('Rehearsing');
    await page.keyboard.press('Space');
    await expect.poll(() => phase(page)).toBe('Idle');
    await page.keyboard.press('r');
    await expect.poll(() => arm.getAttribute('aria-pressed')).toBe('false');
    expect(await record.isEnabled()).toBe(false);
    expect(await takeRow(page, 2)).toBeNull();

    // The cue's own pre-roll lengthens its roll; the project's settings save what changed.
    const roll = recorder.locator('.roll [data-frames]');
    expect(Number(await roll.getAttribute('data-frames'))).toBe(ROLL_END - ROLL_START);
    await page.getByLabel('Pre-roll for this cue (s)', { exact: true }).fill('4');
    await page.getByRole('button', { name: 'Save cue roll', exact: true }).click();
    await expect.poll(() => roll.getAttribute('data-frames').then(Number)).toBe(ROLL_END - ROLL_START + SAMPLE_RATE);
    const settings = page.getByRole('region', { name: 'Recording', exact: true });
    await settings.getByLabel('Take format', { exact: true }).selectOption({ label: '32-bit float' });
    await settings.getByLabel('Loopback input (calibration)', { exact: true }).selectOption({ index: 2 });
    await settings.getByLabel('Beep length (frames)', { exact: true }).fill('2');
    await settings.getByLabel('Beep spacing (timecode s)', { exact: true }).fill('2');
    await settings.getByLabel('Beep on the in point', { exact: true }).check();
    expect(await settings.textContent()).toContain('Unsaved changes');
    await settings.getByRole('button', { name: 'Save recording settings', exact: true }).click();
    // A loopback on input 2 widens the stream to two inputs, so saving reopens the interface.
    await expect.poll(() => settings.textContent(), { timeout: 20_000 }).not.toContain('Unsaved changes').catch(async (error: unknown) => {
      throw new Error(`${String(error)}; alerts: ${JSON.stringify(await page.getByRole('alert').allTextContents())}`);
    });
    // Both were stored by the engine: a fresh page reads them back.
    await page.reload();
    await row.click();
    await expect.poll(() => page.getByLabel('Pre-roll for this cue (s)', { exact: true }).inputValue()).toBe('4');
    await expect.poll(() => settings.getByLabel('Take format', { exact: true }).inputValue()).toBe('float32');
    expect(await settings.getByLabel('Loopback input (calibration)', { exact: true }).inputValue()).toBe('1');
    expect(await settings.getByLabel('Beep length (frames)', { exact: true }).inputValue()).toBe('2');
    expect(await settings.getByLabel('Beep spacing (timecode s)', { exact: true }).inputValue()).toBe('2');
    expect(await settings.getByLabel('Beep on the in point', { exact: true }).isChecked()).toBe(true);
    // ...and they are the project's: what the command line reads from the same database.
    const beeps = loopstage(['beeps', '--project', dir, '--json']);
    expect(beeps.code, beeps.stderr).toBe(0);
    expect(JSON.parse(beeps.stdout)).toMatchObject({ lengthFrames: 2, spacingSeconds: 2, beepOnIn: true });

    expect(problems).toEqual([]);
    await page.close();
  });

  it('marks takes from the keyboard while the next one rolls: circle, rating and note reach the project, the file\'s iXML and the log', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 20_000 }).toMatch(/^Running on the audio device/); // a stream the rig stalled may still be reopening
    await page.getByRole('grid', { name: 'Cues' }).locator('[role="row"][data-cue-id]').filter({ has: page.getByRole('gridcell', { name: 'R1001', exact: true }) }).click();
    await expect.poll(() => takeRow(page, 1).then((cells) => cells?.[0])).toBe('1');
    const take1 = path.join(dir, 'takes', (await takeRow(page, 1))![4]!);
    const audioBefore = soxHash(take1);

    // Arm and record take 2; while it rolls, C, 4 and a typed note go to take 1 (the newest finished).
    await page.getByLabel('Record uncalibrated', { exact: true }).check();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('r');
    await expect.poll(() => page.getByRole('button', { name: 'Record', exact: true }).isEnabled()).toBe(true);
    await page.keyboard.press('Shift+R');
    await expect.poll(() => phase(page), { interval: 20 }).toBe('Recording take 2').catch(async (error: unknown) => {
      throw new Error(`${String(error)}; alerts: ${JSON.stringify(await page.getByRole('alert').allTextContents())}`);
    });
    // The stage state across the top says so, large and red.
    const stageState = page.getByRole('status', { name: 'Stage state', exact: true });
    expect(await stageState.getAttribute('data-phase')).toBe('record');
    expect((await stageState.textContent())?.replace(/\s+/g, ' ').trim()).toBe('Recording Recording take 2');
    await page.keyboard.press('c');
    await page.keyboard.press('4');
    await page.keyboard.press('t');
    await page.keyboard.type('Best read; pop on "Sherwood"');
    await page.keyboard.press('Enter');
    const circle = (n: number) => page.getByRole('button', { name: `Circle take ${n}`, exact: true });
    await expect.poll(() => circle(1).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByLabel('Rating of take 1', { exact: true }).inputValue()).toBe('4');
    await expect.poll(() => page.getByLabel('Note on take 1', { exact: true }).inputValue()).toBe('Best read; pop on "Sherwood"');
    expect(await phase(page)).toBe('Recording take 2');
    await expect.poll(() => phase(page), { timeout: 20_000 }).toBe('Idle');

    // Take 2 is now the newest: C circles it, and take 1 gives way; X marks take 2 NG, which uncircles it.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('c');
    await expect.poll(() => circle(2).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => circle(1).getAttribute('aria-pressed')).toBe('false');
    // A row's own buttons mark that row's take.
    await page.getByRole('button', { name: 'Alternate take 1', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Alternate take 1', exact: true }).getAttribute('aria-pressed')).toBe('true');
    // Marks show at once; the files and the project have them once no row is saving.
    await expect.poll(() => page.locator('tr[data-saving="true"]').count(), { timeout: 10_000 }).toBe(0);

    // The project, the files and the log agree; take 1's audio is untouched.
    const listed = JSON.parse(loopstage(['takes', 'list', '--project', dir, '--cue', 'R1001', '--json']).stdout) as Array<{ number: number; circled: boolean; alternate: boolean; rating: number | null; note: string; file: string }>;
    expect(listed.map((t) => [t.number, t.circled, t.alternate, t.rating, t.note])).toEqual([
      [1, false, true, 4, 'Best read; pop on "Sherwood"'],
      [2, true, false, null, ''],
    ]);
    // exiftool (an independent reader) as text: TRUE/FALSE and numbers as the XML holds them.
    const ixml = (file: string) => {
      const tags = (JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1', file], { encoding: 'utf8' })) as Array<Record<string, unknown>>)[0]!;
      const text = (name: string) => String(tags[`XML:Bwfxml${name}`]).toUpperCase();
      return { circled: text('Circled'), alternate: text('LoopstageAlternate'), rating: text('LoopstageRating'), note: String(tags['XML:BwfxmlNote']) };
    };
    expect(ixml(take1)).toEqual({ circled: 'FALSE', alternate: 'TRUE', rating: '4', note: 'Best read; pop on "Sherwood"' });
    expect(ixml(listed[1]!.file)).toMatchObject({ circled: 'TRUE', alternate: 'FALSE' });
    expect(soxHash(take1)).toBe(audioBefore);
    const log = JSON.parse(loopstage(['log', '--project', dir, '--json']).stdout) as Array<{ action: string; text: string }>;
    expect(log.filter((e) => e.action === 'take.marked').map((e) => e.text)).toEqual([
      'R1001 T01: circled',
      'R1001 T01: 4 stars',
      'R1001 T01: note “Best read; pop on "Sherwood"”',
      'R1001 T02: circled',
      'R1001 T01: uncircled',
      'R1001 T01: alternate',
    ]);

    // The session log in the page: the same entries; once the operator is named, entries name them;
    // and the whole log downloads as CSV.
    const logTable = page.getByRole('table', { name: 'Session log', exact: true });
    await expect.poll(() => logTable.textContent()).toContain('R1001 T01: alternate');
    await page.getByLabel('Operator', { exact: true }).fill('Sam');
    await page.getByRole('button', { name: 'Save names', exact: true }).click();
    await expect.poll(() => loopstage(['log', '--project', dir, '--json']).stdout).toContain('R1001 T01: alternate');
    await page.getByRole('button', { name: 'NG take 2', exact: true }).click();
    await expect.poll(() => logTable.locator('tr', { hasText: 'R1001 T02: uncircled, NG' }).textContent()).toContain('Sam');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV', exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/session log.*\.csv$/);
    const csvFile = path.join(os.tmpdir(), `loopstage-log-${process.pid}.csv`);
    await download.saveAs(csvFile);
    const csv = readFileSync(csvFile, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('\ufeffTime (UTC),Stage,Who,Action,What,Cue id,Pass id,Take id,Data');
    expect(csv).toContain('Sam,take.marked,"R1001 T02: uncircled, NG"');

    // Auto-advance: with "Next cue by number", circling a take moves the session to R1002; D marks it
    // done. Both are kept: a fresh page opens on R1002 with the same choice.
    const recorderRegion = page.getByRole('region', { name: 'Recorder', exact: true });
    await page.getByLabel('After a circled take', { exact: true }).selectOption('number');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('c');
    await expect.poll(() => recorderRegion.locator('.cue .number').textContent()).toBe('R1002');
    await page.keyboard.press('d');
    await expect.poll(() => page.getByRole('button', { name: 'Cue done', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const cuesNow = (JSON.parse(loopstage(['cues', 'list', '--project', dir, '--json']).stdout) as { cues: Array<{ number: string; status: string }> }).cues;
    expect(cuesNow.map((c) => [c.number, c.status])).toEqual([['R1001', 'todo'], ['R1002', 'done']]);
    const fresh = await browser.newPage();
    await fresh.goto(url);
    await expect.poll(() => fresh.getByRole('region', { name: 'Recorder', exact: true }).locator('.cue .number').textContent(), { timeout: 10_000 }).toBe('R1002');
    expect(await fresh.getByLabel('After a circled take', { exact: true }).inputValue()).toBe('number');
    await fresh.close();

    // The selects, for the editor: R1001's circled take 2 and its alternate take 1 with its note;
    // only R1002 lacks a circled take; a select plays against picture from here.
    const selects = page.getByRole('table', { name: 'Selects', exact: true });
    const selectRow = (number: string) => selects.locator('tr[data-cue-id]').filter({ hasText: number });
    await expect.poll(() => selectRow('R1001').locator('.take.circled').textContent().then((t) => t?.replace(/\s+/g, ' ').trim())).toMatch(/^T2 /);
    expect((await selectRow('R1001').locator('.take.alternate').textContent())?.replace(/\s+/g, ' ')).toMatch(/T1 ★★★★ Best read; pop on "Sherwood"/);
    await page.getByLabel('Only cues with no circled take', { exact: true }).check();
    await expect.poll(() => selects.locator('tr[data-cue-id]').allTextContents().then((rows) => rows.map((r) => r.trim().slice(0, 5)))).toEqual(['R1002']);
    await page.getByLabel('Only cues with no circled take', { exact: true }).uncheck();
    await selects.getByRole('button', { name: 'Play alternate take 1', exact: true }).click();
    // R1002 is the selected cue now, so the recorder says the take playing is another cue's.
    await expect.poll(() => phase(page), { interval: 20 }).toBe('Playing back take 1 (another cue)');
    await page.keyboard.press('Space');
    await expect.poll(() => phase(page)).toBe('Idle');
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** The decoded samples' hash, by sox: an independent reading of the audio. */
function soxHash(file: string): string {
  return createHash('sha256').update(execFileSync('sox', [file, '-t', 's32', '-'], { maxBuffer: 1 << 28 })).digest('hex');
}
