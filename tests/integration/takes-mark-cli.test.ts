/**
 * `loopstage takes mark` and `loopstage log` through the real binary. The takes are real Broadcast
 * WAVs written by the take writer and filed in a real project; the marks are read back from the
 * files by exiftool (iXML) and the audio by sox, which must decode the same samples before and
 * after: the metadata is rewritten in place, the audio bytes never.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { TakeWriter } from '../../src/adapters/files/take-writer.js';
import { codingHistoryLine } from '../../src/core/bwf/bext.js';
import { FRAME_RATES } from '../../src/core/time/index.js';
import type { TakeRecord } from '../../src/engine/ports/take-store.js';
import { loopstage } from '../support/cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-marks-'));
const project = path.join(work, 'P');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SAMPLE_RATE = 48_000;
const takes: Record<string, TakeRecord> = {};

/** Files a complete take of `cue` with a real BWF of `frames` frames of a ramp, as the recorder would. */
async function fileTake(handle: Awaited<ReturnType<SqliteProjectStore['open']>>, cueId: number, cue: string, number: number, frames: number): Promise<TakeRecord> {
  const name = `${cue}_ROBIN_T${String(number).padStart(2, '0')}.wav`;
  const start = 172_800_000 + number * SAMPLE_RATE;
  const row = await handle.takes.begin({
    cueId, passId: null, number, path: `takes/${name}`, channels: 2, channelNames: ['boom', 'lav'], inputChannels: [0, 1], sampleRate: SAMPLE_RATE,
    bitsPerSample: 24, float: false, start, latency: 0, latencySource: 'measured', inputDevice: 'rig', outputDevice: 'rig', createdAt: new Date().toISOString(),
  });
  const format = { sampleRate: SAMPLE_RATE, channels: 2, bitsPerSample: 24 as const };
  const writer = await TakeWriter.create(path.join(project, row.path), {
    format,
    bext: { description: `${cue} T${number}`, originator: 'Loopstage', originatorReference: `LS${row.id}`, originationDate: '2026-12-04', originationTime: '10:00:00', timeReference: start, codingHistory: codingHistoryLine(format, 'Loopstage') },
    ixmlMeta: {
      project: 'Marks', scene: '12', take: number, tape: 'DAY01', circled: false, alternate: false, noGood: false, falseStart: false, rating: null, note: '',
      frameRate: FRAME_RATES['25'], sampleRate: SAMPLE_RATE, bitsPerSample: 24, timestamp: start, tracks: ['boom', 'lav'],
      cue: { number: cue, character: 'ROBIN', line: 'Who goes there?' }, fileName: name,
    },
  });
  const bytes = Buffer.alloc(frames * 6);
  for (let i = 0; i < frames * 2; i++) bytes.writeIntLE(((i * 7919 + number * 104_729) % 16_000_000) - 8_000_000, i * 3, 3);
  writer.write(bytes);
  await writer.close();
  return handle.takes.finish(row.id, { status: 'complete', length: frames, completedAt: new Date().toISOString() });
}

beforeAll(async () => {
  expect(loopstage(['project', 'create', project, '--rate', '25', '--sample-rate', String(SAMPLE_RATE), '--start', '01:00:00:00']).code).toBe(0);
  const csv = path.join(work, 'cues.csv');
  writeFileSync(csv, 'Cue,Character,TC In,TC Out,Dialogue\nR101,ROBIN,01:00:01:00,01:00:03:00,Who goes there?\nR102,ROBIN,01:00:05:00,01:00:07:00,Stand fast.\n');
  const imported = loopstage(['import', csv, '--project', project]);
  expect(imported.code, imported.stderr).toBe(0);
  const handle = await new SqliteProjectStore().open(project);
  try {
    const cues = await handle.cues.listCues();
    const id = (number: string) => cues.find((c) => c.number === number)!.id;
    for (const n of [1, 2, 3]) takes[`R101:${n}`] = await fileTake(handle, id('R101'), 'R101', n, 24_000 + n * 1000);
    takes['R102:1'] = await fileTake(handle, id('R102'), 'R102', 1, 12_000);
    // A take that never started: no file, aborted.
    const never = await handle.takes.begin({ ...takes['R102:1'], cueId: id('R102'), passId: null, number: 2, path: 'takes/R102_ROBIN_T02.wav', createdAt: new Date().toISOString() });
    takes['R102:2'] = await handle.takes.finish(never.id, { status: 'aborted', length: 0, completedAt: new Date().toISOString(), problem: 'The take could not start.' });
  } finally {
    await handle.close();
  }
}, 60_000);

function fileOf(key: string): string {
  return path.join(project, takes[key]!.path);
}

/** iXML marks as exiftool reads them. */
function ixml(key: string): { circled: boolean; noGood: boolean; falseStart: boolean | undefined; note: string } {
  const run = spawnSync('exiftool', ['-j', '-a', '-G1', '-n', fileOf(key)], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const tags = (JSON.parse(run.stdout) as Array<Record<string, unknown>>)[0]!;
  const note = tags['XML:BwfxmlNote'];
  return {
    circled: tags['XML:BwfxmlCircled'] === true || tags['XML:BwfxmlCircled'] === 'TRUE',
    noGood: tags['XML:BwfxmlNoGood'] === true || tags['XML:BwfxmlNoGood'] === 'TRUE',
    falseStart: tags['XML:BwfxmlFalseStart'] === undefined ? undefined : tags['XML:BwfxmlFalseStart'] === true || tags['XML:BwfxmlFalseStart'] === 'TRUE',
    note: note === undefined ? '' : String(note),
  };
}

/** The decoded samples' hash, by sox: an independent reading of the audio. */
function audioHash(key: string): string {
  const run = spawnSync('sox', [fileOf(key), '-t', 's32', '-'], { maxBuffer: 1 << 26 });
  expect(run.status, run.stderr?.toString()).toBe(0);
  expect(run.stdout.length).toBeGreaterThan(0);
  return createHash('sha256').update(run.stdout).digest('hex');
}

function listed(): Array<TakeRecord & { cue: string }> {
  const run = loopstage(['takes', 'list', '--project', project, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Array<TakeRecord & { cue: string }>;
}

function mark(args: string[]) {
  return loopstage(['takes', 'mark', '--project', project, ...args, '--who', 'Sam']);
}

describe('loopstage takes mark', () => {
  it('circles, rates and notes a take in the project and in its iXML; circling another uncircles it; the audio is untouched', () => {
    const hashes = Object.fromEntries(['R101:1', 'R101:2', 'R101:3'].map((k) => [k, audioHash(k)]));
    expect(ixml('R101:2')).toEqual({ circled: false, noGood: false, falseStart: false, note: '' });

    const first = mark(['R101:1', '--circle', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ take: { number: 1, circled: true, cue: 'R101' }, others: [] });

    const second = mark([path.basename(fileOf('R101:2')), '--circle', '--rating', '4', '--note', 'Best read — “there” a touch late', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout) as { take: TakeRecord; others: TakeRecord[] };
    expect(result.take).toMatchObject({ number: 2, circled: true, rating: 4, note: 'Best read — “there” a touch late' });
    expect(result.others.map((t) => [t.number, t.circled])).toEqual([[1, false]]);

    const alt = mark([`#${takes['R101:3']!.id}`, '--alt']);
    expect(alt.code, alt.stderr).toBe(0);
    expect(alt.stdout).toMatch(/R101 take 3: alternate/);

    expect(listed().filter((t) => t.cue === 'R101').map((t) => [t.number, t.circled, t.alternate, t.rating, t.note])).toEqual([
      [1, false, false, null, ''],
      [2, true, false, 4, 'Best read — “there” a touch late'],
      [3, false, true, null, ''],
    ]);
    expect(ixml('R101:1')).toMatchObject({ circled: false });
    expect(ixml('R101:2')).toEqual({ circled: true, noGood: false, falseStart: false, note: 'Best read — “there” a touch late' });
    expect(ixml('R101:3')).toMatchObject({ circled: false });
    for (const [key, hash] of Object.entries(hashes)) expect(audioHash(key), key).toBe(hash);
  });

  it('marks NG and false start (each uncircling), and clears them again', () => {
    expect(mark(['R101:2', '--ng']).code).toBe(0);
    expect(ixml('R101:2')).toMatchObject({ circled: false, noGood: true });
    expect(mark(['R101:2', '--no-ng', '--false-start']).code).toBe(0);
    expect(ixml('R101:2')).toMatchObject({ noGood: false, falseStart: true });
    expect(mark(['r101:2', '--no-false-start', '--circle']).code).toBe(0);
    expect(ixml('R101:2')).toMatchObject({ circled: true, noGood: false, falseStart: false });
    expect(listed().find((t) => t.id === takes['R101:2']!.id)).toMatchObject({ circled: true, noGood: false, falseStart: false, rating: 4 });
  });

  it('keeps a note on an aborted take that has no file, but will not circle it', () => {
    expect(mark(['R102:2', '--note', 'phone rang']).code).toBe(0);
    const circle = mark(['R102:2', '--circle', '--json']);
    expect(circle.code).toBe(1);
    expect(JSON.parse(circle.stdout).error.code).toBe('TAKE_NOT_USABLE');
    expect(circle.stderr).toMatch(/holds no audio/);
  });

  it('refuses what it cannot do with a sentence and a code, and changes neither the project nor the files', () => {
    const before = listed();
    const files = Object.fromEntries(['R101:1', 'R101:2', 'R102:1'].map((k) => [k, readFileSync(fileOf(k))]));
    // Too long for the room kept for iXML in the file: refused whole, the database untouched.
    const long = mark(['R102:1', '--circle', '--note', 'n'.repeat(9000), '--json']);
    expect(long.code).toBe(1);
    expect(JSON.parse(long.stdout).error.code).toBe('IXML_NO_ROOM');
    expect(long.stderr).toMatch(/shorten the note/);
    // A take whose file has gone: refused, nothing changed (R101's circle stays on take 2).
    renameSync(fileOf('R101:1'), `${fileOf('R101:1')}.away`);
    const missing = mark(['R101:1', '--circle', '--json']);
    renameSync(`${fileOf('R101:1')}.away`, fileOf('R101:1'));
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('TAKE_FILE_MISSING');
    for (const [args, code] of [
      [['R999:1', '--circle'], 'TAKE_NOT_FOUND'],
      [['R101:9', '--circle'], 'TAKE_NOT_FOUND'],
      [['#9999', '--circle'], 'TAKE_NOT_FOUND'],
      [['nowhere.wav', '--circle'], 'TAKE_NOT_FOUND'],
    ] as const) {
      const run = mark([...args, '--json']);
      expect(run.code, args.join(' ')).toBe(1);
      expect(JSON.parse(run.stdout).error.code).toBe(code);
      expect(run.stderr).toMatch(/takes list/);
    }
    for (const args of [['R101:1'], ['R101:1', '--circle', '--uncircle'], ['R101:1', '--rating', '7'], ['R101:1', '--rating', '3', '--no-rating'], ['--circle'], ['R101:1', 'R101:2', '--circle']]) {
      const run = mark(args);
      expect(run.code, args.join(' ')).toBe(2);
    }
    const contradiction = mark(['R101:1', '--circle', '--ng', '--json']);
    expect(contradiction.code).toBe(1);
    expect(JSON.parse(contradiction.stdout).error.code).toBe('TAKE_MARK_INVALID');
    expect(listed()).toEqual(before);
    for (const [key, bytes] of Object.entries(files)) expect(readFileSync(fileOf(key)).equals(bytes), key).toBe(true);
  });
});

describe('loopstage log', () => {
  it('shows every mark with its time and who, and exports the log as CSV', () => {
    const json = loopstage(['log', '--project', project, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const entries = JSON.parse(json.stdout) as Array<{ at: string; who: string; action: string; text: string; takeId: number | null; data: Record<string, unknown> }>;
    const marks = entries.filter((e) => e.action === 'take.marked');
    expect(marks.every((e) => e.who === 'Sam' && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(marks.map((e) => e.text)).toEqual(expect.arrayContaining([
      'R101 T01: circled',
      'R101 T02: circled, 4 stars, note “Best read — “there” a touch late”',
      'R101 T01: uncircled',
      'R101 T03: alternate',
      'R101 T02: uncircled, NG',
      'R102 T02: note “phone rang”',
    ]));
    expect(marks.find((e) => e.text === 'R101 T01: uncircled')!.takeId).toBe(takes['R101:1']!.id);
    // Refused marks wrote nothing.
    expect(marks.some((e) => e.text.includes('nnnn'))).toBe(false);

    const last = JSON.parse(loopstage(['log', '--project', project, '--last', '2', '--json']).stdout) as typeof entries;
    expect(last).toEqual(entries.slice(-2));
    const text = loopstage(['log', '--project', project]);
    expect(text.stdout).toMatch(/Sam: R101 T03: alternate/);

    const csvFile = path.join(work, 'log.csv');
    const exported = loopstage(['log', '--project', project, '--csv', csvFile]);
    expect(exported.code, exported.stderr).toBe(0);
    const parsed = Papa.parse<string[]>(readFileSync(csvFile, 'utf8').replace(/^\ufeff/, ''), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data[0]).toEqual(['Time (UTC)', 'Stage', 'Who', 'Action', 'What', 'Cue id', 'Pass id', 'Take id', 'Data']);
    expect(parsed.data.slice(1).map((row) => row[4])).toEqual(entries.map((e) => e.text));
    const before = readFileSync(csvFile);
    const again = loopstage(['log', '--project', project, '--csv', csvFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists.*--force/);
    expect(readFileSync(csvFile).equals(before)).toBe(true);
    expect(loopstage(['log', '--project', project, '--csv', csvFile, '--json']).code).toBe(2);
    expect(existsSync(csvFile)).toBe(true);
    expect(loopstage(['log', '--project', project, '--last', '0']).code).toBe(2);
  });
});
