/**
 * Bad input through the real `loopstage` binary: a corrupt project.db, a newer schema, an unknown
 * rate, an occupied port, a missing device. Each gets one clear sentence, a non-zero exit, and
 * nothing on disk changes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/adapters/sqlite/database.js';
import { loopstage } from '../support/cli.js';
import { startRig, type Rig } from '../support/rig.js';

let tmp: string;
let rig: Rig;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'loopstage-bad-'));
  rig = startRig(2, 48000);
});
afterAll(() => rig?.stop());

function folderFingerprint(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const file = path.join(entry.parentPath, entry.name);
        return [path.relative(dir, file), createHash('sha256').update(readFileSync(file)).digest('hex')];
      }),
  );
}

function expectOneSentence(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^loopstage( [a-z]+)?: \S.*[.;)]$/);
  expect(lines[0]).toMatch(pattern);
}

function makeProject(name: string): string {
  const dir = path.join(tmp, name);
  const created = loopstage(['project', 'create', dir, '--rate', '24', '--sample-rate', '48000', '--start', '01:00:00:00']);
  expect(created.code, created.stderr).toBe(0);
  return dir;
}

describe('bad input at the command line', () => {
  it('a corrupt project.db: serve and info refuse it untouched', () => {
    const dir = makeProject('corrupt');
    const db = path.join(dir, 'project.db');
    const bytes = readFileSync(db);
    bytes.fill(0x5a, 100, 4096); // scribble over the schema page
    writeFileSync(db, bytes);
    const before = folderFingerprint(dir);
    expectOneSentence(loopstage(['project', 'info', dir]), /damaged or is not a Loopstage project/);
    expectOneSentence(loopstage(['serve', '--project', dir, '--port', '0']), /damaged or is not a Loopstage project/);
    expect(folderFingerprint(dir)).toEqual(before);
  });

  it('a project from a newer Loopstage is refused untouched', async () => {
    const dir = makeProject('newer');
    const db = await Database.open(path.join(dir, 'project.db'), { mode: 'readwrite' });
    await db.exec('PRAGMA user_version = 99');
    await db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.close();
    const before = folderFingerprint(dir);
    expectOneSentence(loopstage(['serve', '--project', dir, '--port', '0']), /made by a newer Loopstage \(schema 99/);
    expectOneSentence(loopstage(['project', 'info', dir, '--json']), /newer Loopstage/);
    expect(folderFingerprint(dir)).toEqual(before);
  });

  it('an unknown rate', () => {
    const result = loopstage(['project', 'create', path.join(tmp, 'rate'), '--rate', '31']);
    expectOneSentence(result, /31/);
    expect(readdirSync(tmp)).not.toContain('rate');
    expectOneSentence(loopstage(['tc', '--rate', '29.97'], { input: '01:00:00;00\n' }), /29\.97df or 29\.97ndf|ambiguous/i);
  });

  it('an occupied port', async () => {
    const dir = makeProject('port');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      expectOneSentence(loopstage(['serve', '--project', dir, '--port', String(port)]), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('a missing audio device', async () => {
    const dir = makeProject('device');
    const result = loopstage(['serve', '--project', dir, '--port', '0', '--input', 'Studio Interface 8', '--output', 'Studio Interface 8'], { env: rig.env });
    expectOneSentence(result, /"Studio Interface 8" is not connected/);
    // The failed choice is not remembered: the project still opens on its previous audio setting.
    const db = await Database.open(path.join(dir, 'project.db'), { mode: 'readonly' });
    expect(await db.all("SELECT key FROM settings WHERE key = 'audio.selection'")).toEqual([]);
    await db.close();
  });
});

describe('loopstage calibrate', () => {
  it('says clearly when there is no interface, or the output does not reach the input', () => {
    const dir = makeProject('calibrate');
    expectOneSentence(loopstage(['calibrate', '--project', dir], { env: rig.env }), /software clock has no input or output to measure/);
    // `default` records rig_mic, a file of known content (written here), not what the output plays.
    writeFileSync(rig.micFile, Buffer.alloc(48000 * 8 * 30));
    expectOneSentence(loopstage(['calibrate', '--project', dir, '--input', 'default', '--output', 'default'], { env: rig.env }), /not heard on the input; check that the output is patched to the input/);
  });
});

describe('loopstage calibrate --channel and loopstage beeps', () => {
  it('refuses an input out of range, and beeps that cannot be played, saving nothing', () => {
    const dir = makeProject('beeps');
    const usage = (args: string[], pattern: RegExp) => {
      const result = loopstage(args);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(pattern);
    };
    usage(['calibrate', '--project', dir, '--channel', '0'], /--channel is an input from 1 to 64/);
    const before = loopstage(['beeps', '--project', dir, '--json']);
    expect(before.code, before.stderr).toBe(0);
    // At 25 fps a third of a second is no whole number of frames.
    expectOneSentence(loopstage(['beeps', '--project', dir, '--spacing', '0.3']), /whole number of frames/);
    expectOneSentence(loopstage(['beeps', '--project', dir, '--frames', '0']), /Beep length 0 frames is not usable/);
    expectOneSentence(loopstage(['beeps', '--project', dir, '--level', '+3']), /Beep level 3 dBFS is not usable/);
    usage(['beeps', '--project', dir, '--count', 'three'], /--count takes a number, not "three"/);
    expect(loopstage(['beeps', '--project', dir, '--json']).stdout).toBe(before.stdout);
    const set = loopstage(['beeps', '--project', dir, '--level', '-20', '--no-on-in']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^3 beeps of 1000 Hz, 1 frame long, 1 timecode s apart at -20 dBFS, the in point silent/);
  });
});

describe('loopstage devices', () => {
  it('lists the rig as audio devices, and says why there is no MIDI', () => {
    const result = loopstage(['devices', '--json'], { env: rig.env });
    expect(result.code, result.stderr).toBe(0);
    const list = JSON.parse(result.stdout) as { audio: { name: string; maxInputChannels: number }[]; midi: unknown[]; problems: string[]; softwareClock: string };
    expect(list.audio.map((d) => d.name)).toEqual(expect.arrayContaining(['rig_mic', 'rig_out', 'rig_loop', 'default']));
    expect(list.softwareClock).toBe('Loopstage software clock');
    if (list.midi.length === 0) expect(list.problems.join(' ')).toMatch(/MIDI/);
  });
});
