/**
 * The take writer on this disk: how fast it can write (1 GiB of 8-channel 96 kHz 24-bit audio as
 * fast as it goes, flushing every 200 ms) and what a write() call and a flush cost meanwhile.
 * Prints one JSON line. (Moved out of the tests: speed belongs in benchmarks.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TakeWriter, type FlushResult } from '../../src/adapters/files/take-writer.js';
import { codingHistoryLine, type TakeFormat } from '../../src/core/bwf/bext.js';
import { FRAME_RATES } from '../../src/core/time/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'loopstage-bench-take-'));
const file = path.join(dir, 'throughput.wav');
const format: TakeFormat = { sampleRate: 96_000, channels: 8, bitsPerSample: 24 };
const tracks = ['1', '2', '3', '4', '5', '6', '7', '8'];
const flushes: FlushResult[] = [];
const writer = await TakeWriter.create(file, {
  format,
  bext: { description: 'bench', originator: 'Loopstage 0.1', originatorReference: 'LSBENCH', originationDate: '2026-11-21', originationTime: '10:30:00', timeReference: 0, codingHistory: codingHistoryLine(format, 'Loopstage 0.1') },
  ixmlMeta: {
    project: 'Bench', scene: '1', take: 1, tape: 'BENCH', circled: false, alternate: false, noGood: false, falseStart: false, rating: null, note: '',
    frameRate: FRAME_RATES['24'], sampleRate: format.sampleRate, bitsPerSample: format.bitsPerSample, timestamp: 0, tracks,
    cue: { number: 'B1', character: 'Bench', line: '' }, fileName: 'throughput.wav',
  },
  onFlush: (f) => flushes.push(f),
  flushIntervalMs: 200,
});
const block = Buffer.alloc(2400 * 8 * 3, 0x5a); // 25 ms at 96 kHz, 8 channels
const total = 1024 * 1024 * 1024;
let slowestWrite = 0;
const started = performance.now();
for (let i = 0; i < Math.ceil(total / block.length); i++) {
  const t = performance.now();
  writer.write(block);
  slowestWrite = Math.max(slowestWrite, performance.now() - t);
  if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  while (writer.stats.queuedBytes > 64 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 1));
}
const info = await writer.close();
const seconds = (performance.now() - started) / 1000;
rmSync(dir, { recursive: true, force: true });
const costs = flushes.map((f) => f.ms).sort((a, b) => a - b);
const mbps = info.dataBytes / 1e6 / seconds;
console.log(JSON.stringify({
  takeWriter: {
    megabytes: Math.round(info.dataBytes / 1e6),
    seconds: +seconds.toFixed(2),
    megabytesPerSecond: Math.round(mbps),
    timesRealTimeFor8ch96k24: Math.round(mbps / ((96_000 * 8 * 3) / 1e6)),
    slowestWriteCallMs: +slowestWrite.toFixed(2),
    flushes: flushes.length,
    flushMsMedian: +(costs[Math.floor(costs.length / 2)] ?? NaN).toFixed(1),
    flushMsMax: +(costs.at(-1) ?? NaN).toFixed(1),
  },
}));
