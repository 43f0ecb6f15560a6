/**
 * The project lists panel in Chromium, on `loopstage serve` with a project the CLI made and a
 * small cue list the CLI imported: set a character's actor and prefix in place, rename a reason
 * code's label, add a reason and remove one, refuse and then save an ADR numbering template,
 * renumber, and undo the renumbering. Every change is checked on screen and through the CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';

const CSV = [
  'Cue #,Character,Actor,Reel,TC In,TC Out,Dialogue,Reason',
  'R101,ROBIN,,R1,01:00:10:00,01:00:12:12,"Welcome to Sherwood, my lady.",noise',
  'M101,MARIAN,Olivia de Havilland,R1,01:00:13:00,01:00:15:00,You speak treason!,performance',
  'R102,ROBIN,,R1,01:00:15:12,01:00:18:00,Fluently.,',
].join('\r\n');

interface CharacterJson {
  name: string;
  actor: string;
  prefix: string;
  colour: string;
}
interface ReasonJson {
  code: string;
  label: string;
}
interface CueJson {
  number: string;
  character: string | null;
  reason: string | null;
}

let browser: Browser;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let url: string;
let dir: string;

function cli<T>(args: string[]): T {
  const result = loopstage([...args, '--project', dir, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const characters = () => cli<CharacterJson[]>(['characters', 'list']);
const reasons = () => cli<ReasonJson[]>(['reasons', 'list']);
const cueList = () => cli<{ cues: CueJson[] }>(['cues', 'list']).cues;
const numbersByLine = () => cueList().map((cue) => `${cue.character}:${cue.number}`);

beforeAll(async () => {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'loopstage-lists-'));
  dir = path.join(workDir, 'Robin Hood ADR');
  const created = loopstage(['project', 'create', dir, '--title', 'Robin Hood', '--rate', '24', '--sample-rate', '48000', '--start', '01:00:00:00', '--json']);
  expect(created.code, created.stderr).toBe(0);
  const csv = path.join(workDir, 'robin-hood-adr.csv');
  writeFileSync(csv, CSV);
  const imported = loopstage(['import', csv, '--project', dir]);
  expect(imported.code, imported.stderr).toBe(0);
  serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--json']);
  url = (JSON.parse(serve.firstLine) as { url: string }).url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (serve) expect(await stopChild(serve.child)).toBe(0);
});

/** The cue numbers the grid shows, in timeline order. */
function shownNumbers(page: Page): Promise<string[]> {
  return page.getByRole('grid', { name: 'Cues' }).locator('[role="row"][data-cue-id] [role="gridcell"]:first-child').allTextContents();
}

/** Types into an in-place field and saves it with Enter. */
async function setField(field: Locator, text: string): Promise<void> {
  await field.fill(text);
  await field.press('Enter');
}

describe('project lists in Chromium', () => {
  it('edits characters and reason codes, sets the numbering, renumbers and undoes it', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);

    const count = page.getByRole('search', { name: 'Cue filters' }).getByRole('status');
    await expect.poll(() => count.textContent()).toBe('3 of 3 cues');
    expect(await shownNumbers(page)).toEqual(['R101', 'M101', 'R102']);
    const undo = page.getByRole('button', { name: /^Undo/ });

    await page.getByText('Project lists', { exact: true }).click();

    // ---- Characters: the table lists both, with their cue counts; actor and prefix edited in place.
    const table = page.getByRole('table', { name: 'Characters' });
    await expect.poll(() => table.isVisible()).toBe(true);
    const robin = table.getByRole('row').filter({ has: page.getByLabel('Name for ROBIN', { exact: true }) });
    expect((await robin.getByRole('cell').last().textContent())?.trim()).toBe('2');
    expect(await page.getByLabel('Actor for MARIAN', { exact: true }).inputValue()).toBe('Olivia de Havilland');

    const actor = page.getByLabel('Actor for ROBIN', { exact: true });
    // Escape puts the saved value back without saving.
    await actor.fill('Nobody');
    await actor.press('Escape');
    expect(await actor.inputValue()).toBe('');
    await setField(actor, 'Errol Flynn');
    await expect.poll(() => undo.getAttribute('title')).toBe('Undo Edit character ROBIN');
    await expect.poll(() => characters().find((c) => c.name === 'ROBIN')?.actor).toBe('Errol Flynn');

    const prefix = page.getByLabel('Prefix for ROBIN', { exact: true });
    await setField(prefix, 'RH');
    await expect.poll(() => characters().find((c) => c.name === 'ROBIN')?.prefix).toBe('RH');
    expect(await prefix.inputValue()).toBe('RH');
    expect(await actor.inputValue()).toBe('Errol Flynn');

    // ---- Reels: picture version and where the reel starts, typed as timecode.
    await setField(page.getByLabel('Picture version for R1', { exact: true }), 'v12 locked');
    await setField(page.getByLabel('Start of R1', { exact: true }), '01:00:00:00');
    await expect.poll(() => undo.getAttribute('title')).toBe('Undo Edit reel R1');
    const reels = () => cli<{ name: string; pictureVersion: string; offset: number }[]>(['reels', 'list']);
    await expect.poll(() => reels()[0]).toMatchObject({ name: 'R1', pictureVersion: 'v12 locked', offset: 3600 * 48000 });
    await setField(page.getByLabel('Start of R1', { exact: true }), '01:00:00:99');
    await expect.poll(() => page.locator('[role="alert"]').allTextContents()).toContainEqual(expect.stringMatching(/frames is 99/));
    await page.getByLabel('Start of R1', { exact: true }).press('Escape');

    // ---- Reason codes: rename a label, add a code, remove one that a cue uses.
    const reasonTable = page.getByRole('table', { name: 'Reason codes' });
    await setField(reasonTable.getByLabel('Label for noise', { exact: true }), 'Background noise');
    await expect.poll(() => undo.getAttribute('title')).toBe('Undo Edit reason Noise');
    expect(await reasonTable.getByLabel('Label for noise', { exact: true }).inputValue()).toBe('Background noise');

    const addReason = page.getByRole('button', { name: 'Add reason', exact: true });
    expect(await addReason.isDisabled()).toBe(true);
    await page.getByLabel('New reason code', { exact: true }).fill('breath');
    await page.getByLabel('New reason label', { exact: true }).fill('Breaths');
    await addReason.click();
    await expect.poll(() => reasonTable.getByLabel('Label for breath', { exact: true }).inputValue()).toBe('Breaths');
    expect(await page.getByLabel('New reason code', { exact: true }).inputValue()).toBe('');

    await expect.poll(() => page.getByText(/Undo brings it back/).count()).toBeGreaterThan(0);
    await reasonTable.getByRole('button', { name: 'Remove performance', exact: true }).click();
    await expect.poll(() => reasonTable.getByLabel('Label for performance', { exact: true }).count()).toBe(0);
    await expect.poll(() => undo.getAttribute('title')).toBe('Undo Remove reason Performance');

    const codes = reasons();
    expect(codes.find((r) => r.code === 'noise')?.label).toBe('Background noise');
    expect(codes.find((r) => r.code === 'breath')?.label).toBe('Breaths');
    expect(codes.some((r) => r.code === 'performance')).toBe(false);
    // MARIAN's line lost the removed reason; ROBIN's kept his.
    expect(cueList().map((cue) => cue.reason)).toEqual(['noise', null, null]);

    // ---- Numbering: a template without {seq} is refused with the engine's sentence.
    const numbering = page.getByRole('region', { name: 'Numbering' });
    const adr = numbering.getByLabel('ADR numbering', { exact: true });
    expect(await adr.inputValue()).toBe('{prefix}{reel}{seq:02}');
    expect(await numbering.getByLabel('Foley numbering', { exact: true }).inputValue()).toBe('F{reel}{seq:03}');
    const save = numbering.getByRole('button', { name: 'Save numbering', exact: true });
    await adr.fill('{prefix}{reel}');
    await save.click();
    const alert = numbering.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/The numbering template "\{prefix\}\{reel\}" is not valid: it needs exactly one \{seq\}/);
    expect(await alert.textContent()).toContain('CUE_SCHEME_INVALID');
    // Escape in the field puts the saved template back and clears the notice.
    await adr.press('Escape');
    expect(await adr.inputValue()).toBe('{prefix}{reel}{seq:02}');
    expect(await alert.count()).toBe(0);

    await adr.fill('{prefix}{reel}{seq:03}');
    await expect.poll(async () => (await numbering.textContent())?.replace(/\s+/g, ' ')).toContain('MARIAN in reel 1, first line: M1001');
    await save.click();
    await expect.poll(() => save.isDisabled()).toBe(true);
    expect(await alert.count()).toBe(0);
    expect(cli<{ adr: string; foley: string }>(['cues', 'numbering'])).toEqual({ adr: '{prefix}{reel}{seq:03}', foley: 'F{reel}{seq:03}' });

    // ---- Renumber: the cue numbers follow the new template and ROBIN's new prefix.
    await page.getByRole('button', { name: 'Renumber…', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Renumber 3 cues?' });
    await expect.poll(() => confirm.isVisible()).toBe(true);
    expect(await confirm.textContent()).toContain('ADR {prefix}{reel}{seq:03}');
    await confirm.getByRole('button', { name: 'Renumber', exact: true }).click();
    await expect.poll(() => confirm.isVisible()).toBe(false);
    await expect.poll(() => shownNumbers(page)).toEqual(['RH1001', 'M1001', 'RH1002']);
    expect(numbersByLine()).toEqual(['ROBIN:RH1001', 'MARIAN:M1001', 'ROBIN:RH1002']);

    // ---- Undo from the UI puts the old numbers back.
    expect(await undo.getAttribute('title')).toBe('Undo Renumber 3 cues');
    await undo.click();
    await expect.poll(() => shownNumbers(page)).toEqual(['R101', 'M101', 'R102']);
    expect(numbersByLine()).toEqual(['ROBIN:R101', 'MARIAN:M101', 'ROBIN:R102']);
    // The list edits before it stay.
    expect(characters().find((c) => c.name === 'ROBIN')).toMatchObject({ actor: 'Errol Flynn', prefix: 'RH' });

    expect(problems).toEqual([]);
    await page.close();
  });
});
