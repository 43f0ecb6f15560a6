/**
 * The project lists panel's logic in plain TypeScript (no Svelte, no DOM): how many cues use each
 * character and reason code, and the example number a numbering template gives, rendered by the
 * same code the engine numbers with.
 */
import type { Cue, CueKind } from '../../core/cues/cue.js';
import { renumber, validateTemplate, type NumberingContext } from '../../core/cues/numbering.js';
import type { CueLists } from './cue-model.js';

/** Where a project lists action failed, so its notice shows next to the controls that caused it. */
export type ListsSection = 'characters' | 'reels' | 'reasons' | 'numbering';

export interface ListUsage {
  /** Cues per character name. */
  readonly characters: ReadonlyMap<string, number>;
  /** Cues per reason code, by its lower-case code. */
  readonly reasons: ReadonlyMap<string, number>;
}

export function countUsage(cues: Iterable<Pick<Cue, 'character' | 'reason'>>): ListUsage {
  const characters = new Map<string, number>();
  const reasons = new Map<string, number>();
  for (const cue of cues) {
    if (cue.character) characters.set(cue.character, (characters.get(cue.character) ?? 0) + 1);
    if (cue.reason) {
      const code = cue.reason.toLowerCase();
      reasons.set(code, (reasons.get(code) ?? 0) + 1);
    }
  }
  return { characters, reasons };
}

/** "1 cue", "3 cues". */
export function cueCount(count: number): string {
  return `${count} ${count === 1 ? 'cue' : 'cues'}`;
}

export interface NumberingExample {
  /** Who and where the example is for, e.g. "ROBIN in reel 1, first line". */
  readonly what: string;
  /** The number, e.g. "R101"; null when the template is not valid. */
  readonly number: string | null;
}

/**
 * The number the template gives the first cue of a sequence: for ADR, the project's first
 * character (or ROBIN when it has none) in its first numbered reel (or reel 1).
 */
export function numberingExample(template: string, kind: CueKind, lists: Pick<CueLists, 'characters' | 'reels'>): NumberingExample {
  const reelNumber = lists.reels.find((reel) => reel.number !== null)?.number ?? 1;
  const character = lists.characters[0];
  const name = character?.name ?? 'ROBIN';
  const context: NumberingContext =
    kind === 'adr' ? { kind, prefix: character?.prefix || null, characterName: name, reelNumber } : { kind, reelNumber };
  const what = kind === 'adr' ? `${name} in reel ${reelNumber}, first line` : `Reel ${reelNumber}, first event`;
  try {
    validateTemplate(template);
    return { what, number: renumber([context], { adr: template, foley: template })[0] ?? null };
  } catch {
    return { what, number: null };
  }
}
