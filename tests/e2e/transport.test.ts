/**
 * As a user would: `loopstage serve` on a temporary project with the audio rig as the interface,
 * the page in Chromium, Play for a few seconds, Stop. The timecode the page shows is checked
 * against the frames the rig actually delivered, counted by the kernel (bytes ALSA read from the
 * rig's mic file), not against anything Loopstage reports about itself.
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TransportSnapshot } from '../../src/api/contract.js';
import { connectWebSocket } from '../../src/api/transports/websocket-client.js';
import { labelToFrames, parseFrameRate } from '../../src/core/time/index.js';
import { launchChromium } from '../support/browser.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { findMicReader, micBytesRead, startRig, writeRampMic, type Rig } from '../support/rig.js';

const SAMPLE_RATE = 48000;
const RATE = parseFrameRate('25');
const SAMPLES_PER_FRAME = SAMPLE_RATE / 25;
// The engine opens float32 with as many inputs as the project records: one, by default.
const INPUT_CHANNELS = 1;
const BYTES_PER_FRAME = INPUT_CHANNELS * 4;
const START_LABEL = '10:00:00:00';
const START = labelToFrames(START_LABEL, RATE) * SAMPLES_PER_FRAME;

let rig: Rig;
let browser: Browser;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let url: string;
let audioPid: number;

beforeAll(async () => {
  rig = startRig(2, SAMPLE_RATE);
  writeRampMic(rig, 120, SAMPLE_RATE, INPUT_CHANNELS);
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'loopstage-e2e-')), 'Reel 1');
  const created = loopstage(['project', 'create', dir, '--title', 'E2E Reel 1', '--rate', '25', '--sample-rate', String(SAMPLE_RATE), '--start', START_LABEL]);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--input', 'default', '--output', 'default', '--json'], rig.env);
  const started = JSON.parse(serve.firstLine) as { url: string; audio: { state: string; clockSource: string } };
  expect(started.audio).toMatchObject({ state: 'running', clockSource: 'audio-device' });
  url = started.url;
  const pid = findMicReader(serve.child.pid!, rig.micFile);
  if (pid === null) throw new Error('no process of loopstage serve reads the rig mic');
  audioPid = pid;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (serve) expect(await stopChild(serve.child)).toBe(0);
  rig?.stop();
});

// A test that fails mid-roll must not leave the next one rolling.
afterEach(async () => {
  const { client, socket } = await connectWebSocket(url.replace(/^http/, 'ws').replace(/\/(\?.*)?$/, '/rpc'), (u) => new WebSocket(u) as never);
  try {
    if ((await client.call('transport.state', {})).state === 'rolling') await client.call('transport.stop', {});
  } catch {
    // no running audio to stop
  } finally {
    client.close();
    socket.close();
  }
});

/** Samples the rig has delivered since the stream opened, per the kernel. */
function deliveredSamples(): number {
  return micBytesRead(audioPid, rig.micFile) / BYTES_PER_FRAME;
}

async function shown(page: Page): Promise<{ label: string; position: number }> {
  return page.getByRole('timer', { name: 'Timecode' }).evaluate((element) => ({
    label: (element.textContent ?? '').trim().slice(0, 11),
    position: Number(element.getAttribute("data-position")),
  }));
}

/** The gap between two readings of the display while rolling: a sampling period, not a wait for state. */
function samplingInterval(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('transport in Chromium on the audio rig', () => {
  it('shows timecode that tracks the audio clock within one frame, and stops where the audio stopped', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Transport state' }).textContent()).toContain('Stopped');
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent()).toMatch(/^Running on the audio device · device default/);
    expect((await shown(page)).label).toBe(START_LABEL);

    // A second client on the same engine, as another screen would be, hears where play took effect:
    // the stream frame (counted from the stream's opening, as the kernel's count is) of the roll's
    // first sample. The rig's count just before the key press and once the page shows Rolling must
    // bracket it.
    const { client: observer, socket } = await connectWebSocket(url.replace(/^http/, 'ws').replace(/\/(\?.*)?$/, '/rpc'), (u) => new WebSocket(u) as never);
    const changes: TransportSnapshot[] = [];
    observer.on('transport.changed', (snapshot) => changes.push(snapshot));
    const beforePlay = deliveredSamples();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('status', { name: 'Transport state' }).textContent(), { interval: 5 }).toContain('Rolling');
    const afterPlay = deliveredSamples();
    await expect.poll(() => changes.find((c) => c.state === 'rolling')).toBeTruthy();
    const play = changes.find((c) => c.state === 'rolling')!;
    expect(play.position).toBe(START);
    expect(play.streamFrame).toBeGreaterThanOrEqual(beforePlay - 2048);
    expect(play.streamFrame).toBeLessThanOrEqual(afterPlay);

    const readings: { before: number; after: number; shownFrames: number; label: string; position: number }[] = [];
    // At least 4 s and 25 readings: on a loaded machine one reading can take longer than its period.
    const until = performance.now() + 4000;
    while (performance.now() < until || readings.length < 25) {
      const before = deliveredSamples();
      const view = await shown(page);
      const after = deliveredSamples();
      // What the display claims must be what it shows.
      const shownFrames = labelToFrames(view.label, RATE);
      expect(shownFrames).toBe(Math.floor(view.position / SAMPLES_PER_FRAME));
      readings.push({ before, after, shownFrames, ...view });
      await samplingInterval(100);
    }
    // Error of each reading in frames: how far the shown position lies outside the samples the rig
    // delivered since play while the reading was taken.
    const errorsInFrames = readings.map((r) => {
      const shownSince = r.position - START;
      const low = r.before - play.streamFrame;
      const high = r.after - play.streamFrame;
      if (shownSince < low) return (shownSince - low) / SAMPLES_PER_FRAME;
      if (shownSince > high) return (shownSince - high) / SAMPLES_PER_FRAME;
      return 0;
    });
    const worst = Math.max(...errorsInFrames.map(Math.abs));
    const audioStatus = await page.getByRole('status', { name: 'Audio status' }).textContent();
    console.log(JSON.stringify({ e2eTransport: { readings: readings.length, worstErrorFrames: +worst.toFixed(3), meanErrorFrames: +(errorsInFrames.reduce((a, b) => a + b, 0) / errorsInFrames.length).toFixed(3), playBracketFrames: +((afterPlay - beforePlay) / SAMPLES_PER_FRAME).toFixed(2), audioStatus } }));
    // The interface's own dropouts (which move the timeline against it) are in the status, if any.
    expect(worst, `audio: ${audioStatus}`).toBeLessThanOrEqual(1);
    // Rolling for 4 s moved the display by about 100 frames, not by a stalled or runaway clock.
    const movedFrames = readings.at(-1)!.shownFrames - readings[0]!.shownFrames;
    expect(movedFrames).toBeGreaterThan(90);

    // Stop: the display settles where the audio stopped and stays there while the stream runs on.
    const beforeStop = deliveredSamples();
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Transport state' }).textContent(), { interval: 5 }).toContain('Stopped');
    const afterStop = deliveredSamples();
    const stopped = await shown(page);
    const rolledSamples = stopped.position - START;
    expect(rolledSamples).toBeGreaterThanOrEqual(beforeStop - play.streamFrame - SAMPLES_PER_FRAME);
    expect(rolledSamples).toBeLessThanOrEqual(afterStop - play.streamFrame);
    // ...which is exactly where the engine says the audio stopped.
    await expect.poll(() => changes.find((c) => c.state === 'stopped')).toBeTruthy();
    const stop = changes.find((c) => c.state === 'stopped')!;
    expect(stopped.position).toBe(stop.position);
    expect(stop.position - START).toBe(stop.streamFrame - play.streamFrame);
    observer.close();
    socket.close();
    await expect.poll(() => deliveredSamples()).toBeGreaterThan(afterStop + SAMPLE_RATE / 2);
    expect(await shown(page)).toEqual(stopped);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('locates to a typed timecode', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Transport state' }).textContent()).toContain('Stopped');
    await page.getByLabel('Locate to timecode').fill('10:01:02:03');
    await page.getByLabel('Locate to timecode').press('Enter');
    await expect.poll(async () => (await shown(page)).label).toBe('10:01:02:03');
    expect((await shown(page)).position).toBe(labelToFrames('10:01:02:03', RATE) * SAMPLES_PER_FRAME);
    await page.close();
  });

  it('keeps the device list while the stream runs, and lists a device added since on Refresh devices', async () => {
    const page = await browser.newPage();
    const inputs = () => page.getByLabel('Audio input').locator('option').allTextContents();
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent()).toMatch(/^Running on the audio device/);
    await expect.poll(inputs).toContain('rig_mic');
    // A device appears in ALSA's configuration, as a newly connected interface would.
    appendFileSync(rig.env.ALSA_CONFIG_PATH, 'pcm.rig_spare { type plug  slave.pcm "rig_pulse_mic" }\n');
    // A page load asks for the list, and gets the engine's last one: no probe while the stream runs.
    await page.reload();
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent()).toMatch(/^Running on the audio device/);
    await expect.poll(inputs).toContain('rig_mic');
    expect(await inputs()).not.toContain('rig_spare');
    await page.getByRole('button', { name: 'Refresh devices' }).click();
    await expect.poll(inputs, { timeout: 10_000 }).toContain('rig_spare');
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent()).toMatch(/^Running on the audio device · device default/);
    await page.close();
  });

  it('shows a dead audio process as a failure with its reason, refuses to roll while it reopens, and says when reopening fails', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent()).toMatch(/^Running on the audio device/);
    // The interface goes with the process, so the engine's reopening cannot succeed (the reopen that
    // does is tests/integration/audio-recovery).
    rig.stop();
    process.kill(audioPid, 'SIGKILL');
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 10_000 }).toMatch(/^Failed .*The audio process stopped unexpectedly \(SIGKILL\); Loopstage is reopening it…/);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/needs a running audio clock.*AUDIO_NOT_RUNNING/s);
    expect(await page.getByRole('status', { name: 'Transport state' }).textContent()).toContain('Stopped');
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 40_000 })
      .toMatch(/^Failed .*reopening it failed 3 times \(.+\)\. Check the interface is connected and on, then choose it again under Audio devices\./);
    await page.close();
  });
});
