/**
 * The engine side of the audio process: forks it, speaks its protocol, and turns its messages into
 * the AudioHost port. Device listing runs in a short-lived process of its own, because PortAudio's
 * initialisation can abort a process on a machine with no usable default device.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Emitter } from '../../core/emitter.js';
import { LoopstageError } from '../../core/errors.js';
import type { TransportCommand, TransportSnapshot } from '../../core/transport/transport-clock.js';
import {
  AUDIO_PROCESS_EXITED,
  type AudioHost,
  type AudioStats,
  type DeviceList,
  type LatencyMeasurement,
  type AudioHostEvents,
  type AudioStreamConfig,
  type OpenedStream,
  type OutputProgramSpec,
  type TakeCaptureResult,
  type TakeCaptureSpec,
} from '../../engine/ports/audio-host.js';
import type { FromAudioProcess, ToAudioProcess } from './protocol.js';

const runningFromSource = import.meta.url.endsWith('.ts');
const entry = fileURLToPath(new URL(`./audio-process.${runningFromSource ? 'ts' : 'js'}`, import.meta.url));

export interface AudioProcessLog {
  (line: string): void;
}

/**
 * naudiodon reports dropouts with printf, which C buffers in 4 KiB blocks when stdout is a pipe, so
 * a dropout would reach us seconds late or only at exit. coreutils' stdbuf makes the process's C
 * stdout line-buffered; where it is missing the lines still come, later.
 */
const STDBUF = ['/usr/bin/stdbuf', '/bin/stdbuf'].find((candidate) => existsSync(candidate)) ?? null;

/**
 * The audio process runs for a whole session and must not grow. V8 grows the young generation up
 * to 16 MB per semi-space when it sees steady allocation (ticks, meters, buffers), and glibc gives
 * each of the many pool threads its own malloc arena; both only ever add resident memory. The
 * process's live heap is a few MB, so a 1 MB semi-space costs only more frequent, shorter
 * scavenges. Measured over 330 s of an 8-channel take: 74.5 MB resident with the defaults, 66.3 MB
 * with these.
 */
const AUDIO_PROCESS_V8_FLAGS = ['--max-semi-space-size=1'];
const AUDIO_PROCESS_MALLOC_ARENAS = '2';

function spawnAudioProcess(log: AudioProcessLog): ChildProcess {
  const nodeArgs = [...(runningFromSource ? ['--import', 'tsx'] : []), ...AUDIO_PROCESS_V8_FLAGS];
  const child = fork(entry, [], {
    // One libuv pool thread per open stream plus file I/O: raise the pool well above the default 4.
    // Under Electron the binary runs as plain Node only when told: fork sets this itself, but not
    // when stdbuf stands in front of it.
    env: {
      ...process.env,
      UV_THREADPOOL_SIZE: '16',
      MALLOC_ARENA_MAX: AUDIO_PROCESS_MALLOC_ARENAS,
      ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
    },
    ...(STDBUF ? { execPath: STDBUF, execArgv: ['-oL', '-eL', process.execPath, ...nodeArgs] } : { execArgv: nodeArgs }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  // naudiodon and ALSA print diagnostics on stdout/stderr: keep them for the log, away from our output.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => text.split('\n').filter(Boolean).forEach((line) => log(line)));
  }
  return child;
}

/** Opening waits for the first buffer (up to the runner's 4 s) plus PortAudio's own set-up. */
const REQUEST_TIMEOUT_MS = 10_000;

type Pending = { resolve: (message: FromAudioProcess) => void; reject: (error: LoopstageError) => void };

/**
 * naudiodon reports PortAudio's callback status flags only as a line on stdout
 * ("AudioIO: portAudio status - input overflow output underflow "), at most one per buffer read or
 * written: counting those lines is the only window onto dropped input and starved output.
 */
const STATUS_LINE = /^AudioIO: portAudio status - (.*)$/;

/** `stats` with the flags of one of naudiodon's status lines counted, or `stats` itself for any other line. */
export function countStatusLine(stats: AudioStats, line: string): AudioStats {
  const flags = STATUS_LINE.exec(line)?.[1];
  if (!flags) return stats;
  const count = (flag: string) => (flags.includes(flag) ? 1 : 0);
  return {
    ...stats,
    inputOverflows: stats.inputOverflows + count('input overflow'),
    outputUnderflows: stats.outputUnderflows + count('output underflow'),
    inputUnderflows: stats.inputUnderflows + count('input underflow'),
  };
}

export const NO_STATS: AudioStats = { lateBuffers: 0, buffers: 0, inputOverflows: 0, outputUnderflows: 0, inputUnderflows: 0, guideMisses: 0 };

export class AudioProcessHost implements AudioHost {
  readonly #events = new Emitter<AudioHostEvents>();
  readonly #pending = new Map<number, Pending>();
  #child: ChildProcess | null = null;
  #nextId = 1;
  #stats: AudioStats = NO_STATS;

  constructor(private readonly log: AudioProcessLog = () => {}) {}

  on<K extends keyof AudioHostEvents>(name: K, listener: (payload: AudioHostEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  async listDevices(): Promise<DeviceList> {
    const child = spawnAudioProcess(this.log);
    try {
      const reply = await new Promise<FromAudioProcess>((resolve, reject) => {
        child.once('message', (message: FromAudioProcess) => resolve(message));
        child.once('exit', (code, signal) =>
          reject(new LoopstageError('AUDIO_LIST_FAILED', `Listing audio devices failed (the audio system ${signal ? `aborted with ${signal}` : `exited with ${code}`}); check that ALSA or your audio system has a default device.`)),
        );
        child.send({ type: 'list-devices', id: 0 } satisfies ToAudioProcess);
      });
      if (reply.type === 'failed') throw new LoopstageError(reply.code, reply.message);
      if (reply.type !== 'devices') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
      const problems = reply.midiProblem ? [reply.midiProblem] : [];
      if (reply.devices.length === 0) {
        problems.unshift('No audio devices were found, so only the software clock is offered; check the interface is connected and that ALSA lists it (`aplay -l`, `arecord -l`).');
      }
      return { audio: reply.devices, midi: reply.midi, problems };
    } finally {
      child.kill();
    }
  }

  async open(config: AudioStreamConfig): Promise<OpenedStream> {
    this.#stats = NO_STATS;
    const reply = await this.#request((id) => ({ type: 'open', id, config }));
    if (reply.type !== 'opened') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
    return reply.stream;
  }

  async transport(command: TransportCommand): Promise<{ before: TransportSnapshot; after: TransportSnapshot }> {
    if (!this.#child) throw new LoopstageError('AUDIO_NOT_OPEN', 'No audio device is open; choose one before rolling.');
    const reply = await this.#request((id) => ({ type: 'transport', id, command }));
    if (reply.type !== 'transport-applied') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
    return { before: reply.before, after: reply.after };
  }

  async calibrate(times: number, inputChannel: number): Promise<LatencyMeasurement> {
    if (!this.#child) throw new LoopstageError('AUDIO_NOT_OPEN', 'No audio device is open; choose one before calibrating.');
    // Each measurement plays a 0.5 s sweep and listens for up to 1 s more; a settling stream may
    // take a few extra measurements (LatencyCalibrator).
    const reply = await this.#request((id) => ({ type: 'calibrate', id, times, channel: inputChannel }), 5000 + (times + 4) * 2000);
    if (reply.type !== 'calibrated') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
    return reply.result;
  }

  async loadProgram(program: OutputProgramSpec): Promise<void> {
    if (!this.#child) throw new LoopstageError('AUDIO_NOT_OPEN', 'No audio device is open; choose one before rolling.');
    // Opening guide files and reading the first seconds ahead: a slow disk gets longer than a command.
    const reply = await this.#request((id) => ({ type: 'program', id, program }), 30_000);
    if (reply.type !== 'done') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
  }

  async listen(index: number): Promise<void> {
    if (!this.#child) throw new LoopstageError('AUDIO_NOT_OPEN', 'No audio device is open; choose one before playing takes.');
    const reply = await this.#request((id) => ({ type: 'listen', id, index }), 5_000);
    if (reply.type !== 'done') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
  }

  async armTake(take: TakeCaptureSpec): Promise<{ takeId: number }> {
    if (!this.#child) throw new LoopstageError('AUDIO_NOT_OPEN', 'No audio device is open; choose one before recording.');
    const reply = await this.#request((id) => ({ type: 'arm-take', id, take }), 30_000);
    if (reply.type !== 'take-armed') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
    return { takeId: reply.takeId };
  }

  async stopTake(why: string | null): Promise<TakeCaptureResult | null> {
    if (!this.#child) return null;
    const reply = await this.#request((id) => ({ type: 'stop-take', id, why }), 30_000);
    if (reply.type !== 'take-stopped') throw new LoopstageError('AUDIO_PROTOCOL', 'The audio process answered out of turn.');
    return reply.result;
  }

  async close(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      await Promise.race([
        this.#request((id) => ({ type: 'close', id })),
        new Promise((resolve) => setTimeout(resolve, 2000)),
      ]);
    } catch {
      // closing anyway
    }
    this.#child = null;
    child.removeAllListeners('exit');
    child.kill();
    // Whatever was still waiting on the process (an open stuck in a driver) will never be answered.
    const closed = new LoopstageError('AUDIO_CLOSED', 'The audio device was closed before it answered.');
    for (const pending of this.#pending.values()) pending.reject(closed);
    this.#pending.clear();
  }

  #ensureChild(): ChildProcess {
    if (this.#child) return this.#child;
    const child = spawnAudioProcess((line) => {
      this.#noticeStatus(line);
      this.log(line);
    });
    child.on('message', (message: FromAudioProcess) => this.#receive(message));
    child.on('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = null;
      const error = new LoopstageError(
        AUDIO_PROCESS_EXITED,
        `The audio process stopped unexpectedly (${signal ?? `exit ${code}`}); reopen the audio device to continue.`,
      );
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      this.#events.emit('failure', { code: error.code, message: error.message });
    });
    this.#child = child;
    return child;
  }

  /** Every request is answered, refused, or times out with a sentence; none waits forever. */
  #request(build: (id: number) => ToAudioProcess, timeoutMs = REQUEST_TIMEOUT_MS): Promise<FromAudioProcess> {
    const child = this.#ensureChild();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        reject(new LoopstageError('AUDIO_TIMEOUT', `The audio process did not answer within ${timeoutMs / 1000} s; the interface may have hung. Reopen the audio device.`));
      }, timeoutMs);
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        fn(value);
      };
      this.#pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      child.send(build(id));
    });
  }

  #noticeStatus(line: string): void {
    const counted = countStatusLine(this.#stats, line);
    if (counted === this.#stats) return;
    this.#stats = counted;
    this.#events.emit('stats', this.#stats);
  }

  #receive(message: FromAudioProcess): void {
    switch (message.type) {
      case 'tick':
        this.#events.emit('tick', message.tick);
        return;
      case 'stats':
        this.#stats = { ...this.#stats, lateBuffers: message.lateBuffers, buffers: message.buffers, guideMisses: message.guideMisses };
        this.#events.emit('stats', this.#stats);
        return;
      case 'transport-changed':
        this.#events.emit('transport', message.after);
        return;
      case 'meters':
        this.#events.emit('meters', message.reading);
        return;
      case 'take-flushed':
        this.#events.emit('takeFlushed', { takeId: message.takeId, frames: message.frames });
        return;
      case 'take-finished':
        this.#events.emit('takeFinished', { takeId: message.takeId, result: message.result });
        return;
      case 'failed': {
        const pending = message.id === null ? undefined : this.#pending.get(message.id);
        if (pending && message.id !== null) {
          this.#pending.delete(message.id);
          pending.reject(new LoopstageError(message.code, message.message));
        } else {
          // The stream died: nothing queued behind it will ever be applied.
          for (const waiting of this.#pending.values()) waiting.reject(new LoopstageError(message.code, message.message));
          this.#pending.clear();
          this.#events.emit('failure', { code: message.code, message: message.message });
        }
        return;
      }
      default: {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        pending.resolve(message);
      }
    }
  }
}
