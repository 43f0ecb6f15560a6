/**
 * What the end-to-end tests read from and do on a Loopstage page in Chromium: texts squashed to
 * one line, the alerts shown, the cue list's rows, the project database through the sqlite3 CLI,
 * and Calibrate pressed until the round trip holds (the rig's PulseAudio path glitches now and then).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const squash = (text: string | null) => text?.replace(/\s+/g, ' ').trim() ?? null;

export async function alerts(page: Page): Promise<string> {
  return JSON.stringify(await page.getByRole('alert').allTextContents());
}

export async function dismissAlerts(page: Page): Promise<void> {
  for (const dismiss of await page.getByRole('button', { name: /^Dismiss/ }).all()) await dismiss.click().catch(() => undefined);
}

export function cueRow(page: Page, number: string): Locator {
  return page.getByRole('grid', { name: 'Cues' }).locator('[role="row"][data-cue-id]').filter({ has: page.getByRole('gridcell', { name: number, exact: true }) });
}

/** Rows of a project's database as JSON, read by the sqlite3 CLI (an independent reader). */
export function sqliteJson<T>(projectDir: string, sql: string): T[] {
  const out = execFileSync('sqlite3', ['-readonly', '-json', path.join(projectDir, 'project.db'), sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : (JSON.parse(out) as T[]);
}

/**
 * Presses Calibrate until the round trip holds on the open stream. A measurement the engine
 * refuses because the rig glitched (a CALIBRATION_ code, or a stalled stream reopened,
 * AUDIO_STREAM_STALLED) is tried again, at most five times; `log` gives the server's log for the failure.
 */
export async function calibrate(page: Page, log: () => string): Promise<void> {
  const calibration = page.getByRole('status', { name: 'Calibration', exact: true });
  const tries: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await calibration.count()) === 0) return;
    const button = calibration.getByRole('button', { name: 'Calibrate', exact: true });
    await expect.poll(() => button.isEnabled(), { timeout: 20_000 }).toBe(true);
    await button.click();
    await expect.poll(async () => (await calibration.count()) === 0 || /CALIBRATION_|AUDIO_STREAM_STALLED/.test(await alerts(page)), { timeout: 30_000 }).toBe(true).catch(async (error: unknown) => {
      const notice = (await calibration.count()) > 0 ? await calibration.textContent() : null;
      throw new Error(`${String(error)}; calibration: ${notice}; alerts: ${await alerts(page)}; log: ${log().slice(-1500)}`);
    });
    if ((await calibration.count()) === 0) return;
    tries.push(await alerts(page));
    await dismissAlerts(page);
  }
  throw new Error(`calibration did not hold after 5 tries: ${tries.join('; ')}; log: ${log().slice(-1500)}`);
}
