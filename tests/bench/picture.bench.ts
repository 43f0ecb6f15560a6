/**
 * The picture player in Chromium on a 1080p proxy-style clip (H.264 4:2:0, a keyframe every half
 * second, 24 fps), with cues every 5 s so streamers, punches, countdowns, cue text and the burn-in
 * are drawn throughout. Runs on the software clock (no interface needed). Prints:
 * - overlayDrawMs: time to draw the overlays per presented frame (median, p99, max);
 * - play60s: frames presented and frames dropped over 60 s of rolling (the video element's own
 *   dropped count, and gaps in the presented frame numbers), and the share within one frame;
 * - locateMs: from the Enter in "Locate to timecode" to that frame presented (20 locates; median, p90, max).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../support/browser.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { framesToLabel, labelToFrames, parseFrameRate } from '../../src/core/time/index.js';

/**
 * Functions given to page.evaluate run in Chromium, but this program is type-checked without the DOM
 * library (so nothing outside the UI can lean on it); inside them the page's globals are untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Page$ = any;

const log = (line: string) => process.stderr.write(`[picture] ${line}\n`);
const SECONDS = 70;
const rate = parseFrameRate('24');
const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-bench-picture-'));
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100;
};

try {
  const dir = path.join(work, 'P');
  const clip = path.join(work, 'reel-1080p.mp4');
  log('making a 1080p clip');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=24', '-t', String(SECONDS), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '12', '-bf', '0', '-pix_fmt', 'yuv420p', '-timecode', '01:00:00:00', '-movflags', '+faststart', clip]);
  if (loopstage(['project', 'create', dir, '--rate', '24', '--sample-rate', '48000', '--start', '01:00:00:00']).code !== 0) throw new Error('project create failed');
  const rows = ['Cue,Character,TC In,TC Out,Dialogue'];
  for (let s = 5; s < SECONDS - 2; s += 5) rows.push(`C${s},ANNA,${framesToLabel(labelToFrames('01:00:00:00', rate) + s * 24, rate)},${framesToLabel(labelToFrames('01:00:00:00', rate) + s * 24 + 48, rate)},A line spoken at ${s} seconds`);
  writeFileSync(path.join(work, 'cues.csv'), `${rows.join('\n')}\n`);
  if (loopstage(['import', path.join(work, 'cues.csv'), '--project', dir, '--kind', 'adr']).code !== 0) throw new Error('import failed');
  const added = loopstage(['picture', 'add', '--project', dir, clip, '--json']);
  if (added.code !== 0) throw new Error(added.stderr);

  const serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--json']);
  const browser = await launchChromium();
  try {
    const url = (JSON.parse(serve.firstLine) as { url: string }).url;
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(url);
    const player = page.locator('.player[data-screen="operator"]');
    await page.waitForFunction(() => (globalThis as Page$).document.querySelector('.player[data-screen="operator"]')?.getAttribute('data-lock') === 'parked', null, { timeout: 30_000 });
    await page.evaluate(() => {
      const video = (globalThis as Page$).document.querySelector('video')!;
      const state = { frames: [] as Array<{ shown: number; wanted: number; drawMs: number; rolling: boolean; at: number }>, enterAt: 0 };
      (globalThis as Page$).bench = state;
      video.addEventListener('loopstage:picture-frame', (event: Page$) => {
        const d = (event as Page$).detail;
        state.frames.push({ ...d, at: performance.now() });
      });
      (globalThis as Page$).document.querySelector('input[id$="-locate"]')!.addEventListener('keydown', (event: Page$) => {
        if ((event as Page$).key === 'Enter') state.enterAt = performance.now();
      }, { capture: true });
    });
    // A cue selected, so its overlays are drawn.
    await page.locator('[role=row][data-cue-id]', { hasText: 'C5' }).first().click();

    log('locating');
    const locateMs: number[] = [];
    const startFrame = labelToFrames('01:00:00:00', rate);
    let seed = 7;
    for (let i = 0; i < 20; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const frame = startFrame + Math.floor((seed / 2 ** 31) * (SECONDS - 1) * 24);
      await page.getByLabel('Locate to timecode').fill(framesToLabel(frame, rate));
      await page.getByLabel('Locate to timecode').press('Enter');
      await page.waitForFunction((f) => {
        const p = (globalThis as Page$).document.querySelector('.player[data-screen="operator"]');
        return p?.getAttribute('data-lock') === 'parked' && p.getAttribute('data-shown-frame') === String(f);
      }, frame, { timeout: 10_000, polling: 'raf' });
      locateMs.push(await page.evaluate((f) => {
        const state = (globalThis as Page$).bench as { frames: Array<{ shown: number; at: number }>; enterAt: number };
        const landed = state.frames.find((x) => x.shown === f && x.at >= state.enterAt);
        return landed ? landed.at - state.enterAt : NaN;
      }, frame));
    }

    log('playing 60 s');
    await page.getByLabel('Locate to timecode').fill('01:00:00:00');
    await page.getByLabel('Locate to timecode').press('Enter');
    await page.waitForFunction(() => (globalThis as Page$).document.querySelector('.player[data-screen="operator"]')?.getAttribute('data-shown-frame') === String(86400), null, { timeout: 10_000 });
    const quality = () => page.evaluate(() => {
      const q = (globalThis as Page$).document.querySelector('video')!.getVideoPlaybackQuality();
      return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames };
    });
    const before = await quality();
    await page.evaluate(() => ((globalThis as Page$).bench.frames.length = 0));
    await page.getByRole('region', { name: 'Clock and transport' }).getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => Number((globalThis as Page$).document.querySelector('[role=timer][aria-label="Timecode"]')?.getAttribute('data-position')) >= 172_800_000 + 60 * 48_000, null, { timeout: 90_000, polling: 250 });
    await page.getByRole('region', { name: 'Clock and transport' }).getByRole('button', { name: 'Stop' }).click();
    await player.getAttribute('data-lock');
    const after = await quality();
    const frames = ((await page.evaluate(() => (globalThis as Page$).bench.frames)) as Array<{ shown: number; wanted: number; drawMs: number; rolling: boolean }>).filter((f) => f.rolling);
    let skipped = 0;
    for (let i = 1; i < frames.length; i++) skipped += Math.max(0, frames[i]!.shown - frames[i - 1]!.shown - 1);
    const within = frames.filter((f) => Math.abs(f.shown - f.wanted) <= 1).length;
    const draws = frames.map((f) => f.drawMs);
    process.stdout.write(
      `${JSON.stringify({
        clip: '1920x1080 H.264 24 fps, keyframe every 12 frames',
        overlayDrawMs: { frames: draws.length, median: quantile(draws, 0.5), p99: quantile(draws, 0.99), max: quantile(draws, 1) },
        play60s: {
          framesPresented: frames.length,
          framesExpected: 60 * 24,
          droppedByVideoElement: after.dropped - before.dropped,
          decodedByVideoElement: after.total - before.total,
          framesSkippedInPresentation: skipped,
          withinOneFramePercent: frames.length ? Math.round((within / frames.length) * 1000) / 10 : null,
        },
        locateMs: { locates: locateMs.length, median: quantile(locateMs, 0.5), p90: quantile(locateMs, 0.9), max: quantile(locateMs, 1) },
      })}\n`,
    );
  } finally {
    await browser.close();
    await stopChild(serve.child);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
