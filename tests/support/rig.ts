/**
 * The audio rig for tests (see tests/rig/rig.sh and TESTING.md): a private PulseAudio daemon whose
 * ALSA devices PortAudio sees as a real-time interface with known capture content.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../rig/rig.sh', import.meta.url));

export interface Rig {
  readonly dir: string;
  readonly env: { ALSA_CONFIG_PATH: string; PULSE_SERVER: string };
  /** Where rig_mic reads its samples from. */
  readonly micFile: string;
  stop(): void;
}

/**
 * The rig's files live in memory where there is a tmpfs: ALSA's file plugin reads the mic and writes
 * what is played inside the audio callback, and on the disk those calls wait behind other tests'
 * writes and fsyncs (measured: 23 late buffers and 27 output underflows in 30 s with the disk busy;
 * 11 and 10 on tmpfs; none when idle). A sound card does no file I/O on its clock.
 */
const RIG_BASE = process.env.LOOPSTAGE_RIG_TMP ?? (existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());

export function startRig(channels = 2, sampleRate = 48000): Rig {
  for (const tool of ['pulseaudio', 'pactl', 'pacat']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`the audio rig needs ${tool}: apt-get install pulseaudio pulseaudio-utils libasound2-plugins (.ci/run does this)`);
    }
  }
  const dir = mkdtempSync(path.join(RIG_BASE, 'loopstage-rig-'));
  const out = execFileSync('bash', [script, 'start', dir, String(channels), String(sampleRate)], { encoding: 'utf8' });
  const env = Object.fromEntries(
    out.replace(/^export /, '').trim().split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]),
  ) as Rig['env'];
  if (!env.ALSA_CONFIG_PATH || !env.PULSE_SERVER) throw new Error(`rig.sh printed no environment: ${out}`);
  return {
    dir,
    env,
    micFile: path.join(dir, 'mic.raw'),
    // Stops the daemon and removes the folder (what was played can run to hundreds of MB); again is a no-op.
    stop: () => {
      if (!existsSync(dir)) return;
      execFileSync('bash', [script, 'stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `seconds` of float32 interleaved capture content; sample (frame f, channel 0) = f / 2^24. */
export function writeRampMic(rig: Rig, seconds: number, sampleRate: number, channels: number): void {
  const frames = Math.round(seconds * sampleRate);
  const data = new Float32Array(frames * channels);
  for (let frame = 0; frame < frames; frame++) data[frame * channels] = frame / 16_777_216;
  writeFileSync(rig.micFile, Buffer.from(data.buffer));
}

/**
 * How many bytes of the mic file ALSA has read into `pid`'s capture stream: the kernel's file offset
 * for that descriptor, independent of anything Loopstage counts.
 */
export function micBytesRead(pid: number, micFile: string): number {
  const fd = micDescriptor(pid, micFile);
  const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
  const match = /^pos:\s+(\d+)/m.exec(info);
  if (!match) throw new Error(`no pos in /proc/${pid}/fdinfo/${fd}`);
  return Number(match[1]);
}

function micDescriptor(pid: number, micFile: string): string {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === micFile) return fd;
    } catch {
      // descriptors come and go
    }
  }
  throw new Error(`process ${pid} has not opened ${micFile}`);
}

/** The process (a descendant of `rootPid`) that has the mic file open: the audio process. */
export function findMicReader(rootPid: number, micFile: string): number | null {
  const descendants = new Set([rootPid]);
  let grew = true;
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited
    }
  }
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (descendants.has(parent) && !descendants.has(pid)) {
        descendants.add(pid);
        grew = true;
      }
    }
  }
  // The audio process holds the mic open for the whole session; a short-lived device-listing
  // process may hold it for a moment too, so the one whose command line names the audio process wins.
  const readers = [...descendants].filter((pid) => {
    try {
      micDescriptor(pid, micFile);
      return true;
    } catch {
      return false;
    }
  });
  const commandLine = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  return readers.find((pid) => commandLine(pid).includes('audio-process')) ?? readers[0] ?? null;
}

export function rigAvailable(): boolean {
  return existsSync(script);
}
