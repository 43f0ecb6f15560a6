/**
 * Cue database figures (issue 3 targets): importing 10,000 cues from CSV (≤ 300 ms), filter and
 * search p95 over 10,000 cues (≤ 10 ms), and undo of that import. Real SQLite project files, the
 * same CueService the UI and CLI use. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { CueIndex, type CueFilter } from '../../src/core/cues/filter.js';
import { framesToLabel, parseFrameRate } from '../../src/core/time/index.js';
import { openCueSession } from '../../src/host/cue-session.js';

const COUNT = 10_000;
const rate = parseFrameRate('24');
const characters = ['Robin', 'Marian', 'Guy', 'John', 'Much', 'Will', 'Tuck', 'Sheriff', 'Bess', 'Dickon'];
const words = 'arrow forest king castle horse sword silver gold bridge river tavern crown rope bow quiver night morning guard gate tower'.split(' ');

function csv(): string {
  const lines = ['Cue,Character,Reel,TC In,TC Out,Dialogue,Reason,Notes,Status'];
  for (let i = 0; i < COUNT; i++) {
    const character = characters[i % characters.length]!;
    const startFrame = 86_400 + i * 30; // from 01:00:00:00, a cue every 1.25 s
    const line = Array.from({ length: 8 + (i % 9) }, (_, w) => words[(i * 7 + w * 3) % words.length]).join(' ');
    lines.push(`${character[0]}${1 + Math.floor(i / 1000)}${String(i % 1000).padStart(3, '0')}-${i},${character},Reel ${1 + Math.floor(i / 2000)},${framesToLabel(startFrame, rate)},${framesToLabel(startFrame + 48, rate)},"${line}",${i % 5 === 0 ? 'Noise' : ''},${i % 11 === 0 ? 'check sync' : ''},${i % 4 === 0 ? 'done' : 'to do'}`);
  }
  return `${lines.join('\n')}\n`;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const text = csv();
const runs: { readAndPlanMs: number; applyMs: number; totalMs: number; undoMs: number }[] = [];
let filterFigures: Record<string, number> = {};
for (let run = 0; run < 3; run++) {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'loopstage-bench-cues-')), 'p');
  const handle = await new SqliteProjectStore().create(dir, { title: 'Bench', frameRate: '24', sampleRate: 48000, start: 172_800_000 }, new Date());
  await handle.close();
  const session = await openCueSession(dir);
  const t0 = performance.now();
  const preview = await session.service.previewImport({ fileName: 'bench.csv', text });
  const t1 = performance.now();
  if (!preview.plan.canApply || preview.plan.creates.length !== COUNT) throw new Error(`bench import plan is wrong: ${JSON.stringify(preview.plan.issues.slice(0, 3))}`);
  await session.service.applyImport(preview.id);
  const t2 = performance.now();
  if (run === 0) {
    // Filter and search over the 10,000 stored cues, as the spotting view does.
    const cues = session.service.list();
    const index = new CueIndex(cues);
    const filters: CueFilter[] = [];
    for (let i = 0; i < 200; i++) {
      filters.push((<CueFilter[]>[
        { search: words[i % words.length]! },
        { character: characters[i % characters.length]! },
        { kind: 'adr', status: 'done' },
        { search: `${words[i % words.length]} ${words[(i + 3) % words.length]}`, character: characters[(i + 1) % characters.length]! },
        { reel: `Reel ${1 + (i % 5)}`, search: 'sync' },
      ])[i % 5]!);
    }
    const times: number[] = [];
    let matched = 0;
    for (const filter of filters) {
      const s = performance.now();
      matched += index.filter(filter).length;
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const s = performance.now();
    new CueIndex(cues);
    filterFigures = { queries: filters.length, p50Ms: +quantile(times, 0.5).toFixed(3), p95Ms: +quantile(times, 0.95).toFixed(3), maxMs: +times.at(-1)!.toFixed(3), averageMatches: Math.round(matched / filters.length), indexBuildMs: +(performance.now() - s).toFixed(2) };
  }
  const t3 = performance.now();
  await session.service.undo();
  const undoMs = performance.now() - t3;
  runs.push({ readAndPlanMs: +(t1 - t0).toFixed(1), applyMs: +(t2 - t1).toFixed(1), totalMs: +(t2 - t0).toFixed(1), undoMs: +undoMs.toFixed(1) });
  await session.close();
  rmSync(path.dirname(dir), { recursive: true, force: true });
}
const best = [...runs].sort((a, b) => a.totalMs - b.totalMs)[0]!;
console.log(JSON.stringify({
  import10kCsv: { cues: COUNT, csvBytes: text.length, runs, bestTotalMs: best.totalMs, targetMs: 300 },
  filterSearch10k: { ...filterFigures, targetP95Ms: 10 },
}));
