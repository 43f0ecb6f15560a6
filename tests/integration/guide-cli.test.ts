/**
 * `loopstage guide add|list` through the real binary, with files made by sox and ffmpeg: a guide is
 * copied into the project and placed at its bext timestamp or a typed timecode; files it cannot
 * place or play are refused with a sentence, and nothing is copied.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopstage } from '../support/cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-guide-'));
const project = path.join(work, 'P');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sox(args: string[]): void {
  execFileSync('sox', args);
}

beforeAll(() => {
  expect(loopstage(['project', 'create', project, '--rate', '25', '--sample-rate', '48000']).code).toBe(0);
  sox(['-n', '-r', '48000', '-c', '2', '-b', '24', path.join(work, 'plain.wav'), 'synth', '2', 'sine', '440']);
  // A BWF stamped at 01:00:02:00 (172,896,000 samples since midnight at 48 kHz).
  execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(work, 'plain.wav'), '-c:a', 'pcm_s24le', '-write_bext', '1', '-metadata', 'time_reference=172896000', path.join(work, 'stamped.wav')]);
  sox(['-n', '-r', '44100', '-c', '1', path.join(work, 'cd-rate.wav'), 'synth', '1', 'sine', '440']);
  writeFileSync(path.join(work, 'notes.wav'), 'this is not audio');
});

const guideFiles = () => (existsSync(path.join(project, 'guide')) ? readdirSync(path.join(project, 'guide')).sort() : []);

describe('loopstage guide', () => {
  it('places a BWF at its bext timestamp and copies it into the project', () => {
    const added = loopstage(['guide', 'add', '--project', project, path.join(work, 'stamped.wav'), '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ path: 'guide/stamped.wav', start: 172_896_000, startTimecode: '01:00:02:00', length: 96_000, channels: 2, sampleRate: 48000, enabled: true });
    expect(guideFiles()).toEqual(['stamped.wav']);
  });

  it('places a plain WAV at a typed timecode, and never over a guide already there', () => {
    const first = loopstage(['guide', 'add', '--project', project, path.join(work, 'plain.wav'), '--at', '01:00:10:00', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ path: 'guide/plain.wav', start: 172_800_000 + 10 * 48_000 });
    const again = loopstage(['guide', 'add', '--project', project, path.join(work, 'plain.wav'), '--at', '01:00:20:00', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).path).not.toBe('guide/plain.wav');
    const listed = JSON.parse(loopstage(['guide', 'list', '--project', project, '--json']).stdout) as Array<{ path: string }>;
    expect(listed.map((g) => g.path).sort()).toEqual(guideFiles().map((name) => `guide/${name}`));
    expect(listed).toHaveLength(3);
  });

  it('refuses what it cannot place or play, with a sentence and a code, and copies nothing', () => {
    const before = guideFiles();
    const cases: Array<[string[], string, RegExp]> = [
      [[path.join(work, 'plain.wav')], 'GUIDE_NO_PLACE', /no timestamp.*--at/],
      [[path.join(work, 'cd-rate.wav'), '--at', '01:00:00:00'], 'GUIDE_RATE_MISMATCH', /44100 Hz.*48000 Hz.*sox/],
      [[path.join(work, 'notes.wav'), '--at', '01:00:00:00'], 'PLACED_AUDIO_FORMAT', /not a WAV file/],
      [[path.join(work, 'missing.wav'), '--at', '01:00:00:00'], 'PLACED_AUDIO_MISSING', /not there/],
    ];
    for (const [args, code, sentence] of cases) {
      const run = loopstage(['guide', 'add', '--project', project, ...args, '--json']);
      expect(run.code, run.stderr).toBe(1);
      expect(JSON.parse(run.stdout).error.code).toBe(code);
      expect(run.stderr).toMatch(sentence);
    }
    const badAt = loopstage(['guide', 'add', '--project', project, path.join(work, 'plain.wav'), '--at', 'soon']);
    expect(badAt.code).toBe(2);
    expect(guideFiles()).toEqual(before);
  });
});
