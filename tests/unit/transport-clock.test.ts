import { describe, expect, it } from 'vitest';
import { TransportClock } from '../../src/core/transport/transport-clock.js';

describe('TransportClock', () => {
  it('advances only while rolling, by exactly the frames delivered', () => {
    const clock = new TransportClock(1000);
    clock.advance(256);
    expect(clock.snapshot()).toEqual({ state: 'stopped', position: 1000, streamFrame: 256 });
    clock.enqueue({ kind: 'play' });
    const applied = clock.advance(256);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.after).toEqual({ state: 'rolling', position: 1000, streamFrame: 256 });
    clock.advance(100);
    expect(clock.snapshot()).toEqual({ state: 'rolling', position: 1356, streamFrame: 612 });
  });

  it('applies commands at the start of the next buffer, in order', () => {
    const clock = new TransportClock(0);
    clock.enqueue({ kind: 'locate', position: 48000 });
    clock.enqueue({ kind: 'play' });
    const applied = clock.advance(10);
    expect(applied.map((change) => change.command.kind)).toEqual(['locate', 'play']);
    expect(clock.snapshot().position).toBe(48010);
    clock.enqueue({ kind: 'stop' });
    const [stop] = clock.advance(10);
    expect(stop!.after).toEqual({ state: 'stopped', position: 48010, streamFrame: 10 });
    expect(clock.snapshot().position).toBe(48010);
  });

  it('locates while rolling and keeps rolling', () => {
    const clock = new TransportClock(0);
    clock.enqueue({ kind: 'play' });
    clock.advance(5);
    clock.enqueue({ kind: 'locate', position: 7 });
    clock.advance(5);
    expect(clock.snapshot()).toEqual({ state: 'rolling', position: 12, streamFrame: 10 });
  });

  it('rejects fractional or negative positions and buffers', () => {
    expect(() => new TransportClock(-1)).toThrow(RangeError);
    const clock = new TransportClock(0);
    expect(() => clock.enqueue({ kind: 'locate', position: 1.5 })).toThrow(RangeError);
    expect(() => clock.advance(-3)).toThrow(RangeError);
  });
});

describe('TransportClock play until', () => {
  it('stops by itself at the first buffer boundary at or past the end, and says so', () => {
    const clock = new TransportClock(1000);
    clock.enqueue({ kind: 'play', until: 1500 });
    clock.advance(256); // 1000 → 1256
    expect(clock.advance(256)).toEqual([]); // 1256 → 1512: the boundary at 1256 is before the end
    const [stop] = clock.advance(256);
    expect(stop).toMatchObject({ auto: true, command: { kind: 'stop' }, before: { state: 'rolling', position: 1512 }, after: { state: 'stopped', position: 1512 } });
    expect(clock.snapshot()).toEqual({ state: 'stopped', position: 1512, streamFrame: 768 });
  });

  it('a plain play while rolling keeps the end; one with its own end replaces it', () => {
    const clock = new TransportClock(0);
    clock.enqueue({ kind: 'play', until: 20 });
    clock.advance(8);
    clock.enqueue({ kind: 'play' });
    clock.advance(8);
    clock.advance(8);
    expect(clock.advance(8)[0]).toMatchObject({ auto: true, after: { state: 'stopped', position: 24 } });
    clock.enqueue({ kind: 'play', until: 100 });
    clock.advance(8);
    clock.enqueue({ kind: 'play', until: 40 }); // 32: the new end replaces 100
    clock.advance(8);
    expect(clock.advance(8)[0]).toMatchObject({ auto: true, after: { position: 40 } });
  });

  it('a stop or a new play clears the end', () => {
    const clock = new TransportClock(0);
    clock.enqueue({ kind: 'play', until: 10 });
    clock.enqueue({ kind: 'stop' });
    clock.enqueue({ kind: 'play' });
    clock.advance(8);
    expect(clock.advance(8)).toEqual([]);
    expect(clock.snapshot()).toMatchObject({ state: 'rolling', position: 16 });
  });
});
