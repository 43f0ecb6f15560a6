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

/**
 * A ring of the last `capacity` buffers in typed arrays. As objects, one record per buffer (about 90
 * a second) would live long enough to be promoted and then die in V8's old space, and the audio
 * process's heap would creep up between full collections.
 */
export class StreamHistory {
  readonly #streamFrame: Float64Array;
  readonly #frames: Float64Array;
  readonly #position: Float64Array;
  readonly #rolling: Uint8Array;
  #count = 0;
  /** The slot of the oldest record once the ring is full (0 until then). */
  #head = 0;

  /** `capacity` buffers are remembered: enough to cover the longest latency. */
  constructor(private readonly capacity = 4096) {
    this.#streamFrame = new Float64Array(capacity);
    this.#frames = new Float64Array(capacity);
    this.#position = new Float64Array(capacity);
    this.#rolling = new Uint8Array(capacity);
  }

  push(record: BufferRecord): void {
    let slot: number;
    if (this.#count < this.capacity) slot = this.#count++;
    else {
      slot = this.#head;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#streamFrame[slot] = record.streamFrame;
    this.#frames[slot] = record.frames;
    this.#position[slot] = record.position;
    this.#rolling[slot] = record.rolling ? 1 : 0;
  }

  /** The slot of the index-th record, oldest first. */
  #slot(index: number): number {
    return (this.#head + index) % this.#count;
  }

  /**
   * Segments covering stream frames [from, to). Frames before the oldest record (or before the
   * stream started) are reported as not rolling.
   */
  segments(from: number, to: number): TimelineSegment[] {
    const out: TimelineSegment[] = [];
    const count = this.#count;
    // Binary search for the last record starting at or before `from`.
    let lo = 0;
    let hi = count - 1;
    let first = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.#streamFrame[this.#slot(mid)]! <= from) {
        first = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let cursor = from;
    if (first === -1) {
      const oldest = count > 0 ? this.#streamFrame[this.#slot(0)]! : to;
      const end = Math.min(to, oldest);
      if (end > cursor) out.push({ from: cursor, to: end, position: null });
      cursor = end;
      first = 0;
    }
    for (let index = first; index < count && cursor < to; index++) {
      const slot = this.#slot(index);
      const start = this.#streamFrame[slot]!;
      const recordEnd = start + this.#frames[slot]!;
      if (recordEnd <= cursor) continue;
      const end = Math.min(to, recordEnd);
      out.push({ from: cursor, to: end, position: this.#rolling[slot] === 1 ? this.#position[slot]! + (cursor - start) : null });
      cursor = end;
    }
    if (cursor < to) out.push({ from: cursor, to, position: null });
    return out;
  }
}
