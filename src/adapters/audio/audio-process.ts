/**
 * The audio process: owns the PortAudio stream (or the software clock) and nothing else, so no other
 * work on its event loop can starve the callback queue. Started by AudioProcessHost with a raised
 * UV_THREADPOOL_SIZE; speaks the protocol in protocol.ts over the IPC channel.
 */
import { LoopstageError } from '../../core/errors.js';
import { describePriority, raiseAudioPriority } from './audio-priority.js';
import { ClockRunner } from './clock-runner.js';
import { createFrameSource, listPortAudioDevices } from './frame-sources.js';
import { listMidiPorts } from '../midi/list-midi-ports.js';
import type { FromAudioProcess, ToAudioProcess } from './protocol.js';

function send(message: FromAudioProcess): void {
  process.send?.(message);
}

function fail(id: number | null, error: unknown): void {
  if (error instanceof LoopstageError) send({ type: 'failed', id, code: error.code, message: error.message });
  else send({ type: 'failed', id, code: 'AUDIO_INTERNAL', message: `The audio process failed (${String(error)}).` });
}

/** How long a close may take once the host has gone, before the process exits regardless. */
const DISCONNECT_EXIT_MS = 2000;

let runner: ClockRunner | null = null;
let priorityRaised = false;
let nextTakeId = 1;

function requireRunner(doing: string): ClockRunner {
  if (!runner) throw new LoopstageError('AUDIO_NOT_OPEN', `No audio device is open; choose one before ${doing}.`);
  return runner;
}

async function handle(message: ToAudioProcess): Promise<void> {
  switch (message.type) {
    case 'list-devices':
      {
        const midi = listMidiPorts();
        send({ type: 'devices', id: message.id, devices: listPortAudioDevices(), midi: midi.ports, midiProblem: midi.problem });
      }
      return;
    case 'open': {
      await runner?.close();
      if (!priorityRaised) {
        priorityRaised = true;
        // Before the stream starts, so its callback thread inherits the raised priority.
        console.error(describePriority(raiseAudioPriority()));
      }
      const { config } = message;
      const source = createFrameSource(config);
      const opened = new ClockRunner(source, config, {
        tick: (tick) => send({ type: 'tick', tick }),
        applied: (id, before, after) => send({ type: 'transport-applied', id, before, after }),
        changed: (after) => send({ type: 'transport-changed', after }),
        stats: (stats) => send({ type: 'stats', ...stats }),
        meters: (reading) => send({ type: 'meters', reading }),
        takeFlushed: (takeId, flush) => send({ type: 'take-flushed', takeId, frames: flush.frames }),
        takeFinished: (takeId, result) => send({ type: 'take-finished', takeId, result }),
        failed: (error) => fail(null, error),
      });
      runner = opened;
      await opened.start();
      send({
        type: 'opened',
        id: message.id,
        stream: { clockSource: source.clockSource, input: config.input, output: config.output, sampleRate: config.sampleRate, framesPerBuffer: config.framesPerBuffer },
      });
      return;
    }
    case 'transport':
      if (!runner) throw new LoopstageError('AUDIO_NOT_OPEN', 'No audio device is open; choose one before rolling.');
      runner.command(message.id, message.command);
      return;
    case 'calibrate': {
      if (!runner) throw new LoopstageError('AUDIO_NOT_OPEN', 'No audio device is open; choose one before calibrating.');
      const result = await runner.calibrate(message.times, message.channel);
      send({ type: 'calibrated', id: message.id, result });
      return;
    }
    case 'program':
      requireRunner('loading what the output plays').loadProgram(message.program).then(
        () => send({ type: 'done', id: message.id }),
        (error: unknown) => fail(message.id, error),
      );
      return;
    case 'listen':
      requireRunner('switching the take heard').listen(message.index);
      send({ type: 'done', id: message.id });
      return;
    case 'arm-take': {
      const takeId = nextTakeId++;
      await requireRunner('recording').armTake(takeId, message.take);
      send({ type: 'take-armed', id: message.id, takeId });
      return;
    }
    case 'stop-take': {
      const result = runner ? await runner.stopTake(message.why) : null;
      send({ type: 'take-stopped', id: message.id, result });
      return;
    }
    case 'close':
      await runner?.close();
      runner = null;
      send({ type: 'closed', id: message.id });
      return;
  }
}

process.on('message', (message: ToAudioProcess) => {
  handle(message).catch((error: unknown) => fail(message.id, error));
});
process.on('disconnect', () => {
  // The host is gone. Close the stream and exit; if closing hangs (a stuck driver thread), exit
  // anyway, so an orphan never holds the interface. A take cut short is repaired on the next open.
  setTimeout(() => process.exit(0), DISCONNECT_EXIT_MS).unref();
  void runner?.close().finally(() => process.exit(0));
  if (!runner) process.exit(0);
});
