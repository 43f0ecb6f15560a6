/**
 * The UI shell as a new user meets it: no project open, create one, change its settings, choose the
 * audio interface, roll and stop from the keyboard. Checked on disk and through the CLI.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { startRig, writeRampMic, type Rig } from '../support/rig.js';

let rig: Rig;
let browser: Browser;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let url: string;

beforeAll(async () => {
  rig = startRig(2, 48000);
  writeRampMic(rig, 60, 48000, 1); // the project records one input (the default)
  serve = await loopstageServe(['serve', '--port', '0', '--json'], rig.env);
  url = (JSON.parse(serve.firstLine) as { url: string }).url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (serve) expect(await stopChild(serve.child)).toBe(0);
  rig?.stop();
});

function info(dir: string): { title: string; frameRate: string; sampleRate: number; start: number; startTimecode: string } {
  const result = loopstage(['project', 'info', dir, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('project and devices in Chromium', () => {
  it('creates a project, saves settings, chooses the interface and rolls from the keyboard', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);

    // No project yet: creating one is the way in.
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'loopstage-ui-')), 'Spot Reel 2');
    await page.getByLabel('New project folder', { exact: true }).fill(dir);
    await page.getByLabel('Title', { exact: true }).fill('Spot Reel 2');
    await page.getByLabel('Frame rate', { exact: true }).selectOption('25');
    await page.getByLabel('Sample rate', { exact: true }).selectOption('48000');
    await page.getByLabel('Start timecode', { exact: true }).fill('10:00:00:00');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.getByRole('banner').textContent()).toContain('Spot Reel 2');
    expect(existsSync(path.join(dir, 'project.db'))).toBe(true);
    expect(info(dir)).toMatchObject({ title: 'Spot Reel 2', frameRate: '25', sampleRate: 48000, start: 10 * 3600 * 48000 });
    await expect.poll(() => page.getByRole('timer', { name: 'Timecode' }).textContent()).toContain('10:00:00:00');

    // Settings are stored as they are saved.
    await page.getByLabel('Project start timecode', { exact: true }).fill('09:59:50:00');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => info(dir).startTimecode).toBe('09:59:50:00');

    // The rig as the interface.
    await page.getByLabel('Audio input', { exact: true }).selectOption('default');
    await page.getByLabel('Audio output', { exact: true }).selectOption('default');
    await page.getByRole('button', { name: 'Use these devices' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent(), { timeout: 10_000 }).toMatch(/^Running on the audio device · device default/);

    // Calibration is offered for a real interface; with nothing patched back it says so.
    expect(await page.getByRole('status', { name: 'Latency' }).textContent()).toContain('Not calibrated');
    await page.getByRole('button', { name: 'Calibrate latency' }).click();
    await expect.poll(() => page.getByRole('alert').allTextContents(), { timeout: 20_000 }).toContainEqual(expect.stringMatching(/not heard on the input.*CALIBRATION_NOT_FOUND/s));

    // Keyboard first: Space rolls and stops, G goes to the locate field.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('status', { name: 'Transport state' }).textContent()).toContain('Rolling');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('status', { name: 'Transport state' }).textContent()).toContain('Stopped');
    await page.keyboard.press('g');
    await expect.poll(() => page.getByLabel('Locate to timecode', { exact: true }).evaluate((field) => field.ownerDocument.activeElement === field)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('reopening the project remembers the interface', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    // The engine already has the project open; a second window sees the same state.
    await expect.poll(() => page.getByRole('status', { name: 'Audio status' }).textContent()).toMatch(/^Running on the audio device · device default/);
    await page.close();
  });
});
