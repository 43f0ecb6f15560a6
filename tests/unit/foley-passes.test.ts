/** Foley passes: which events a pass holds, the range it rolls over, and what a take covers. */
import { describe, expect, it } from 'vitest';
import { CUE_FIELD_DEFAULTS, type Cue } from '../../src/core/cues/cue.js';
import { coveredEvents, planPass } from '../../src/core/recording/foley-passes.js';

let nextId = 1;
function cue(fields: Partial<Cue> & Pick<Cue, 'number' | 'in' | 'out'>): Cue {
  return { ...CUE_FIELD_DEFAULTS, kind: 'foley', pass: 'feet', id: nextId++, doneAt: null, updatedAt: '2026-12-04T00:00:00.000Z', ...fields };
}

const S = 48_000;
const cues: Cue[] = [
  cue({ number: 'F103', in: 30 * S, out: 32 * S, character: 'Robin', scene: '12', reel: '1' }),
  cue({ number: 'F101', in: 10 * S, out: 12 * S, character: 'Robin', scene: '12', reel: '1' }),
  cue({ number: 'F102', in: 20 * S, out: 21 * S, character: 'Marian', scene: '12', reel: '1' }),
  cue({ number: 'F201', in: 100 * S, out: 104 * S, character: 'Robin', scene: '14', reel: '1', pass: 'props', prop: 'sword' }),
  cue({ number: 'F301', in: 200 * S, out: 200 * S, character: 'Robin', scene: '15', reel: '2' }),
  cue({ kind: 'adr', pass: null, number: 'R101', in: 11 * S, out: 13 * S, character: 'Robin', scene: '12', reel: '1' }),
];
const scenes = [{ number: '12', in: 5 * S, out: 40 * S }, { number: '14', in: 90 * S, out: 120 * S }, { number: '16', in: 300 * S, out: 360 * S }];

describe('planPass', () => {
  it('takes a character\'s feet in a scene, over the whole scene', () => {
    const plan = planPass(cues, { pass: 'feet', character: 'robin', scope: 'scene', scene: '12' }, scenes);
    expect(plan.events.map((c) => c.number)).toEqual(['F101', 'F103']);
    expect(plan).toMatchObject({ in: 5 * S, out: 40 * S, name: 'Feet robin sc 12' });
    // Every character's feet when none is named; a scene with no events still has its span.
    expect(planPass(cues, { pass: 'feet', character: null, scope: 'scene', scene: '12' }, scenes).events.map((c) => c.number)).toEqual(['F101', 'F102', 'F103']);
    expect(planPass(cues, { pass: 'cloth', character: null, scope: 'scene', scene: '16' }, scenes)).toMatchObject({ events: [], in: 300 * S, out: 360 * S, name: 'Cloth sc 16' });
  });

  it('runs a reel or a selection from its first event\'s in to its last event\'s out', () => {
    expect(planPass(cues, { pass: 'feet', character: 'Robin', scope: 'reel', reel: '1' })).toMatchObject({ in: 10 * S, out: 32 * S, name: 'Feet Robin reel 1' });
    const ids = cues.filter((c) => ['F201', 'F102'].includes(c.number)).map((c) => c.id);
    const selection = planPass(cues, { pass: 'specifics', character: null, scope: 'selection', cueIds: ids });
    expect(selection).toMatchObject({ in: 20 * S, out: 104 * S, name: 'Specifics F102–F201' });
    expect(selection.events.map((c) => c.number)).toEqual(['F102', 'F201']);
    // A single moment (in = out) still rolls over one sample.
    expect(planPass(cues, { pass: 'feet', character: null, scope: 'reel', reel: '2' })).toMatchObject({ in: 200 * S, out: 200 * S + 1 });
  });

  it('refuses what is not a pass, with a code and what to do', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'no error';
    };
    expect(code(() => planPass(cues, { pass: 'feet', character: null, scope: 'scene', scene: '99' }, scenes))).toBe('PASS_SCENE_NOT_FOUND');
    expect(code(() => planPass(cues, { pass: 'moves', character: null, scope: 'reel', reel: '1' }))).toBe('PASS_EMPTY');
    expect(code(() => planPass(cues, { pass: 'feet', character: null, scope: 'reel' }))).toBe('PASS_REEL_NOT_FOUND');
    const adr = cues.find((c) => c.number === 'R101')!.id;
    expect(code(() => planPass(cues, { pass: 'feet', character: null, scope: 'selection', cueIds: [adr] }))).toBe('PASS_NOT_FOLEY');
    expect(code(() => planPass(cues, { pass: 'feet', character: null, scope: 'selection', cueIds: [9999] }))).toBe('CUE_NOT_FOUND');
    expect(code(() => planPass(cues, { pass: 'feet', character: null, scope: 'selection', cueIds: [] }))).toBe('PASS_EMPTY');
  });
});

describe('coveredEvents', () => {
  const events = [{ id: 1, in: 100, out: 200 }, { id: 2, in: 250, out: 300 }, { id: 3, in: 400, out: 400 }];
  it('counts an event covered only when it lies wholly inside what the take recorded', () => {
    expect(coveredEvents(events, 100, 300)).toEqual([1, 2]);
    expect(coveredEvents(events, 100, 301)).toEqual([1, 2, 3]);
    expect(coveredEvents(events, 101, 400)).toEqual([2, 3]);
    expect(coveredEvents(events, 0, 299)).toEqual([1]);
    expect(coveredEvents(events, 0, 400)).toEqual([1, 2]);
    expect(coveredEvents(events, 0, 401)).toEqual([1, 2, 3]);
    expect(coveredEvents(events, 0, 0)).toEqual([]);
  });
});
