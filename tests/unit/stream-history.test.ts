/**
 * StreamHistory: where each recent buffer of the stream was on the timeline, as a ring. Checked
 * against a plain list of every buffer ever pushed, over wraps of the ring.
 */
import { describe, expect, it } from 'vitest';
import { StreamHistory, type BufferRecord, type TimelineSegment } from '../../src/adapters/audio/stream-history.js';

/** The timeline sample of each stream frame in [from, to), from the newest `capacity` of `all`. */
function reference(all: BufferRecord[], capacity: number, from: number, to: number): (number | null)[] {
  const kept = all.slice(-capacity);
  const out: (number | null)[] = [];
  for (let frame = from; frame < to; frame++) {
    const record = kept.find((r) => frame >= r.streamFrame && frame < r.streamFrame + r.frames);
    out.push(record && record.rolling ? record.position + (frame - record.streamFrame) : null);
  }
  return out;
}

/** Segments, checked to tile [from, to) in order, as one timeline sample (or null) per frame. */
function perFrame(segments: TimelineSegment[], from: number, to: number): (number | null)[] {
  const out: (number | null)[] = [];
  let cursor = from;
  for (const segment of segments) {
    expect(segment.from).toBe(cursor);
    expect(segment.to).toBeGreaterThan(segment.from);
    for (let frame = segment.from; frame < segment.to; frame++) out.push(segment.position === null ? null : segment.position + (frame - segment.from));
    cursor = segment.to;
  }
  expect(cursor).toBe(to);
  return out;
}

describe('StreamHistory', () => {
  it('reports frames before the stream started, and an empty history, as not rolling', () => {
    const history = new StreamHistory(4);
    expect(history.segments(-10, 5)).toEqual([{ from: -10, to: 5, position: null }]);
    history.push({ streamFrame: 0, frames: 8, position: 1000, rolling: true });
    expect(history.segments(-4, 4)).toEqual([
      { from: -4, to: 0, position: null },
      { from: 0, to: 4, position: 1000 },
    ]);
  });

  it('splits a range at every buffer, following the position each buffer was given', () => {
    const history = new StreamHistory(8);
    history.push({ streamFrame: 0, frames: 4, position: 100, rolling: true });
    history.push({ streamFrame: 4, frames: 4, position: 104, rolling: true });
    history.push({ streamFrame: 8, frames: 4, position: 500, rolling: true }); // a locate
    history.push({ streamFrame: 12, frames: 4, position: 504, rolling: false }); // stopped
    expect(history.segments(2, 15)).toEqual([
      { from: 2, to: 4, position: 102 },
      { from: 4, to: 8, position: 104 },
      { from: 8, to: 12, position: 500 },
      { from: 12, to: 15, position: null },
    ]);
    // Past the newest buffer: not known to be rolling.
    expect(history.segments(14, 20)).toEqual([
      { from: 14, to: 16, position: null },
      { from: 16, to: 20, position: null },
    ]);
  });

  it('forgets the oldest buffers once full, through many wraps, as a list of everything pushed would say', () => {
    const capacity = 5;
    const history = new StreamHistory(capacity);
    const all: BufferRecord[] = [];
    let streamFrame = 0;
    let position = 48_000;
    for (let i = 0; i < 37; i++) {
      const frames = 3 + (i % 4);
      const record = { streamFrame, frames, position, rolling: i % 7 !== 3 };
      history.push(record);
      all.push(record);
      streamFrame += frames;
      position = i % 11 === 5 ? position + 10_000 : position + frames;
      const oldest = all.slice(-capacity)[0]!.streamFrame;
      for (const [from, to] of [[oldest - 3, streamFrame + 2], [oldest, oldest + 1], [streamFrame - 4, streamFrame], [oldest + 2, streamFrame - 1]] as const) {
        if (to > from) expect(perFrame(history.segments(from, to), from, to), `after ${i + 1} pushes, ${from}…${to}`).toEqual(reference(all, capacity, from, to));
      }
    }
  });
});
