import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoopstageError } from '../../src/core/errors.js';
import { ClockInterpolator, type ClockTickInput } from '../../src/core/transport/clock-interpolator.js';

const SR = 48_000;
const ONE_HOUR = 3600 * SR; // 01:00:00:00 at 48 kHz
const TICK_MS = 1000 / 30;

function tick(position: number, hostTime: number, extra: Partial<ClockTickInput> = {}): ClockTickInput {
  return { position, state: 'rolling', hostTime, sampleRate: SR, streamFrame: position - ONE_HOUR + 1_000, ...extra };
}

/** Deterministic jitter (a small LCG): the same "random" delays on every run. */
function jitter(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('ClockInterpolator', () => {
  it('shows 0 and stopped before anything arrived', () => {
    const clock = new ClockInterpolator();
    expect(clock.hasClock).toBe(false);
    expect(clock.state).toBe('stopped');
    expect(clock.positionAt(123)).toBe(0);
  });

  it('extrapolates a rolling clock at the tick sample rate from the mapped host time', () => {
    const clock = new ClockInterpolator();
    // Engine clock 5 s behind ours, delivered after 10 ms.
    clock.update(tick(ONE_HOUR, 1_000_000), 1_005_010);
    expect(clock.offset).toBe(5_010);
    expect(clock.positionAt(1_005_010)).toBe(ONE_HOUR);
    expect(clock.positionAt(1_005_030)).toBe(ONE_HOUR + 960); // 20 ms at 48 kHz
    expect(clock.positionAt(1_005_030.5)).toBe(ONE_HOUR + 984); // integer samples
    expect(clock.positionAt(1_005_060)).toBe(ONE_HOUR + 2_400);
  });

  it('uses the sample rate the tick carries', () => {
    const clock = new ClockInterpolator();
    clock.update({ ...tick(0, 0), sampleRate: 96_000, streamFrame: 0 }, 0);
    expect(clock.positionAt(10)).toBe(960);
  });

  it('never extrapolates more than 100 ms past the last tick', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR, 0), 0);
    expect(clock.positionAt(100)).toBe(ONE_HOUR + 4_800);
    expect(clock.positionAt(250)).toBe(ONE_HOUR + 4_800);
    expect(clock.positionAt(60_000)).toBe(ONE_HOUR + 4_800);
  });

  it('honours a custom extrapolation limit', () => {
    const clock = new ClockInterpolator({ maxExtrapolationMs: 40 });
    clock.update(tick(ONE_HOUR, 0), 0);
    expect(clock.positionAt(1_000)).toBe(ONE_HOUR + 1_920);
  });

  it('does not extrapolate before the tick (a query earlier than the tick shows the tick)', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR, 1_000), 1_000);
    expect(clock.positionAt(900)).toBe(ONE_HOUR);
  });

  it('estimates the offset as the least delay over recent ticks, despite jittered delivery', () => {
    const random = jitter(42);
    const skew = 7_345.25; // our clock minus the engine's
    const minDelay = 1.5;
    const clock = new ClockInterpolator();
    let worstError = 0;
    let worstNaiveError = 0;
    for (let i = 0; i < 300; i++) {
      const hostTime = 50_000 + i * TICK_MS;
      const truePosition = ONE_HOUR + Math.round((i * TICK_MS * SR) / 1000);
      const delay = minDelay + random() * 25; // 1.5 … 26.5 ms on the wire
      const receivedAt = hostTime + skew + delay;
      clock.update(tick(truePosition, hostTime), receivedAt);
      if (i < 60) continue; // let the estimate settle over the first two seconds
      expect(clock.offset).toBeGreaterThanOrEqual(skew + minDelay);
      expect(clock.offset).toBeLessThan(skew + minDelay + 3);
      // Between this tick and the next, the shown position follows the true one closely.
      for (const after of [0, 10, 20, 30]) {
        const localNow = hostTime + skew + after;
        if (localNow < receivedAt) continue; // not displayed before it arrived
        const truth = ONE_HOUR + ((i * TICK_MS + after) * SR) / 1000;
        worstError = Math.max(worstError, Math.abs(clock.positionAt(localNow) - truth));
        // What a naive "tick time = receive time" mapping would show.
        const naive = truePosition + Math.max(0, ((localNow - receivedAt) * SR) / 1000);
        worstNaiveError = Math.max(worstNaiveError, Math.abs(naive - truth));
      }
    }
    // Off by at most the unseen minimum delay plus ~3 ms of estimate (≤ 216 samples), far
    // better than trusting each tick's arrival time (up to ~26 ms ≈ 1,250 samples).
    expect(worstError).toBeLessThan(((minDelay + 3) * SR) / 1000);
    expect(worstNaiveError).toBeGreaterThan(1_000);
  });

  it('follows a changed offset once the old minimum leaves the window', () => {
    const clock = new ClockInterpolator({ offsetWindow: 10 });
    clock.update(tick(ONE_HOUR, 0), 2); // a very fast tick
    for (let i = 1; i <= 9; i++) clock.update(tick(ONE_HOUR + i * 1_600, i * TICK_MS), i * TICK_MS + 20);
    expect(clock.offset).toBe(2);
    clock.update(tick(ONE_HOUR + 10 * 1_600, 10 * TICK_MS), 10 * TICK_MS + 20);
    expect(clock.offset).toBe(20);
  });

  it('shows exactly the engine position while stopped', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR + 12_345, 0, { state: 'stopped' }), 5);
    expect(clock.state).toBe('stopped');
    expect(clock.positionAt(5)).toBe(ONE_HOUR + 12_345);
    expect(clock.positionAt(5_000)).toBe(ONE_HOUR + 12_345);
  });

  it('jumps to the stop position even when the display had run past it', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR, 0), 0);
    expect(clock.positionAt(90)).toBe(ONE_HOUR + 4_320); // extrapolated 90 ms
    // The engine stopped 30 ms after the tick; the stop arrives later.
    const stopAt = ONE_HOUR + 1_440;
    clock.update(tick(stopAt, 30, { state: 'stopped', streamFrame: stopAt - ONE_HOUR + 1_000 }), 95);
    expect(clock.positionAt(95)).toBe(stopAt);
    expect(clock.positionAt(500)).toBe(stopAt);
  });

  it('jumps backwards on a locate while rolling', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR + 480_000, 0), 0);
    expect(clock.positionAt(50)).toBe(ONE_HOUR + 480_000 + 2_400);
    // Locate to 01:00:00:00 while rolling: same stream frames, new timeline position.
    const streamFrame = 480_000 + 1_000 + 1_600;
    clock.update(tick(ONE_HOUR, 33, { streamFrame }), 60);
    expect(clock.positionAt(60)).toBe(ONE_HOUR + 1_296); // 27 ms past the locate tick
    expect(clock.positionAt(80)).toBe(ONE_HOUR + 2_256);
  });

  it('starts a new roll from the engine position after stop and play', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR + 9_600, 0), 0);
    expect(clock.positionAt(100)).toBe(ONE_HOUR + 9_600 + 4_800);
    clock.update(tick(ONE_HOUR + 4_800, 200, { state: 'stopped', streamFrame: 20_000 }), 200);
    clock.update(tick(ONE_HOUR + 4_800, 300, { state: 'rolling', streamFrame: 24_800 }), 300);
    expect(clock.positionAt(300)).toBe(ONE_HOUR + 4_800);
  });

  it('never goes backwards within a roll, even when ticks lag behind the extrapolation', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR, 0), 0);
    expect(clock.positionAt(100)).toBe(ONE_HOUR + 4_800);
    // The next tick (delivered late, the audio clock running slow) is behind what is shown: the
    // roll's line goes on from the first tick, never back, and never more than 100 ms past the last tick.
    clock.update(tick(ONE_HOUR + 100, 33), 105);
    expect(clock.positionAt(105)).toBe(ONE_HOUR + 4_900);
    expect(clock.positionAt(130)).toBe(ONE_HOUR + 4_900);
    expect(clock.positionAt(400)).toBe(ONE_HOUR + 4_900);
  });

  it('follows the audio, not the engine\'s late stamps: a tick stamped late does not pull the clock back', () => {
    const clock = new ClockInterpolator();
    // The audio runs exactly at 48 kHz; the engine stamps each tick 0–15 ms late (its event loop was busy).
    let seed = 3;
    const late = () => (seed = (seed * 16807) % 2147483647) % 16;
    const errors: number[] = [];
    for (let i = 0; i < 240; i++) {
      const trueTime = i * (1000 / 60);
      const position = ONE_HOUR + Math.round((trueTime * 48_000) / 1000);
      const stamped = trueTime + late();
      clock.update(tick(position, stamped), stamped + 2);
      if (i > 30) {
        // Asked at the next frame time, 8 ms later: the true position then.
        const at = stamped + 2 + 8;
        const truth = ONE_HOUR + ((at - 2) * 48_000) / 1000;
        errors.push(Math.abs(clock.peekAt(at) - truth) / 48);
      }
    }
    // Within about a millisecond of the audio, where following each tick as stamped is off by up to 15 ms.
    expect(Math.max(...errors)).toBeLessThan(1.5);
  });

  it('is monotonic while rolling for any jittered delivery and drift (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ delay: fc.double({ min: 0, max: 80, noNaN: true }), drift: fc.double({ min: 0.97, max: 1.03, noNaN: true }) }), {
          minLength: 2,
          maxLength: 60,
        }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (ticks, skew) => {
          const clock = new ClockInterpolator({ offsetWindow: 8 });
          let shown = -1;
          let position = ONE_HOUR;
          let lastReceived = -Infinity;
          for (const [i, t] of ticks.entries()) {
            const hostTime = i * TICK_MS;
            const receivedAt = Math.max(lastReceived, hostTime + skew + t.delay); // in order, as on one socket
            lastReceived = receivedAt;
            clock.update(tick(position, hostTime), receivedAt);
            for (let k = 0; k < 4; k++) {
              const now = receivedAt + k * 10;
              const p = clock.positionAt(now);
              expect(Number.isSafeInteger(p)).toBe(true);
              expect(p).toBeGreaterThanOrEqual(shown);
              shown = p;
            }
            position += Math.round(((TICK_MS * SR) / 1000) * t.drift);
          }
        },
      ),
    );
  });

  it('applies a snapshot without host time: stop is immediate, a stale snapshot of the same roll is ignored', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR + 48_000, 1_000), 1_010);
    const shown = clock.positionAt(1_050);
    expect(shown).toBe(ONE_HOUR + 48_000 + 1_920);
    // The reply to `play` (start of this roll) arrives late: ignored.
    clock.applySnapshot({ state: 'rolling', position: ONE_HOUR, streamFrame: 1_000 }, SR, 1_055);
    expect(clock.positionAt(1_055)).toBeGreaterThanOrEqual(shown);
    // transport.changed: stopped.
    clock.applySnapshot({ state: 'stopped', position: ONE_HOUR + 49_000, streamFrame: 50_000 }, SR, 1_060);
    expect(clock.state).toBe('stopped');
    expect(clock.positionAt(2_000)).toBe(ONE_HOUR + 49_000);
  });

  it('rolls from a snapshot when no tick has arrived yet, anchored at its receive time', () => {
    const clock = new ClockInterpolator();
    clock.applySnapshot({ state: 'rolling', position: ONE_HOUR, streamFrame: 0 }, SR, 500);
    expect(clock.hasClock).toBe(true);
    expect(clock.positionAt(510)).toBe(ONE_HOUR + 480);
    expect(clock.positionAt(900)).toBe(ONE_HOUR + 4_800);
  });

  it('forgets everything on reset', () => {
    const clock = new ClockInterpolator();
    clock.update(tick(ONE_HOUR, 0), 0);
    clock.reset();
    expect(clock.hasClock).toBe(false);
    expect(clock.offset).toBeNull();
    expect(clock.positionAt(10)).toBe(0);
  });

  it('rejects malformed ticks and times with a LoopstageError', () => {
    const clock = new ClockInterpolator();
    expect(() => clock.update(tick(-1, 0), 0)).toThrow(LoopstageError);
    expect(() => clock.update(tick(1.5, 0), 0)).toThrow(LoopstageError);
    expect(() => clock.update(tick(ONE_HOUR, Number.NaN), 0)).toThrow(LoopstageError);
    expect(() => clock.update({ ...tick(ONE_HOUR, 0), sampleRate: 0 }, 0)).toThrow(LoopstageError);
    expect(() => clock.positionAt(Number.POSITIVE_INFINITY)).toThrow(LoopstageError);
    expect(() => new ClockInterpolator({ offsetWindow: 0 })).toThrow(LoopstageError);
  });
});
