/**
 * What the transport did with each recent buffer of the open stream: where on the timeline its
 * first frame was and whether it was rolling. A take is cut by looking up, for every input frame i,
 * the timeline sample its sound was played at: the output written in the callback of stream frame
 * i − latency. Kept for the last few seconds only.
 */

export interface BufferRecord {
  /** Stream frame of the buffer's first frame. */
  readonly streamFrame: number;
  readonly frames: number;
  /** Timeline sample of the first frame (meaningful while rolling). */
  readonly position: number;
  readonly rolling: boolean;
}

/** A run of stream frames [from, to) and the timeline sample of `from`, or null while not rolling. */
export interface TimelineSegment {
  readonly from: number;
  readonly to: number;
  readonly position: number | null;
}

export class StreamHistory {
  readonly #records: BufferRecord[] = [];
  #head = 0;

  /** `capacity` buffers are remembered: enough to cover the longest latency. */
  constructor(private readonly capacity = 4096) {}

  push(record: BufferRecord): void {
    if (this.#records.length < this.capacity) this.#records.push(record);
    else {
      this.#records[this.#head] = record;
      this.#head = (this.#head + 1) % this.capacity;
    }
  }

  /** Records oldest first. */
  #at(index: number): BufferRecord {
    return this.#records[(this.#head + index) % this.#records.length]!;
  }

  /**
   * Segments covering stream frames [from, to). Frames before the oldest record (or before the
   * stream started) are reported as not rolling.
   */
  segments(from: number, to: number): TimelineSegment[] {
    const out: TimelineSegment[] = [];
    const count = this.#records.length;
    // Binary search for the last record starting at or before `from`.
    let lo = 0;
    let hi = count - 1;
    let first = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.#at(mid).streamFrame <= from) {
        first = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let cursor = from;
    if (first === -1) {
      const oldest = count > 0 ? this.#at(0).streamFrame : to;
      const end = Math.min(to, oldest);
      if (end > cursor) out.push({ from: cursor, to: end, position: null });
      cursor = end;
      first = 0;
    }
    for (let index = first; index < count && cursor < to; index++) {
      const record = this.#at(index);
      const recordEnd = record.streamFrame + record.frames;
      if (recordEnd <= cursor) continue;
      const end = Math.min(to, recordEnd);
      out.push({ from: cursor, to: end, position: record.rolling ? record.position + (cursor - record.streamFrame) : null });
      cursor = end;
    }
    if (cursor < to) out.push({ from: cursor, to, position: null });
    return out;
  }
}
