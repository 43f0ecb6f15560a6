import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tcCommand } from '../../src/cli/commands/tc.js';
import { FRAME_RATES, frameToPosition, framesPerDay } from '../../src/core/time/index.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `loopstage tc ARGS` with `input` on stdin, in memory. */
async function tc(args: string[], input: string | string[]): Promise<Run> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const running = tcCommand(args, { stdin, stdout, stderr, env: {}, cwd: '/' });
  if (typeof input === 'string') stdin.end(input);
  else {
    // Feed in pieces, as a pipe does.
    for (const piece of input) stdin.write(piece);
    stdin.end();
  }
  const code = await running;
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('loopstage tc', () => {
  it('converts timecode to timeline samples by default', async () => {
    const run = await tc(['--rate', '29.97df'], '00:00:00;00\n00:00:00;01\n01:00:00;00\n00:01:00;02\n');
    expect(run).toEqual({ code: 0, stdout: '0\n1602\n172799827\n2882880\n', stderr: '' });
  });

  it('converts between every pair of forms', async () => {
    expect((await tc(['--rate', '25', '--to', 'frames'], '01:00:00:00\n')).stdout).toBe('90000\n');
    expect((await tc(['--rate', '25', '--from', 'frames', '--to', 'tc'], '90000\n1\n')).stdout).toBe('01:00:00:00\n00:00:00:01\n');
    expect((await tc(['--rate', '23.976', '--from', 'samples', '--to', 'tc'], '2190940753\n')).stdout).toBe('12:39:59:00\n');
    expect((await tc(['--rate', '23.976', '--from', 'samples', '--to', 'frames', '--sample-rate', '96000'], '4004\n4003\n')).stdout).toBe('1\n0\n');
    expect((await tc(['--rate', '59.94df', '--from', 'frames', '--to', 'samples', '--sample-rate', '44100'], '3\n')).stdout).toBe('2207\n'); // 2207.205
    expect((await tc(['--rate', '30', '--from', 'tc', '--to', 'tc'], '12:34:56:29\n')).stdout).toBe('12:34:56:29\n');
  });

  it('prints one JSON object per line with --json', async () => {
    const run = await tc(['--rate', '29.97df', '--json'], '00:01:00.02\n');
    expect(run.code).toBe(0);
    expect(lines(run.stdout).map((l) => JSON.parse(l) as unknown)).toEqual([{ input: '00:01:00.02', tc: '00:01:00;02', frames: 1800, samples: 2882880 }]);
    const fromSamples = await tc(['--rate', '25', '--from', 'samples', '--json'], '48001\n');
    expect(JSON.parse(fromSamples.stdout)).toEqual({ input: '48001', tc: '00:00:01:00', frames: 25, samples: 48001 });
  });

  it('skips blank lines, trims spaces and accepts CRLF', async () => {
    const run = await tc(['--rate', '24', '--to', 'frames'], '\uFEFF00:00:01:00\r\n\r\n   \r\n  00:00:02:00  \r\n\n');
    expect(run).toEqual({ code: 0, stdout: '24\n48\n', stderr: '' });
  });

  it('reports bad lines with their line number, converts the rest, and exits 1', async () => {
    const input = ['00:00:01;00', '00:01:00;00', '', 'hello', '00:00:02:00', '24:00:00;00', '00:00:03;00'].join('\n');
    const run = await tc(['--rate', '29.97df', '--to', 'frames'], input);
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toEqual(['30', '90']);
    const errors = lines(run.stderr);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^loopstage tc: line 2: "00:01:00;00" does not exist in 29\.97df timecode/);
    expect(errors[1]).toMatch(/^loopstage tc: line 4: "hello" is not a timecode label/);
    expect(errors[2]).toMatch(/^loopstage tc: line 5: .*non-drop/);
    expect(errors[3]).toMatch(/^loopstage tc: line 6: .*hours is 24/);
  });

  it('puts errors in the JSON stream too', async () => {
    const run = await tc(['--rate', '25', '--from', 'samples', '--json'], '12\n-5\n4147200000\n');
    expect(run.code).toBe(1);
    const objects = lines(run.stdout).map((l) => JSON.parse(l) as { input: string; error?: { code: string; message: string } });
    expect(objects.map((o) => o.error?.code)).toEqual([undefined, 'SAMPLES_SYNTAX', 'TC_OUT_OF_RANGE']);
    expect(objects[1]).toEqual({ input: '-5', error: { code: 'SAMPLES_SYNTAX', message: expect.stringContaining('"-5"') as unknown } });
    expect(lines(run.stderr).map((l) => /line (\d+)/.exec(l)?.[1])).toEqual(['2', '3']);
  });

  it.each([
    [['--rate', '29.97'], /29\.97df or 29\.97ndf/],
    [['--rate', '29.9'], /not a frame rate.*23\.976, 24, 25/],
    [[], /needs --rate/],
    [['--rate', '25', '--from', 'feet'], /--from must be tc, frames or samples/],
    [['--rate', '25', '--sample-rate', '48k'], /--sample-rate must be a whole number of samples per second.*"48k"/],
    [['--rate', '25', '--sample-rate', '0'], /Sample rate 0 is not usable/],
    [['--rate', '25', '--fps', '25'], /no option --fps/],
    [['--rate'], /--rate needs a value/],
    [['--rate', '25', '01:00:00:00'], /reads its values from stdin/],
  ])('exits 2 with one sentence for bad options %j', async (args, message) => {
    const run = await tc(args, '00:00:00:00\n');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^loopstage tc: [^\n]*[.]\n$/);
  });

  it('prints usage with --help', async () => {
    const run = await tc(['--help'], '');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: loopstage tc --rate RATE');
  });

  it('round-trips samples → tc → samples to the first sample of the containing frame', async () => {
    const rate = FRAME_RATES['29.97df'];
    const sampleRate = 48_000;
    const daySamples = frameToPosition(framesPerDay(rate), rate, sampleRate);
    const samples: number[] = [];
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 48_271) % 2_147_483_647; // MINSTD: a repeatable spread over the day
      samples.push(Math.floor((x / 2_147_483_647) * daySamples));
    }
    samples.push(0, daySamples - 1, 1601, 1602);
    const toTc = await tc(['--rate', '29.97df', '--from', 'samples', '--to', 'tc'], `${samples.join('\n')}\n`);
    expect(toTc.code).toBe(0);
    const labels = lines(toTc.stdout);
    expect(labels).toHaveLength(samples.length);
    const back = await tc(['--rate', '29.97df', '--from', 'tc', '--to', 'samples'], toTc.stdout);
    expect(back.code).toBe(0);
    const starts = lines(back.stdout).map(Number);
    starts.forEach((start, i) => {
      const s = samples[i] ?? -1;
      expect(start).toBeLessThanOrEqual(s);
      expect(s - start).toBeLessThan(1602); // within one frame (1601.6 samples)
    });
    expect(labels.slice(-4)).toEqual(['00:00:00;00', '23:59:59;29', '00:00:00;00', '00:00:00;01']);
    // Frame starts survive the whole trip exactly.
    const again = await tc(['--rate', '29.97df', '--from', 'samples', '--to', 'tc'], back.stdout);
    expect(again.stdout).toBe(toTc.stdout);
  });

  it('streams many lines fed in pieces', async () => {
    const count = 200_000;
    const pieces: string[] = [];
    let piece = '';
    for (let n = 0; n < count; n++) {
      piece += `${n}\n`;
      if (piece.length > 10_000) {
        pieces.push(piece.slice(0, 7_000), piece.slice(7_000)); // split mid-line
        piece = '';
      }
    }
    pieces.push(piece);
    const run = await tc(['--rate', '24', '--from', 'frames', '--to', 'tc'], pieces);
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out).toHaveLength(count);
    expect(out[0]).toBe('00:00:00:00');
    expect(out[count - 1]).toBe('02:18:53:07'); // frame 199999 = 8333 s + 7 frames at 24 fps
  });
});
