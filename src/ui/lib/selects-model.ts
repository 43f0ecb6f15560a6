/** The selects, per cue: its circled take and alternates (pure; the state lives in selects.svelte.ts). */
import type { Take } from '../../api/contract.js';
import type { Cue } from '../../core/cues/cue.js';
import { compareCueNumbers } from '../../core/cues/filter.js';

export interface CueSelects {
  readonly cue: Cue;
  readonly circled: Take | null;
  readonly alternates: readonly Take[];
  /** Takes with audio that are neither circled, alternates, NG nor false starts. */
  readonly others: number;
}

/** Per cue with takes (and every ADR cue), its circled take and alternates, by cue number. */
export function selectsOf(cues: readonly Cue[], takes: readonly Take[]): CueSelects[] {
  const byCue = new Map<number, Take[]>();
  for (const take of takes) {
    if (take.cueId === null) continue;
    byCue.set(take.cueId, [...(byCue.get(take.cueId) ?? []), take]);
  }
  return cues
    .filter((cue) => byCue.has(cue.id) || cue.kind === 'adr')
    .sort((a, b) => compareCueNumbers(a.number, b.number))
    .map((cue) => {
      const own = (byCue.get(cue.id) ?? []).sort((a, b) => a.number - b.number);
      return {
        cue,
        circled: own.find((t) => t.circled) ?? null,
        alternates: own.filter((t) => t.alternate),
        others: own.filter((t) => !t.circled && !t.alternate && !t.noGood && !t.falseStart && t.length > 0).length,
      };
    });
}

