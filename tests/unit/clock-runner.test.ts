/**
 * What the rig cannot do: stall like an unplugged interface, or arrive late like an overloaded one.
 * A scripted frame source stands in for those (the real path is tests/integration/audio-clock).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClockRunner, FIRST_BUFFER_WITHIN_MS, STALL_AFTER_MS } from '../../src/adapters/audio/clock-runner.js';
import type { FrameSource } from '../../src/adapters/audio/frame-sources.js';
import type { AudioStreamConfig } from '../../src/engine/ports/audio-host.js';

const config: AudioStreamConfig = { input: 'Interface', output: 'Interface', sampleRate: 48000, framesPerBuffer: 480, inputChannels: 2, outputChannels: 2, startPosition: 0 };

class ScriptedSource implements FrameSource {
  readonly clockSource = 'audio-device';
  deliver: (frames: number) => void = () => {};
  start(onBuffer: (frames: number, samples: Buffer | null) => void): void {
    this.deliver = (frames) => onBuffer(frames, null);
  }
  async close(): Promise<void> {}
}

afterEach(() => vi.useRealTimers());

function setup() {
  vi.useFakeTimers();
  let now = 0;
  const source = new ScriptedSource();
  const failures: string[] = [];
  const stats: number[] = [];
  const runner = new ClockRunner(source, config, {
    tick: () => {},
    applied: () => {},
    changed: () => {},
    meters: () => {},
    takeFlushed: () => {},
    takeFinished: () => {},
    stats: (s) => stats.push(s.lateBuffers),
    failed: (error) => failures.push(error.code),
  }, () => now, () => now);
  return {
    runner, source, failures, stats,
    /** Time passing with this process running: timers fire when they are due. */
    advance: (ms: number) => {
      for (let left = ms; left > 0; left -= 10) {
        now += Math.min(10, left);
        vi.advanceTimersByTime(Math.min(10, left));
      }
    },
    /** This process not running for `ms` (starved, paused): its due timers all fire late, at the end. */
    block: (ms: number) => {
      now += ms;
      vi.advanceTimersByTime(ms);
    },
  };
}

describe('ClockRunner', () => {
  it('reports a stream that never delivers', async () => {
    const { runner, failures, advance } = setup();
    const started = runner.start();
    started.catch(() => {});
    advance(FIRST_BUFFER_WITHIN_MS + 300);
    await expect(started).rejects.toMatchObject({ code: 'AUDIO_STREAM_SILENT' });
    expect(failures).toEqual(['AUDIO_STREAM_SILENT']);
  });

  it('reports a stream that stops delivering (an interface unplugged mid-session)', async () => {
    const { runner, source, failures, advance } = setup();
    const started = runner.start();
    source.deliver(480);
    await started;
    advance(STALL_AFTER_MS + 300);
    expect(failures).toEqual(['AUDIO_STREAM_STALLED']);
    await runner.close();
  });

  it('does not blame the interface for the time this process itself was not running', async () => {
    const { runner, source, failures, advance, block } = setup();
    const started = runner.start();
    source.deliver(480);
    await started;
    block(STALL_AFTER_MS + 500);
    // The buffers delivered meanwhile come in behind the late check.
    source.deliver(480);
    advance(1000);
    expect(failures).toEqual([]);
    // ...but an interface that delivers nothing after this process runs again is stalled.
    block(STALL_AFTER_MS + 500);
    advance(STALL_AFTER_MS - 300);
    expect(failures).toEqual([]);
    advance(600);
    expect(failures).toEqual(['AUDIO_STREAM_STALLED']);
    await runner.close();
  });

  it('counts buffers that arrive more than three periods late', async () => {
    const { runner, source, stats, advance } = setup();
    const started = runner.start();
    for (let i = 0; i < 199; i++) {
      source.deliver(480);
      advance(i === 50 || i === 120 ? 60 : 10); // 10 ms periods, two stalls of 60 ms
    }
    source.deliver(480);
    await started;
    expect(stats.at(-1)).toBe(2);
    await runner.close();
  });
});
