/**
 * The spotting view as an ADR editor meets it in Chromium, on `loopstage serve` with the software
 * clock: import a spreadsheet's cue list through the file input (preview, counts, a column mapped
 * by hand, a problem named by file:line:column), filter by character, edit a line in place, undo
 * and redo from the keyboard and the buttons, type a TC In, and download talent sides as a PDF
 * that holds one character's lines and not another's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';

const CSV_NAME = 'robin-hood-adr.csv';
// A spotting list as a supervisor's spreadsheet writes it. "Mixer" is not a column Loopstage knows
// (it is mapped by hand below); line 4's priority is not a priority and the scenes are new to the
// project (warnings, not errors).
const CSV = [
  'Cue #,Character,Actor,Reel,Scene,TC In,TC Out,Dialogue,Notes,Priority,Mixer',
  'R1001,ROBIN,Errol Flynn,R1,12,01:00:10:00,01:00:12:12,"Welcome to Sherwood, my lady.",Softer,1,Boom only',
  'R1002,MARIAN,Olivia de Havilland,R1,12,01:00:13:00,01:00:15:00,You speak treason!,,2,',
  'R1003,ROBIN,Errol Flynn,R1,12,01:00:15:12,01:00:18:00,Fluently.,Smile in the voice,whenever,',
  'R1004,GISBOURNE,Basil Rathbone,R1,14,01:01:02:00,01:01:04:06,Seize him!,Off screen,1,Lav 2',
  'R1005,MARIAN,Olivia de Havilland,R2,20,01:10:00:00,01:10:03:00,Why did you help me?,,3,',
].join('\r\n');

let browser: Browser;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let url: string;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'loopstage-spotting-'));
  const dir = path.join(workDir, 'Robin Hood ADR');
  const created = loopstage(['project', 'create', dir, '--title', 'Robin Hood', '--rate', '24', '--sample-rate', '48000', '--start', '01:00:00:00', '--json']);
  expect(created.code, created.stderr).toBe(0);
  serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--json']);
  url = (JSON.parse(serve.firstLine) as { url: string }).url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (serve) expect(await stopChild(serve.child)).toBe(0);
});

function texts(locator: Locator): Promise<string[]> {
  return locator.allTextContents().then((all) => all.map((t) => t.replace(/\s+/g, ' ').trim()));
}

/** The data rows the grid shows (the header row is the grid's first row). */
function dataRows(page: Page): Locator {
  return page.getByRole('grid', { name: 'Cues' }).locator('[role="row"][data-cue-id]');
}

function row(page: Page, cueNumber: string): Locator {
  return dataRows(page).filter({ has: page.getByRole('gridcell', { name: cueNumber, exact: true }) });
}

describe('spotting in Chromium', () => {
  it('imports a cue list, filters, edits in place and in the editor, undoes, and exports talent sides', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(url);

    const grid = page.getByRole('grid', { name: 'Cues' });
    const count = page.getByRole('search', { name: 'Cue filters' }).getByRole('status');
    await expect.poll(() => count.textContent()).toBe('0 of 0 cues');

    // ---- Import: the preview first, nothing written until "Import N cues".
    await page.getByLabel('Import cue list', { exact: true }).setInputFiles({ name: CSV_NAME, mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    const dialog = page.getByRole('dialog', { name: 'Import preview' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const countOf = (what: string) => dialog.locator(`[data-count="${what}"]`).textContent();
    expect(await countOf('create')).toBe('5');
    expect(await countOf('update')).toBe('0');
    expect(await countOf('errors')).toBe('0');
    expect(await countOf('warnings')).toBe('4'); // the priority, and three scenes the project lacks
    expect(await countOf('characters')).toBe('3');
    expect(await dialog.getByLabel('Field for column “Dialogue”').inputValue()).toBe('lineText');
    expect(await dialog.getByLabel('Field for column “TC In”').inputValue()).toBe('in');
    expect(await dialog.getByLabel('Field for column “Mixer”').inputValue()).toBe('');
    const issues = dialog.getByRole('list', { name: 'Import problems' });
    const listed = await texts(issues.getByRole('listitem'));
    expect(listed).toHaveLength(4);
    expect(listed).toContainEqual(expect.stringMatching(new RegExp(`^Warning ${CSV_NAME}:4:10 .*"whenever".*not a priority`)));
    expect(listed).toContainEqual(expect.stringMatching(new RegExp(`^Warning ${CSV_NAME}:2 Scene 12 is not in the project yet`)));
    await expect.poll(() => texts(dialog.getByRole('table').getByRole('row'))).toContainEqual(expect.stringMatching(/R1002 ?MARIAN ?01:00:13:00 ?01:00:15:00 ?You speak treason!/));

    // The unknown column, mapped by hand, previews again with that mapping.
    await dialog.getByLabel('Field for column “Mixer”').selectOption('engNotes');
    await expect.poll(() => dialog.getByRole('status').count()).toBe(0); // "Reading…" gone
    expect(await dialog.getByLabel('Field for column “Mixer”').inputValue()).toBe('engNotes');
    const importButton = dialog.getByRole('button', { name: 'Import 5 cues' });
    expect(await importButton.isEnabled()).toBe(true);
    await importButton.click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => count.textContent()).toBe('5 of 5 cues');
    expect(await grid.getAttribute('aria-rowcount')).toBe('6');

    // The hand mapping reached the cue: its engineer notes are "Boom only".
    await row(page, 'R1001').click();
    await expect.poll(() => page.getByLabel('Engineer notes', { exact: true }).inputValue()).toBe('Boom only');

    // ---- Filter by character.
    await page.getByLabel('Filter by character', { exact: true }).selectOption('MARIAN');
    await expect.poll(() => count.textContent()).toBe('2 of 5 cues');
    const marianRows = await texts(dataRows(page));
    expect(marianRows).toHaveLength(2);
    expect(marianRows.every((text) => text.includes('MARIAN'))).toBe(true);

    // ---- Edit a line in place: select, F2, type, Enter.
    await row(page, 'R1002').click();
    await page.keyboard.press('F2');
    const inline = page.getByLabel('Line text for R1002', { exact: true });
    await inline.fill('You speak treason, sir!');
    await inline.press('Enter');
    await expect.poll(() => row(page, 'R1002').textContent()).toContain('You speak treason, sir!');
    const undo = page.getByRole('button', { name: /^Undo/ });
    const redo = page.getByRole('button', { name: /^Redo/ });
    expect(await undo.getAttribute('title')).toBe('Undo Edit R1002 lineText');

    // Undo from the keyboard (the focus is back on the list), redo with the button.
    expect(await grid.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    await page.keyboard.press('Control+z');
    await expect.poll(() => row(page, 'R1002').textContent()).toContain('You speak treason!');
    expect(await row(page, 'R1002').textContent()).not.toContain('sir!');
    expect(await redo.getAttribute('title')).toBe('Redo Edit R1002 lineText');
    await redo.click();
    await expect.poll(() => row(page, 'R1002').textContent()).toContain('You speak treason, sir!');

    // ---- TC In typed in the editor: a label that cannot exist is refused with a reason.
    await row(page, 'R1002').click();
    const tcIn = page.getByLabel('TC In', { exact: true });
    await expect.poll(() => tcIn.inputValue()).toBe('01:00:13:00');
    await tcIn.fill('01:00:13:30');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('[role="alert"]').allTextContents()).toContainEqual(expect.stringMatching(/frames is 30 but must be at most 23/));
    await tcIn.fill('01:00:13:12');
    await tcIn.press('Control+Enter');
    await expect.poll(() => row(page, 'R1002').textContent()).toContain('01:00:13:12');
    expect(await undo.getAttribute('title')).toBe('Undo Edit R1002 in');

    // ---- Nothing typed is lost: a note typed in the editor is kept when another cue is selected.
    await page.getByLabel('Notes', { exact: true }).fill('breathier, less anger');
    await page.getByLabel('Filter by character', { exact: true }).selectOption('');
    await row(page, 'R1001').click();
    await expect.poll(() => page.getByLabel('Engineer notes', { exact: true }).inputValue()).toBe('Boom only');
    await expect.poll(() => row(page, 'R1002').textContent()).toContain('breathier, less anger');
    expect(await undo.getAttribute('title')).toBe('Undo Edit R1002 notes');

    // ---- Talent sides for MARIAN: her lines, nobody else's.
    await page.getByText('Export', { exact: true }).click();
    await page.getByLabel('Talent sides for', { exact: true }).selectOption('MARIAN');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export talent sides' }).click()]);
    expect(download.suggestedFilename()).toMatch(/MARIAN.*\.pdf$/);
    const pdf = path.join(workDir, download.suggestedFilename());
    await download.saveAs(pdf);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('You speak treason, sir!');
    expect(text).toContain('Why did you help me?');
    expect(text).not.toContain('Welcome to Sherwood');
    expect(text).not.toContain('Seize him!');
    // The right pages: every page is MARIAN's, numbered N of M.
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(1);
    for (let n = 1; n <= pages; n++) {
      const page = execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' });
      expect(page).toContain('MARIAN');
      expect(page).toContain(`Page ${n} of ${pages}`);
    }

    // ---- Autosave: the session returns to the cue chosen last, in a fresh page (or after a restart).
    await row(page, 'R1002').click();
    await expect.poll(() => row(page, 'R1002').getAttribute('aria-selected')).toBe('true');
    const reopened = await browser.newPage();
    // The choice is saved as it is made; a page opened before it lands may still show the old one,
    // so open again until the list has loaded and shows where the session was.
    await expect
      .poll(async () => {
        await reopened.goto(url);
        await expect.poll(() => dataRows(reopened).count()).toBe(5);
        return [await row(reopened, 'R1001').getAttribute('aria-selected'), await row(reopened, 'R1002').getAttribute('aria-selected')];
      }, { timeout: 10_000 })
      .toEqual(['false', 'true']);
    await reopened.close();

    expect(problems).toEqual([]);
    await page.close();
  });
});
