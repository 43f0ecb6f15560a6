/**
 * Filtering and search over a cue list, in memory: the spotting view keeps 10,000 cues smooth by
 * filtering what it already holds, and the CLI and exports use the same rules.
 */
import type { Cue, CueKind, CueStatus } from './cue.js';

export interface CueFilter {
  readonly kind?: CueKind;
  /** Character name, case-insensitive. */
  readonly character?: string;
  readonly reel?: string;
  readonly status?: CueStatus;
  /** Words that must all appear (case-insensitive) in the cue's number, text, notes or names. */
  readonly search?: string;
}

function haystack(cue: Cue): string {
  return [cue.number, cue.lineText, cue.altText, cue.notes, cue.engNotes, cue.character ?? '', cue.reel ?? '',
    cue.scene ?? '', cue.description, cue.prop, cue.surface, cue.footwear, cue.track, cue.reason ?? '']
    .join('\u0000')
    .toLowerCase();
}

/** A cue list with its search text prepared once, so each filter pass is a scan of plain strings. */
export class CueIndex {
  #cues: Cue[] = [];
  #text: string[] = [];

  constructor(cues: readonly Cue[] = []) {
    this.replace(cues);
  }

  get cues(): readonly Cue[] {
    return this.#cues;
  }

  replace(cues: readonly Cue[]): void {
    this.#cues = [...cues].sort(compareCues);
    this.#text = this.#cues.map(haystack);
  }

  /** Applies changed and removed cues without rebuilding the whole index. */
  update(changed: readonly Cue[], removedIds: readonly number[] = []): void {
    if (changed.length + removedIds.length > this.#cues.length / 4) {
      const byId = new Map(this.#cues.map((cue) => [cue.id, cue]));
      for (const id of removedIds) byId.delete(id);
      for (const cue of changed) byId.set(cue.id, cue);
      this.replace([...byId.values()]);
      return;
    }
    for (const id of [...removedIds, ...changed.map((cue) => cue.id)]) {
      const at = this.#cues.findIndex((cue) => cue.id === id);
      if (at >= 0) {
        this.#cues.splice(at, 1);
        this.#text.splice(at, 1);
      }
    }
    for (const cue of changed) {
      let at = this.#cues.findIndex((other) => compareCues(cue, other) < 0);
      if (at < 0) at = this.#cues.length;
      this.#cues.splice(at, 0, cue);
      this.#text.splice(at, 0, haystack(cue));
    }
  }

  filter(filter: CueFilter): Cue[] {
    const words = (filter.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const character = filter.character?.toLowerCase();
    const reel = filter.reel?.toLowerCase();
    const out: Cue[] = [];
    for (let i = 0; i < this.#cues.length; i++) {
      const cue = this.#cues[i]!;
      if (filter.kind && cue.kind !== filter.kind) continue;
      if (filter.status && cue.status !== filter.status) continue;
      if (character !== undefined && (cue.character ?? '').toLowerCase() !== character) continue;
      if (reel !== undefined && (cue.reel ?? '').toLowerCase() !== reel) continue;
      if (words.length) {
        const text = this.#text[i]!;
        if (!words.every((word) => text.includes(word))) continue;
      }
      out.push(cue);
    }
    return out;
  }
}

/** Timeline order, then number (naturally: R2 before R10), then id. */
export function compareCues(a: Cue, b: Cue): number {
  return a.in - b.in || compareCueNumbers(a.number, b.number) || a.id - b.id;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
export function compareCueNumbers(a: string, b: string): number {
  return collator.compare(a, b);
}

export function filterCues(cues: readonly Cue[], filter: CueFilter): Cue[] {
  return new CueIndex(cues).filter(filter);
}
