/**
 * The spotting view with 10,000 cues in Chromium (issue 3): time from navigation to the first cue
 * rows painted, the size of the list on the wire, and how long typing a filter takes to show its
 * result. Real server, real project file, Debian's Chromium. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { completeCueFields } from '../../src/core/cues/cue.js';
import { launchChromium } from '../support/browser.js';

const COUNT = 10_000;
const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'loopstage-bench-paint-')), 'p');
const handle = await new SqliteProjectStore().create(dir, { title: 'Paint', frameRate: '24', sampleRate: 48000, start: 172_800_000 }, new Date());
const names = ['Robin', 'Marian', 'Guy', 'John', 'Much'];
await handle.cues.apply('Bench cues', Array.from({ length: COUNT }, (_, i) => ({
  type: 'create-cue' as const,
  fields: completeCueFields({ character: names[i % names.length]!, reel: `Reel ${1 + Math.floor(i / 2000)}`, lineText: `Line ${i}: the arrow flies over the castle wall at dawn`, notes: i % 7 ? '' : 'check sync' }, { kind: 'adr', number: `C${i}`, in: 172_800_000 + i * 60_000, out: 172_830_000 + i * 60_000 }),
})), new Date());
await handle.close();

const bin = fileURLToPath(new URL('../../bin/loopstage.js', import.meta.url));
const server = spawn(process.execPath, [bin, 'serve', '--project', dir, '--port', '0', '--json']);
const { url } = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: server.stdout }).once('line', resolve))) as { url: string };
const browser = await launchChromium();
const result: Record<string, unknown> = {};
try {
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    let listBytes = 0;
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => {
      if (typeof frame.payload === 'string' && frame.payload.includes('"cues":[') && frame.payload.length > listBytes) listBytes = frame.payload.length;
    }));
    await page.goto(url);
    await page.getByRole('grid', { name: 'Cues' }).getByRole('row').nth(5).waitFor();
    runs.push(await page.evaluate(() => performance.now()));
    result.listBytes = listBytes;
    if (run === 2) {
      // Typing a filter: from the last key to the count showing the filtered result.
      const filter = page.getByLabel('Filter cues', { exact: true });
      const count = page.getByText(/ of 10,000 cues$/);
      const times: number[] = [];
      for (const word of ['Line 99', 'sync', 'robin', 'C777', 'Line 1234:']) {
        await filter.fill('');
        await page.getByText('10,000 of 10,000 cues').waitFor();
        const t = performance.now();
        await filter.fill(word);
        await page.waitForFunction(() => !(globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes('10,000 of 10,000 cues'));
        times.push(performance.now() - t);
        result.lastCount = await count.textContent();
      }
      result.filterTypingMs = times.map((t) => +t.toFixed(1));
    }
    await page.close();
  }
  result.firstPaintMs = runs.map((t) => +t.toFixed(0));
  result.cues = COUNT;
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
console.log(JSON.stringify({ spottingView10k: result }));
