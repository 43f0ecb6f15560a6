/**
 * What the commands that open the audio interface share: the --input/--output/--frames-per-buffer
 * options, the engine's diagnostics on stderr (LOOPSTAGE_DEBUG), and opening a project on them.
 */
import path from 'node:path';
import { LoopstageError } from '../core/errors.js';
import type { Engine } from '../engine/session/engine.js';
import type { AudioSelection } from '../engine/session/engine.js';
import { createEngine } from '../host/create-engine.js';
import type { CliIo } from './io.js';
import { usageError } from './commands/usage.js';

export const AUDIO_OPTIONS = {
  input: { type: 'string' },
  output: { type: 'string' },
  'frames-per-buffer': { type: 'string', default: '256' },
} as const;

/** The device choice the options make, or undefined for the project's stored one. */
export function audioSelection(values: { input?: string; output?: string; 'frames-per-buffer'?: string }, usage: string): AudioSelection | undefined {
  const framesPerBuffer = Number(values['frames-per-buffer'] ?? '256');
  if (!Number.isInteger(framesPerBuffer) || framesPerBuffer < 32 || framesPerBuffer > 8192) throw usageError('--frames-per-buffer must be a whole number from 32 to 8192.', usage);
  if ((values.input === undefined) !== (values.output === undefined)) throw usageError('--input and --output go together.', usage);
  return values.input && values.output ? { input: values.input, output: values.output, framesPerBuffer } : undefined;
}

/** The engine's log lines on stderr when LOOPSTAGE_DEBUG is set. */
export function engineEcho(io: CliIo): ((line: string) => void) | undefined {
  return io.env.LOOPSTAGE_DEBUG ? (line) => io.stderr.write(`[engine] ${line}\n`) : undefined;
}

export function cliEngine(io: CliIo): Engine {
  return createEngine({ echo: engineEcho(io) });
}

/** Opens the project on the chosen (or stored) devices; the audio failure's own sentence when they do not run. */
export async function openWithAudio(engine: Engine, io: CliIo, project: string, selection: AudioSelection | undefined) {
  const info = await engine.openProject(path.resolve(io.cwd, project), selection);
  const audio = engine.audioStatus;
  if (audio.state !== 'running') throw new LoopstageError(audio.code ?? 'AUDIO_OPEN_FAILED', audio.message ?? 'The audio device could not be opened.');
  return info;
}
