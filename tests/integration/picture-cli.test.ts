/**
 * `loopstage picture add|list` and `loopstage synclog` through the real binary, with real ffprobe
 * and ffmpeg and pictures made by ffmpeg here: a playable H.264 file is linked in as it is; ProRes,
 * interlaced, variable-rate and long-GOP pictures get a constant-rate, short-GOP H.264 proxy with
 * exactly the original's frames; cues the picture holds are given it; a picture at the wrong rate,
 * a file that is not a picture, a missing ffmpeg and a cancel are refused with a sentence and a code,
 * leaving nothing behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { BIN, loopstage } from '../support/cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-picture-'));
const project = path.join(work, 'P');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const media = (name: string) => path.join(work, name);
function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
}
const source = (seconds: number, rate = 25, size = '320x180') => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-t', String(seconds)];

function probe(file: string): { codec_name: string; pix_fmt: string; nb_frames: string; r_frame_rate: string; field_order?: string } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,pix_fmt,nb_frames,r_frame_rate,field_order', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(out).streams[0];
}

/** Seconds between keyframes, from packet flags. */
function keyframeGaps(file: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const keys = out.trim().split('\n').filter((l) => l.split(',')[1]?.includes('K')).map((l) => Number(l.split(',')[0])).sort((a, b) => a - b);
  return keys.slice(1).map((k, i) => k - keys[i]!);
}

const pictureFiles = () => (existsSync(path.join(project, 'picture')) ? readdirSync(path.join(project, 'picture')).sort() : []);

beforeAll(() => {
  expect(loopstage(['project', 'create', project, '--rate', '25', '--sample-rate', '48000', '--start', '10:00:00:00']).code).toBe(0);
  writeFileSync(
    media('cues.csv'),
    'Cue,Character,TC In,TC Out,Dialogue\nA1,ANNA,10:00:01:00,10:00:02:00,One\nA2,ANNA,10:00:05:00,10:00:06:00,Two\nA3,ANNA,11:00:00:00,11:00:01:00,Far away\n',
  );
  expect(loopstage(['import', media('cues.csv'), '--project', project, '--kind', 'adr']).code).toBe(0);
  // Playable: H.264 4:2:0 in MP4, a keyframe every half second, timecode track, and sound.
  ffmpeg([...source(8), '-f', 'lavfi', '-i', 'sine=f=440:r=44100', '-t', '8', '-timecode', '10:00:00:00', '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', '-c:a', 'aac', media('playable.mp4')]);
  ffmpeg([...source(3), '-timecode', '10:00:00:00', '-c:v', 'prores_ks', '-profile:v', '2', '-pix_fmt', 'yuv422p10le', media('graded.mov')]);
  ffmpeg([...source(2), '-vf', 'setfield=tff', '-flags', '+ildct+ilme', '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', media('interlaced.mp4')]);
  ffmpeg([...source(3), '-c:v', 'libx264', '-g', '250', '-pix_fmt', 'yuv420p', media('long-gop.mp4')]);
  // Variable rate: every third frame dropped, the rest keep their times.
  ffmpeg([...source(3), '-vf', "select='not(eq(mod(n\\,3)\\,1))'", '-vsync', 'vfr', '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', media('vfr.mp4')]);
  ffmpeg([...source(2, 24), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', media('film-rate.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=f=440:r=48000', '-t', '1', media('sound.wav')]);
  writeFileSync(media('notes.mov'), 'not a picture');
}, 120_000);

describe('loopstage picture add', () => {
  it('links a playable picture in as it is, at its timecode, gives it its cues, and takes its sound as a guide', () => {
    const run = loopstage(['picture', 'add', '--project', project, media('playable.mp4'), '--guide', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const added = JSON.parse(run.stdout);
    expect(added.picture).toMatchObject({
      path: 'picture/playable.mp4', start: 36_000 * 48_000, startTimecode: '10:00:00:00', startSource: 'timecode-track',
      frameRate: '25', frames: 200, width: 320, height: 180, codec: 'h264', proxyReasons: [],
    });
    expect(added.picture.end).toBe(added.picture.start + 8 * 48_000);
    expect(added.assignedCues).toBe(2); // A1 and A2; A3 is outside the picture
    expect(statSync(media('playable.mp4')).ino).toBe(statSync(path.join(project, 'picture', 'playable.mp4')).ino);
    // The sound at the project rate, as a BWF placed at the picture's start.
    expect(added.guide).toMatchObject({ start: 36_000 * 48_000, sampleRate: 48_000, channels: 1 });
    const tags = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags=time_reference', '-of', 'json', path.join(project, added.guide.path)], { encoding: 'utf8' }));
    expect(Number(tags.format.tags.time_reference)).toBe(36_000 * 48_000);
  });

  it('proxies ProRes with progress, to H.264 4:2:0 at the same rate with the same frames and short GOPs', () => {
    const run = loopstage(['picture', 'add', '--project', project, media('graded.mov'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Making a playable copy: 0%[\s\S]*Making a playable copy: 100%/);
    const { picture, proxyWhy } = JSON.parse(run.stdout);
    expect(picture).toMatchObject({ path: 'picture/graded.proxy.mp4', codec: 'h264', sourceCodec: 'prores', proxyReasons: ['codec', 'pixel-format'], frames: 75 });
    expect(proxyWhy.join(' ')).toMatch(/cannot decode prores.*not 8-bit 4:2:0/);
    const file = path.join(project, picture.path);
    expect(probe(file)).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', nb_frames: '75', r_frame_rate: '25/1' });
    expect(Math.max(...keyframeGaps(file))).toBeLessThanOrEqual(0.52);
  });

  it('proxies interlaced, variable-rate and long-GOP pictures, each for its reason', () => {
    const cases: Array<[string, string, number]> = [['interlaced.mp4', 'interlaced', 50], ['vfr.mp4', 'variable-frame-rate', 75], ['long-gop.mp4', 'long-gop', 75]];
    for (const [name, reason, frames] of cases) {
      const run = loopstage(['picture', 'add', '--project', project, media(name), '--start', '10:00:00:00', '--json']);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      const { picture } = JSON.parse(run.stdout);
      expect(picture.proxyReasons, name).toEqual([reason]);
      expect(Math.abs(picture.frames - frames), name).toBeLessThanOrEqual(reason === 'variable-frame-rate' ? 1 : 0);
      const file = path.join(project, picture.path);
      const played = probe(file);
      expect(played.field_order ?? 'progressive', name).toBe('progressive');
      expect(Number(played.nb_frames), name).toBe(picture.frames);
      expect(Math.max(...keyframeGaps(file)), name).toBeLessThanOrEqual(0.52);
    }
  });

  it('places a picture without timecode at the project start and says so; --start moves it', () => {
    const run = loopstage(['picture', 'add', '--project', project, media('long-gop.mp4'), '--name', 'No TC']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/from 10:00:00:00 \(project-start\)[\s\S]*no timecode/);
    const typed = JSON.parse(loopstage(['picture', 'add', '--project', project, media('long-gop.mp4'), '--start', '10:00:30:00', '--json']).stdout);
    expect(typed.picture).toMatchObject({ startSource: 'typed', startTimecode: '10:00:30:00' });
    expect(typed.picture.path).not.toBe('picture/long-gop.proxy.mp4'); // never over the earlier proxy
  });

  it('refuses what it cannot use, with a sentence and a code, and leaves nothing behind', () => {
    const before = pictureFiles();
    const cases: Array<[string[], Record<string, string>, string, RegExp]> = [
      [[media('film-rate.mp4')], {}, 'PICTURE_RATE_MISMATCH', /runs at 24 fps and the project at 25/],
      [[media('sound.wav')], {}, 'PICTURE_NO_VIDEO', /no picture/],
      [[media('notes.mov')], {}, 'PICTURE_UNREADABLE', /not a picture file/],
      [[media('missing.mp4')], {}, 'PICTURE_NOT_FOUND', /no file/],
      [[media('graded.mov'), '--guide'], {}, 'PICTURE_NO_AUDIO', /no sound/],
      [[media('graded.mov')], { LOOPSTAGE_FFMPEG: '/nowhere/ffmpeg' }, 'PICTURE_FFMPEG_MISSING', /apt install ffmpeg/],
    ];
    for (const [args, env, code, sentence] of cases) {
      const run = loopstage(['picture', 'add', '--project', project, ...args, '--json'], { env });
      expect(run.code, `${code}: ${run.stderr}`).toBe(1);
      expect(JSON.parse(run.stdout).error.code).toBe(code);
      expect(run.stderr).toMatch(sentence);
    }
    expect(loopstage(['picture', 'add', '--project', project, media('graded.mov'), '--start', 'soon']).code).toBe(2);
    expect(pictureFiles()).toEqual(before);
  });

  it('cancels a proxy on Ctrl-C, keeping neither the file nor a row', async () => {
    ffmpeg([...source(25, 25, '640x360'), '-c:v', 'prores_ks', '-profile:v', '0', media('long.mov')]);
    const before = pictureFiles();
    const child = spawn(process.execPath, [BIN, 'picture', 'add', '--project', project, media('long.mov'), '--json']);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const lines = createInterface({ input: child.stderr });
    const progressed = new Promise<void>((resolve) => lines.on('line', (line) => /playable copy: [1-9]\d*%/.test(line) && resolve()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await progressed;
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(JSON.parse(stdout).error.code).toBe('PICTURE_PROXY_CANCELLED');
    expect(pictureFiles()).toEqual(before);
    const listed = JSON.parse(loopstage(['picture', 'list', '--project', project, '--json']).stdout) as Array<{ sourcePath: string }>;
    expect(listed.some((p) => p.sourcePath === media('long.mov'))).toBe(false);
  });

  it('lists the pictures with the cues each holds', () => {
    const listed = JSON.parse(loopstage(['picture', 'list', '--project', project, '--json']).stdout) as Array<{ name: string; cues: number; path: string }>;
    expect(listed.map((p) => p.path)).toEqual(expect.arrayContaining(['picture/playable.mp4', 'picture/graded.proxy.mp4']));
    expect(listed.find((p) => p.path === 'picture/playable.mp4')!.cues).toBe(2);
    expect(listed.map((p) => p.path).sort()).toEqual(pictureFiles().map((f) => `picture/${f}`));
  });
});

describe('loopstage synclog', () => {
  it('says when there is none, then prints the last roll with its figures', async () => {
    const none = loopstage(['synclog', '--project', project, '--last', '--json']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout).error.code).toBe('SYNC_LOG_NOT_FOUND');
    const handle = await new SqliteProjectStore().open(project);
    try {
      const frames: Array<[number, number, number]> = [];
      for (let i = 0; i < 50; i++) frames.push([i * 40, 900_000 + i, 900_000 + i + (i < 3 ? 3 : 0)]);
      await handle.pictures.addSyncLog({ pictureId: 1, cueId: null, startedAt: '2026-11-22T10:00:00.000Z', screen: 'talent', frameRate: '25', displayOffsetMs: 20, frames });
    } finally {
      await handle.close();
    }
    const last = loopstage(['synclog', '--project', project, '--last', '--json']);
    expect(last.code, last.stderr).toBe(0);
    const log = JSON.parse(last.stdout);
    expect(log).toMatchObject({ id: 1, pictureId: 1, screen: 'talent', frameRate: '25', displayOffsetMs: 20 });
    expect(log.frames).toHaveLength(50);
    expect(log.stats).toEqual({ frames: 50, lockMs: 120, withinOneFramePercent: 100, worstError: 0, meanError: 0 });
    const text = loopstage(['synclog', '--project', project, '--last']);
    expect(text.stdout).toMatch(/locked after 120 ms; 100% within one frame/);
    expect(JSON.parse(loopstage(['synclog', '--project', project, '--json']).stdout)).toHaveLength(1);
  });
});
