/** `loopstage devices`: the audio and MIDI devices this machine offers, as the engine sees them. */
import { parseArgs } from 'node:util';
import { AudioProcessHost } from '../../adapters/audio/audio-process-host.js';
import { SOFTWARE_CLOCK_NAME } from '../../engine/ports/audio-host.js';
import type { CliCommand } from '../io.js';

const DEVICES_USAGE = `usage: loopstage devices [--json]
  Lists the audio devices PortAudio offers (names as --input/--output take them) and MIDI ports.`;

export const devicesCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${DEVICES_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true });
  const list = await new AudioProcessHost().listDevices().catch((error: Error) => ({ audio: [], midi: [], problems: [error.message] }));
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ audio: list.audio, midi: list.midi, problems: list.problems, softwareClock: SOFTWARE_CLOCK_NAME }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write('Audio devices (inputs/outputs, default rate, host API):\n');
  for (const device of list.audio) {
    io.stdout.write(`  ${device.name}  ${device.maxInputChannels} in / ${device.maxOutputChannels} out  ${device.defaultSampleRate} Hz  ${device.hostApi}\n`);
  }
  io.stdout.write(`  ${SOFTWARE_CLOCK_NAME}  (stands in when there is no interface)\n`);
  io.stdout.write('MIDI ports:\n');
  if (list.midi.length === 0) io.stdout.write('  none\n');
  for (const port of list.midi) io.stdout.write(`  ${port.direction} ${port.index}: ${port.name}\n`);
  for (const problem of list.problems) io.stdout.write(`Note: ${problem}\n`);
  return 0;
};
