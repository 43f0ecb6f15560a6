/**
 * `loopstage tc`: converts timecode labels, frame counts and timeline samples, one value per line
 * from stdin to stdout. Streams line by line, so it handles files of any length.
 *
 * Exit codes: 0 all lines converted; 1 some lines failed (each reported on stderr with its line
 * number, the rest still converted); 2 bad options (one sentence on stderr).
 */
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import {
  type FrameRate,
  frameToPosition,
  framesToLabel,
  labelToFrames,
  parseFrameRate,
  position,
  positionToFrame,
} from '../../core/time/index.js';
import { describeArgsError } from '../args.js';
import type { CliCommand } from '../io.js';

const KINDS = ['tc', 'frames', 'samples'] as const;
type Kind = (typeof KINDS)[number];

const USAGE = `Usage: loopstage tc --rate RATE [--from tc|frames|samples] [--to tc|frames|samples]
                    [--sample-rate HZ] [--json] < values.txt

Converts one value per line from stdin and prints one result per line.
  --rate         frame rate: 23.976 24 25 29.97df 29.97ndf 30 47.952 48 50 59.94df 59.94ndf 60
  --from, --to   tc       a timecode label, HH:MM:SS:FF (HH:MM:SS;FF at drop-frame rates)
                 frames   frames since midnight (00:00:00:00 is frame 0)
                 samples  timeline samples since midnight, as in a BWF bext TimeReference
                 (default --from tc --to samples)
  --sample-rate  samples per second for samples (default 48000)
  --json         print {"input","tc","frames","samples"} per line, or {"input","error":{"code","message"}}

Timecode and frames name the first sample of a frame; a sample converts to the frame that
contains it. Blank lines are skipped. Exit status: 0 all converted, 1 some lines failed
(reported on stderr with their line number), 2 bad options.
`;

interface Converted {
  readonly tc: string;
  readonly frames: number;
  readonly samples: number;
}

function wholeNumber(text: string, kind: 'frames' | 'samples'): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new LoopstageError(
      kind === 'frames' ? 'FRAMES_SYNTAX' : 'SAMPLES_SYNTAX',
      `"${text}" is not a count of ${kind}; write a whole number of digits such as 1200.`,
      { input: text },
    );
  }
  return value;
}

function convert(text: string, from: Kind, rate: FrameRate, sampleRate: number): Converted {
  switch (from) {
    case 'tc': {
      const frames = labelToFrames(text, rate);
      return { tc: framesToLabel(frames, rate), frames, samples: frameToPosition(frames, rate, sampleRate) };
    }
    case 'frames': {
      const frames = wholeNumber(text, 'frames');
      return { tc: framesToLabel(frames, rate), frames, samples: frameToPosition(frames, rate, sampleRate) };
    }
    case 'samples': {
      const samples = position(wholeNumber(text, 'samples'));
      const frames = positionToFrame(samples, rate, sampleRate);
      return { tc: framesToLabel(frames, rate), frames, samples };
    }
  }
}

/**
 * Collects output lines and writes them in large pieces: when 64 KiB have gathered, or once the
 * lines already read have been handled (setImmediate), so typing one value at a terminal still
 * answers at once. Waits for 'drain' when the stream asks to (backpressure).
 */
class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  private scheduled = false;
  private drained: Promise<void> | null = null;

  constructor(private readonly stream: Writable) {}

  async line(text: string): Promise<void> {
    if (this.drained) await this.drained;
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 64 * 1024) {
      this.write();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.write();
      });
    }
  }

  async flush(): Promise<void> {
    this.write();
    if (this.drained) await this.drained;
  }

  private write(): void {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.stream.write(chunk) || this.drained) return;
    this.drained = new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.stream.off('error', done);
        this.drained = null;
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
      this.stream.on('error', done);
    });
  }
}

/** parseArgs' errors as one sentence that points at the help. */
function parseArgsMessage(error: unknown): string {
  if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return `tc reads its values from stdin, not from arguments; pipe them in, one per line.`;
  }
  const clause = describeArgsError(error);
  return `${clause[0]!.toUpperCase()}${clause.slice(1)}; run \`loopstage tc --help\` for the options.`;
}

function kindOption(name: 'from' | 'to', value: string): Kind {
  if ((KINDS as readonly string[]).includes(value)) return value as Kind;
  throw new LoopstageError('CLI_USAGE', `--${name} must be tc, frames or samples, not "${value}".`, { option: name, value });
}

export const tcCommand: CliCommand = async (args, io) => {
  let rate: FrameRate;
  let from: Kind;
  let to: Kind;
  let sampleRate: number;
  let json: boolean;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        rate: { type: 'string' },
        from: { type: 'string', default: 'tc' },
        to: { type: 'string', default: 'samples' },
        'sample-rate': { type: 'string', default: '48000' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (values.rate === undefined) {
      throw new LoopstageError('CLI_USAGE', 'tc needs --rate, one of 23.976, 24, 25, 29.97df, 29.97ndf, 30, 47.952, 48, 50, 59.94df, 59.94ndf, 60.');
    }
    rate = parseFrameRate(values.rate);
    from = kindOption('from', values.from);
    to = kindOption('to', values.to);
    const sampleRateText = values['sample-rate'].trim();
    if (!/^\d+$/.test(sampleRateText)) {
      throw new LoopstageError(
        'CLI_USAGE',
        `--sample-rate must be a whole number of samples per second such as 48000, not "${values['sample-rate']}".`,
        { option: 'sample-rate', value: values['sample-rate'] },
      );
    }
    sampleRate = Number(sampleRateText);
    frameToPosition(0, rate, sampleRate); // validates the sample rate (SAMPLE_RATE_INVALID)
    json = values.json;
  } catch (error) {
    const message = isLoopstageError(error) ? error.message : parseArgsMessage(error);
    io.stderr.write(`loopstage tc: ${message}\n`);
    return 2;
  }

  const out = new BufferedWriter(io.stdout);
  const err = new BufferedWriter(io.stderr);
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let failed = 0;
  for await (const raw of lines) {
    lineNumber++;
    const text = (lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (text === '') continue;
    try {
      const result = convert(text, from, rate, sampleRate);
      await out.line(json ? JSON.stringify({ input: text, ...result }) : String(result[to]));
    } catch (error) {
      if (!isLoopstageError(error)) throw error;
      failed++;
      await err.line(`loopstage tc: line ${lineNumber}: ${error.message}`);
      if (json) await out.line(JSON.stringify({ input: text, error: { code: error.code, message: error.message } }));
    }
  }
  await out.flush();
  await err.flush();
  return failed > 0 ? 1 : 0;
};
