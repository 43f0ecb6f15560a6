/** Auto-advance after a circled take: by number, by character, or to the next cue not done. */
import { describe, expect, it } from 'vitest';
import { CUE_FIELD_DEFAULTS, type Cue } from '../../src/core/cues/cue.js';
import { nextCue } from '../../src/core/cues/advance.js';

let id = 1;
const cue = (number: string, fields: Partial<Cue> = {}): Cue => ({
  ...CUE_FIELD_DEFAULTS, kind: 'adr', number, in: 0, out: 1, id: id++, doneAt: null, updatedAt: '2026-12-04T00:00:00.000Z', ...fields,
});

const cues = [
  cue('R110', { character: 'ROBIN' }),
  cue('R102', { character: 'MARIAN', status: 'done' }),
  cue('R101', { character: 'ROBIN' }),
  cue('R103', { character: 'robin', status: 'done' }),
  cue('R104', { character: 'MARIAN' }),
  cue('R20', { character: 'ROBIN', status: 'omitted' }),
  cue('F101', { kind: 'foley', pass: 'feet', character: 'ROBIN' }),
];
const by = (number: string) => cues.find((c) => c.number === number)!;

describe('nextCue', () => {
  it('goes to the next cue by number, in natural order (R20 before R101), within the same kind', () => {
    expect(nextCue(cues, by('R101'), 'number')?.number).toBe('R102');
    expect(nextCue(cues, by('R20'), 'number')?.number).toBe('R101');
    expect(nextCue(cues, by('R110'), 'number')).toBeNull();
    expect(nextCue(cues, by('F101'), 'number')).toBeNull();
  });

  it('goes to the same character\'s next cue (names ignore case)', () => {
    expect(nextCue(cues, by('R101'), 'character')?.number).toBe('R103');
    expect(nextCue(cues, by('R102'), 'character')?.number).toBe('R104');
    expect(nextCue(cues, by('R104'), 'character')).toBeNull();
  });

  it('goes to the next cue not done or omitted, wrapping round to the first still to do', () => {
    expect(nextCue(cues, by('R101'), 'not-done')?.number).toBe('R104');
    expect(nextCue(cues, by('R104'), 'not-done')?.number).toBe('R110');
    expect(nextCue(cues, by('R110'), 'not-done')?.number).toBe('R101');
    expect(nextCue([by('R101')], by('R101'), 'not-done')).toBeNull();
  });

  it('stays put when off', () => {
    expect(nextCue(cues, by('R101'), 'off')).toBeNull();
  });
});
