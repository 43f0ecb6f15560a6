/**
 * The master clock through real PortAudio on the audio rig: the position counts exactly the frames
 * the interface delivers, measured against the kernel's count of bytes ALSA read from the rig's mic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioProcessHost } from '../../src/adapters/audio/audio-process-host.js';
import { SOFTWARE_CLOCK_NAME, type AudioStats, type ClockTick } from '../../src/engine/ports/audio-host.js';
import { findMicReader, micBytesRead, startRig, writeRampMic, type Rig } from '../support/rig.js';

const RATE = 48000;
const CHANNELS = 2;
const BYTES_PER_FRAME = CHANNELS * 4; // float32, the format the engine opens
const START = 10 * 3600 * RATE; // 10:00:00:00

let rig: Rig;
const savedEnv = { ...process.env };

beforeAll(() => {
  rig = startRig(CHANNELS, RATE);
  writeRampMic(rig, 60, RATE, CHANNELS);
  Object.assign(process.env, rig.env);
});

afterAll(() => {
  rig?.stop();
  process.env = savedEnv;
});

function waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = predicate();
      if (value) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(poll, 2);
    };
    poll();
  });
}

describe('audio clock on the rig (PortAudio duplex)', () => {
  it('lists the rig devices', async () => {
    const list = await new AudioProcessHost().listDevices();
    const names = list.audio.map((device) => device.name);
    expect(names).toEqual(expect.arrayContaining(['rig_mic', 'rig_out', 'rig_loop', 'default']));
  });

  it('counts exactly the frames the interface delivered, ticks at 30 Hz or more, and stops where the audio stopped', async () => {
    const host = new AudioProcessHost();
    const ticks: (ClockTick & { at: number })[] = [];
    host.on('tick', (tick) => ticks.push({ ...tick, at: performance.now() }));
    const stats: AudioStats[] = [];
    host.on('stats', (s) => stats.push(s));
    try {
      await host.open({ input: 'default', output: 'default', sampleRate: RATE, framesPerBuffer: 256, inputChannels: 2, outputChannels: 2, startPosition: START });
      const pid = findMicReader(process.pid, rig.micFile);
      expect(pid).not.toBeNull();
      const delivered = () => micBytesRead(pid!, rig.micFile) / BYTES_PER_FRAME;

      const beforePlay = delivered();
      const play = await host.transport({ kind: 'play' });
      const afterPlay = delivered();
      expect(play.after.state).toBe('rolling');
      expect(play.after.position).toBe(START);

      const rollStartedAt = performance.now();
      await waitFor(() => performance.now() - rollStartedAt > 2000 || undefined, 5000);
      const beforeStop = delivered();
      const stop = await host.transport({ kind: 'stop' });
      const afterStop = delivered();

      // The transport moved by the frames the stream delivered between the two commands.
      const rolled = stop.after.position - START;
      expect(rolled).toBe(stop.after.streamFrame - play.after.streamFrame);
      // ...and those agree with the kernel's count of what ALSA read from the mic, to within what was
      // in flight (PortAudio's and naudiodon's queues) when each command was issued.
      const inFlight = 1024;
      expect(rolled).toBeGreaterThanOrEqual(beforeStop - afterPlay - inFlight);
      expect(rolled).toBeLessThanOrEqual(afterStop - beforePlay + inFlight);
      expect(rolled).toBeGreaterThan(RATE * 1.8);

      // Ticks while rolling: at least 30 per second, monotonic, position and stream frame in lockstep.
      const rolling = ticks.filter((tick) => tick.state === 'rolling');
      const seconds = (rolling.at(-1)!.at - rolling[0]!.at) / 1000;
      expect(rolling.length / seconds).toBeGreaterThanOrEqual(30);
      for (let i = 1; i < rolling.length; i++) {
        expect(rolling[i]!.position - rolling[i - 1]!.position).toBe(rolling[i]!.streamFrame - rolling[i - 1]!.streamFrame);
      }

      // Stopped: the stream keeps running (one duplex stream for the session) but the position holds.
      const heldAt = ticks.length;
      await waitFor(() => ticks.length > heldAt + 10 || undefined);
      const after = ticks.slice(heldAt);
      expect(after.every((tick) => tick.state === 'stopped' && tick.position === stop.after.position)).toBe(true);
      expect(after.at(-1)!.streamFrame).toBeGreaterThan(stop.after.streamFrame);

      // PortAudio's own status flags are counted, never dropped silently; the rig loses no input.
      const last = stats.at(-1);
      console.log(JSON.stringify({ rigStreamStats: last ?? null }));
      expect(last?.inputOverflows ?? 0).toBe(0);
    } finally {
      await host.close();
    }
  });

  it('refuses a missing device with a clear sentence and code', async () => {
    const host = new AudioProcessHost();
    try {
      await expect(
        host.open({ input: 'Studio Interface 8', output: 'default', sampleRate: RATE, framesPerBuffer: 256, inputChannels: 2, outputChannels: 2, startPosition: 0 }),
      ).rejects.toMatchObject({ code: 'AUDIO_DEVICE_MISSING', message: expect.stringMatching(/"Studio Interface 8" is not connected/) });
    } finally {
      await host.close();
    }
  });

  it('runs the software clock at the session rate when there is no interface', async () => {
    const host = new AudioProcessHost();
    const ticks: (ClockTick & { at: number })[] = [];
    host.on('tick', (tick) => ticks.push({ ...tick, at: performance.now() }));
    try {
      const opened = await host.open({ input: SOFTWARE_CLOCK_NAME, output: SOFTWARE_CLOCK_NAME, sampleRate: RATE, framesPerBuffer: 256, inputChannels: 2, outputChannels: 2, startPosition: START });
      expect(opened.clockSource).toBe('software-clock');
      await host.transport({ kind: 'play' });
      const first = ticks.length;
      await waitFor(() => ticks.length > first + 60 || undefined);
      const a = ticks[first]!;
      const b = ticks.at(-1)!;
      const rate = ((b.position - a.position) / (b.at - a.at)) * 1000;
      expect(Math.abs(rate - RATE) / RATE).toBeLessThan(0.05);
    } finally {
      await host.close();
    }
  });
});

describe('when the audio process dies (the nearest the rig comes to an unplugged interface)', () => {
  it('reports the failure with a sentence and refuses to roll until reopened', async () => {
    const host = new AudioProcessHost();
    const failures: { code: string; message: string }[] = [];
    host.on('failure', (failure) => failures.push(failure));
    try {
      await host.open({ input: 'default', output: 'default', sampleRate: RATE, framesPerBuffer: 256, inputChannels: 2, outputChannels: 2, startPosition: START });
      const pid = findMicReader(process.pid, rig.micFile)!;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => failures.length > 0 || undefined);
      expect(failures[0]).toMatchObject({ code: 'AUDIO_PROCESS_EXITED', message: expect.stringMatching(/stopped unexpectedly \(SIGKILL\); reopen the audio device/) });
      await expect(host.transport({ kind: 'play' })).rejects.toMatchObject({ code: 'AUDIO_NOT_OPEN' });
      // Reopening works and the clock runs again.
      await host.open({ input: 'default', output: 'default', sampleRate: RATE, framesPerBuffer: 256, inputChannels: 2, outputChannels: 2, startPosition: START });
      const { after } = await host.transport({ kind: 'play' });
      expect(after.state).toBe('rolling');
    } finally {
      await host.close();
    }
  });
});
