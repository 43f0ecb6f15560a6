/** `loopstage calibrate`: measures the audio interface's round-trip latency by loopback. */
import { parseArgs } from 'node:util';
import { AUDIO_OPTIONS, audioSelection, cliEngine, openWithAudio } from '../audio-options.js';
import type { CliCommand } from '../io.js';
import { usageError } from './usage.js';

export const CALIBRATE_USAGE = `usage: loopstage calibrate --project DIR [--input DEVICE --output DEVICE] [--channel N] [--frames-per-buffer N] [--json]
  Plays a short sweep on the output and finds it on the input: patch the output to the input
  (a loopback cable, or the interface's own loopback) first. --channel names the input the
  loopback comes back on (default: the first recorded input; remembered for the project). The
  round trip is remembered for these devices, rate and buffer size, and applied to where takes
  are placed.`;

export const calibrateCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${CALIBRATE_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      ...AUDIO_OPTIONS,
      channel: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.project) throw usageError('--project DIR is required.', CALIBRATE_USAGE);
  const selection = audioSelection(values, CALIBRATE_USAGE);
  const channel = values.channel === undefined ? undefined : Number(values.channel);
  if (channel !== undefined && (!Number.isInteger(channel) || channel < 1 || channel > 64)) throw usageError(`--channel is an input from 1 to 64, not "${values.channel}".`, CALIBRATE_USAGE);
  const engine = cliEngine(io);
  try {
    await openWithAudio(engine, io, values.project, selection);
    if (channel !== undefined) await engine.updateRecordingSettings({ loopbackInput: channel - 1 });
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
