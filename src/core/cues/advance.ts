/**
 * Where the session goes after a circled take: ADR sessions run by cue number, by character (the
 * actor in the booth does all their lines), or to the next cue not yet done. Pure.
 */
import type { Cue } from './cue.js';
import { compareCueNumbers } from './filter.js';

export type AdvanceMode = 'off' | 'number' | 'character' | 'not-done';

export const ADVANCE_MODES: readonly AdvanceMode[] = ['off', 'number', 'character', 'not-done'];

export const ADVANCE_LABELS: Readonly<Record<AdvanceMode, string>> = {
  off: 'Stay on the cue',
  number: 'Next cue by number',
  character: 'Next cue of the same character',
  'not-done': 'Next cue not done',
};

const open = (cue: Cue) => cue.status !== 'done' && cue.status !== 'omitted';

/**
 * The cue after `current` among `cues` (the list the operator works in, e.g. the filtered one), by
 * `mode`, in cue-number order; null when there is none (the end of the list, or mode 'off'). Same
 * kind only: an ADR session does not jump into the Foley list.
 */
export function nextCue(cues: readonly Cue[], current: Cue, mode: AdvanceMode): Cue | null {
  if (mode === 'off') return null;
  const after = cues
    .filter((cue) => cue.id !== current.id && cue.kind === current.kind && compareCueNumbers(cue.number, current.number) > 0)
    .sort((a, b) => compareCueNumbers(a.number, b.number));
  const ahead = (test: (cue: Cue) => boolean) => after.find(test) ?? null;
  switch (mode) {
    case 'number':
      return ahead(() => true);
    case 'character':
      return ahead((cue) => (cue.character ?? '').toLowerCase() === (current.character ?? '').toLowerCase());
    case 'not-done': {
      // Past the end, wrap round to the first cue still to do.
      const wrapped = cues.filter((cue) => cue.id !== current.id && cue.kind === current.kind).sort((a, b) => compareCueNumbers(a.number, b.number));
      return ahead(open) ?? wrapped.find(open) ?? null;
    }
  }
}
