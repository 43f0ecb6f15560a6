/**
 * The session's responsiveness in Chromium on the audio rig (issue 6), measured in the page from
 * the key event's own timestamp to the first animation frame at which the DOM shows the effect:
 *
 * - stop → ready: Space during a take, until the take is filed (its row complete), the stage is
 *   idle and Record is enabled again — ready to roll the next take (target ≤ 100 ms);
 * - circle → next cue ready: C on the take just filed, with auto-advance by number, until the next
 *   cue is selected, its (empty) take list loaded and Record enabled (target ≤ 100 ms);
 * - key → effect for single keys (target ≤ 50 ms): R (arm, in the page only), J (next cue, and
 *   the place autosaved), C (circle: the engine rewrites the file's iXML and the database).
 *
 * Real `loopstage serve`, real project file, PortAudio on the rig's default device (takes are
 * recorded uncalibrated: this measures the UI, not sync). Prints one JSON line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { loopstage } from '../support/cli.js';
import { startRig, writeRampMic } from '../support/rig.js';

const RUNS = 12;
const CUES = 40;
const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-bench-session-'));
const dir = path.join(work, 'p');
const rig = startRig(2, 48_000);
writeRampMic(rig, 600, 48_000, 1);
const created = loopstage(['project', 'create', dir, '--rate', '25', '--sample-rate', '48000', '--start', '01:00:00:00']);
if (created.code !== 0) throw new Error(created.stderr);
const csv = path.join(work, 'cues.csv');
const tc = (s: number) => `01:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}:00`;
writeFileSync(csv, ['Cue #,Character,TC In,TC Out,Dialogue', ...Array.from({ length: CUES }, (_, i) => `R${100 + i},ROBIN,${tc(10 + i * 10)},${tc(12 + i * 10)},"Line ${i}"`)].join('\r\n'));
const imported = loopstage(['import', csv, '--project', dir]);
if (imported.code !== 0) throw new Error(imported.stderr);

const bin = fileURLToPath(new URL('../../bin/loopstage.js', import.meta.url));
const server = spawn(process.execPath, [bin, 'serve', '--project', dir, '--port', '0', '--input', 'default', '--output', 'default', '--json'], { env: { ...process.env, ...rig.env } });
const { url } = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: server.stdout }).once('line', resolve))) as { url: string };
const browser = await launchChromium();

/**
 * Presses `key` and resolves with the ms from the key event's timestamp to the first animation
 * frame at which every selector in `all` matches (the page's own clock).
 */
async function timeKey(page: Page, key: string, all: readonly string[]): Promise<number> {
  // Strings, not functions: tsx would wrap named inner functions in a helper the page lacks.
  // The listener goes in first (and is awaited), so it cannot miss the key.
  await page.evaluate(`(() => {
    const probe = { key: ${JSON.stringify(key)}, pressed: null };
    globalThis.__keyProbe = probe;
    addEventListener('keydown', (event) => {
      if (event.key === probe.key && probe.pressed === null) probe.pressed = event.timeStamp;
    }, { capture: true, once: true });
  })()`);
  await page.keyboard.press(key);
  return page.evaluate(`new Promise((resolve, reject) => {
    const probe = globalThis.__keyProbe;
    const all = ${JSON.stringify(all)};
    const started = performance.now();
    const frame = () => {
      if (probe.pressed !== null && all.every((selector) => document.querySelector(selector) !== null)) resolve(performance.now() - probe.pressed);
      else if (performance.now() - started > 10000) reject(new Error('not shown within 10 s: ' + all.filter((selector) => document.querySelector(selector) === null).join(' & ') + (probe.pressed === null ? ' (key not seen)' : '') + ' | ' + (document.querySelector('[aria-label="Recorder phase"]')?.textContent ?? '') + ' | ' + [...document.querySelectorAll('[role=alert]')].map((a) => a.textContent).join(';')));
      else requestAnimationFrame(frame);
    };
    frame();
  })`) as Promise<number>;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return { n: values.length, medianMs: at(0.5), p90Ms: at(0.9), maxMs: +sorted.at(-1)!.toFixed(1) };
};

const blur = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.());

const result: Record<string, unknown> = {};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  await page.getByRole('status', { name: 'Audio status' }).filter({ hasText: /^Running on the audio device/ }).waitFor({ timeout: 20_000 });
  // Every cue in number order (the grid renders only the rows in view).
  const ids = execFileSync('sqlite3', [path.join(dir, 'project.db'), 'SELECT id FROM cues ORDER BY number'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  await page.getByRole('grid', { name: 'Cues' }).locator(`[role="row"][data-cue-id="${ids[0]}"]`).click();
  await page.getByLabel('Record uncalibrated', { exact: true }).check();
  await page.getByLabel('After a circled take', { exact: true }).selectOption('number');
  await blur(page);
  await page.keyboard.press('r');
  await page.locator('section.recorder button.arm[aria-pressed="true"]').waitFor();

  // ---- Stop → ready, and circle → next cue ready, once per cue.
  const stopReady: number[] = [];
  const circleNext: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await page.locator('section.recorder button.record:not([disabled])').waitFor();
    await blur(page);
    await page.keyboard.press('Shift+R');
    const recording = page.locator('tr[data-take-id][data-status="recording"]');
    await recording.waitFor();
    const takeId = await recording.getAttribute('data-take-id');
    // Stop once some of the take is on disk (the recorder says so), not after a fixed time.
    await page.locator('section.recorder p.roll', { hasText: 's on disk' }).waitFor();
    stopReady.push(await timeKey(page, ' ', ['.stage-state[data-phase="idle"]', `tr[data-take-id="${takeId}"][data-status="complete"]`, 'section.recorder button.record:not([disabled])']));
    circleNext.push(await timeKey(page, 'c', [`[role="row"][data-cue-id="${ids[run + 1]}"][aria-selected="true"]`, '.takes[aria-busy="false"]', 'section.recorder button.record:not([disabled])']));
  }
  result.stopToReady = stats(stopReady);
  result.circleToNextCueReady = stats(circleNext);

  // ---- Single keys.
  const arm: number[] = [];
  for (let i = 0; i < 20; i++) {
    const now = await page.locator('section.recorder button.arm').getAttribute('aria-pressed');
    arm.push(await timeKey(page, 'r', [`section.recorder button.arm[aria-pressed="${now === 'true' ? 'false' : 'true'}"]`]));
  }
  const next: number[] = [];
  for (let i = 0; i < 20; i++) {
    const want = ids[RUNS + 1 + i]!;
    next.push(await timeKey(page, 'j', [`[role="row"][data-cue-id="${want}"][aria-selected="true"]`]));
  }
  // Circle on and off a take of cue 1 (it has one): the engine rewrites its iXML each time.
  await page.getByRole('grid', { name: 'Cues' }).locator('[role="row"][data-cue-id]').first().click();
  await page.keyboard.press('Control+Home');
  await page.locator(`[role="row"][data-cue-id="${ids[0]}"][aria-selected="true"]`).waitFor();
  const takeRow = page.locator('tr[data-take-id]').first();
  await takeRow.waitFor();
  const takeId = await takeRow.getAttribute('data-take-id');
  await page.getByLabel('After a circled take', { exact: true }).selectOption('off');
  await blur(page);
  const circle: number[] = [];
  const circleButton = page.locator(`tr[data-take-id="${takeId}"] button.mark.circled`);
  for (let i = 0; i < 20; i++) {
    await page.locator('tr[data-saving="true"]').waitFor({ state: 'detached' }).catch(() => undefined);
    const now = await circleButton.getAttribute('aria-pressed');
    circle.push(await timeKey(page, 'c', [`tr[data-take-id="${takeId}"] button.mark.circled[aria-pressed="${now === 'true' ? 'false' : 'true'}"]`]));
  }
  result.keyToEffect = { arm: stats(arm), nextCue: stats(next), circle: stats(circle) };
  result.targets = { stopToReadyMs: 100, keyToEffectMs: 50 };
  await page.close();
} finally {
  await browser.close();
  // The rig goes last: a stream whose device vanished first would only be reopened.
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  rig.stop();
}
console.log(JSON.stringify({ session: result }));
