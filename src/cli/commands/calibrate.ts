/** `loopstage calibrate`: measures the audio interface's round-trip latency by loopback. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LoopstageError } from '../../core/errors.js';
import { createEngine } from '../../host/create-engine.js';
import type { CliCommand } from '../io.js';
import { usageError } from './usage.js';

export const CALIBRATE_USAGE = `usage: loopstage calibrate --project DIR [--input DEVICE --output DEVICE] [--frames-per-buffer N] [--json]
  Plays a short sweep on the output and finds it on the input: patch the output to the input
  (a loopback cable, or the interface's own loopback) first. The round trip is remembered for
  these devices, rate and buffer size, and applied to where takes are placed.`;

export const calibrateCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${CALIBRATE_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      'frames-per-buffer': { type: 'string', default: '256' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.project) throw usageError('--project DIR is required.', CALIBRATE_USAGE);
  if ((values.input === undefined) !== (values.output === undefined)) throw usageError('--input and --output go together.', CALIBRATE_USAGE);
  const framesPerBuffer = Number(values['frames-per-buffer']);
  if (!Number.isInteger(framesPerBuffer) || framesPerBuffer < 32 || framesPerBuffer > 8192) throw usageError('--frames-per-buffer must be a whole number from 32 to 8192.', CALIBRATE_USAGE);
  const engine = createEngine({ echo: io.env.LOOPSTAGE_DEBUG ? (line) => io.stderr.write(`[engine] ${line}\n`) : undefined });
  try {
    await engine.openProject(path.resolve(io.cwd, values.project), values.input && values.output ? { input: values.input, output: values.output, framesPerBuffer } : undefined);
    const audio = engine.audioStatus;
    if (audio.state !== 'running') throw new LoopstageError(audio.code ?? 'AUDIO_OPEN_FAILED', audio.message ?? 'The audio device could not be opened.');
    const status = await engine.calibrate();
    const latency = status.latency!;
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ input: status.input, output: status.output, sampleRate: status.sampleRate, framesPerBuffer: status.framesPerBuffer, ...latency })}\n`);
    } else {
      const ms = (latency.roundTrip / (status.sampleRate ?? 48000)) * 1000;
      io.stdout.write(`Round trip on ${status.input} / ${status.output} at ${status.sampleRate} Hz, ${status.framesPerBuffer}-frame buffers: ${latency.roundTrip} samples (${ms.toFixed(2)} ms).\n`);
    }
    return 0;
  } finally {
    await engine.close();
  }
};
