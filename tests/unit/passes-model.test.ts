/** The Foley pass panel's model: the request a form makes, when recording is held, and what takes cover. */
import { describe, expect, it } from 'vitest';
import type { Take } from '../../src/api/contract.js';
import { CUE_FIELD_DEFAULTS, type Cue } from '../../src/core/cues/cue.js';
import { planPass } from '../../src/core/recording/foley-passes.js';
import { EMPTY_PASS_DRAFT, coverageText, coveredByPasses, passRequestOf, shownPassEvents, takeCovers, templateDraftOf, templateOf } from '../../src/ui/lib/passes-model.js';
import { recordRefusal } from '../../src/ui/lib/recorder-model.js';

let nextId = 1;
const cue = (number: string, fields: Partial<Cue> = {}): Cue => ({ ...CUE_FIELD_DEFAULTS, kind: 'foley', pass: 'feet', number, in: 0, out: 1, id: nextId++, doneAt: null, updatedAt: '', ...fields });
const take = (fields: Partial<Take> = {}): Pick<Take, 'status' | 'start' | 'length'> => ({ status: 'complete', start: 0, length: 0, ...fields });

const f1 = cue('F1', { character: 'ROBIN', in: 100, out: 200, scene: '7' });
const f2 = cue('F2', { character: 'robin', in: 300, out: 400, scene: '7' });
const f3 = cue('F3', { character: 'MARIAN', in: 250, out: 260, scene: '7' });
const props = cue('F4', { pass: 'props', character: 'ROBIN', in: 310, out: 320, scene: '7' });
const line = cue('R1', { kind: 'adr', pass: null, character: 'ROBIN', in: 120, out: 180, scene: '7' });

describe('shownPassEvents', () => {
  it('keeps the Foley events of the kind (and character, ignoring case) in the order shown', () => {
    expect(shownPassEvents([f2, line, f1, f3, props], 'feet', '').map((c) => c.number)).toEqual(['F2', 'F1', 'F3']);
    expect(shownPassEvents([f2, line, f1, f3, props], 'feet', ' Robin ').map((c) => c.number)).toEqual(['F2', 'F1']);
    expect(shownPassEvents([f2, line, f1, f3, props], 'props', '').map((c) => c.number)).toEqual(['F4']);
    expect(shownPassEvents([line], 'feet', '')).toEqual([]);
  });
});

describe('passRequestOf', () => {
  it('makes a scene, reel or selection request, trimming what was typed; an empty character means every character', () => {
    expect(passRequestOf({ ...EMPTY_PASS_DRAFT, scene: ' 7 ', character: 'ROBIN', name: '  ' }, [])).toEqual({
      ok: true, request: { pass: 'feet', character: 'ROBIN', scope: 'scene', scene: '7' },
    });
    expect(passRequestOf({ ...EMPTY_PASS_DRAFT, kind: 'props', over: 'reel', reel: 'Reel 1', name: ' Staff ' }, [])).toEqual({
      ok: true, request: { pass: 'props', character: null, scope: 'reel', reel: 'Reel 1', name: 'Staff' },
    });
    expect(passRequestOf({ ...EMPTY_PASS_DRAFT, over: 'shown', character: 'ROBIN' }, [f1, f3, line, f2, props])).toEqual({
      ok: true, request: { pass: 'feet', character: 'ROBIN', scope: 'selection', cueIds: [f1.id, f2.id] },
    });
  });

  it('says what is missing with a code, and the request plans as the engine plans it', () => {
    expect(passRequestOf({ ...EMPTY_PASS_DRAFT }, [])).toMatchObject({ ok: false, error: { code: 'PASS_SCENE_NOT_FOUND' } });
    expect(passRequestOf({ ...EMPTY_PASS_DRAFT, over: 'reel' }, [])).toMatchObject({ ok: false, error: { code: 'PASS_REEL_NOT_FOUND' } });
    expect(passRequestOf({ ...EMPTY_PASS_DRAFT, over: 'shown', kind: 'cloth' }, [f1, line])).toMatchObject({ ok: false, error: { code: 'PASS_EMPTY', message: expect.stringMatching(/no cloth events/) } });
    const planned = passRequestOf({ ...EMPTY_PASS_DRAFT, over: 'shown', character: 'ROBIN' }, [f1, f2, f3, props, line]);
    if (!planned.ok) throw new Error(planned.error.message);
    const plan = planPass([f1, f2, f3, props, line], planned.request);
    expect(plan.events.map((c) => c.number)).toEqual(['F1', 'F2']);
    expect([plan.in, plan.out, plan.name]).toEqual([100, 400, 'Feet ROBIN F1–F2']);
  });
});

describe('recordRefusal', () => {
  it('holds recording as the recorder does for cues: not armed first, then not calibrated unless chosen', () => {
    expect(recordRefusal({ armed: false, calibrated: true, uncalibrated: false })).toMatchObject({ code: 'RECORD_NOT_ARMED' });
    expect(recordRefusal({ armed: false, calibrated: false, uncalibrated: false })).toMatchObject({ code: 'RECORD_NOT_ARMED' });
    expect(recordRefusal({ armed: true, calibrated: false, uncalibrated: false })).toMatchObject({ code: 'RECORD_NOT_CALIBRATED', message: expect.stringMatching(/Calibrate.*Record uncalibrated/) });
    expect(recordRefusal({ armed: true, calibrated: false, uncalibrated: true })).toBeNull();
    expect(recordRefusal({ armed: true, calibrated: true, uncalibrated: false })).toBeNull();
  });
});

describe('takeCovers and coverage', () => {
  it('covers the events wholly inside what a take with audio recorded', () => {
    const events = [f1, f3, f2];
    expect(takeCovers(take({ start: 100, length: 300 }), events)).toEqual([f1.id, f3.id, f2.id]);
    // F2 ends at 400; a take ending at 399 does not hold all of it.
    expect(takeCovers(take({ start: 100, length: 299 }), events)).toEqual([f1.id, f3.id]);
    expect(takeCovers(take({ start: 101, length: 400 }), events)).toEqual([f3.id, f2.id]);
    expect(takeCovers(take({ status: 'recording', start: 0, length: 1000 }), events)).toEqual([]);
    expect(takeCovers(take({ status: 'aborted', start: 0, length: 0 }), events)).toEqual([]);
    expect(takeCovers(take({ status: 'recovered', start: 0, length: 1000 }), events)).toEqual([f1.id, f3.id, f2.id]);
  });

  it('joins what every pass covers, and counts a pass\'s covered events', () => {
    const covered = coveredByPasses([{ coveredEventIds: [1, 2] }, { coveredEventIds: [2, 5] }, { coveredEventIds: [] }]);
    expect([...covered].sort()).toEqual([1, 2, 5]);
    expect(coverageText({ eventIds: [1, 2, 3], coveredEventIds: [1, 2] })).toBe('2 of 3');
  });
});

describe('the track template form', () => {
  it('reads inputs from 1 and names, and shows a saved template the same way', () => {
    expect(templateOf(' 1, 2 ', 'close, room')).toEqual({ ok: true, template: { inputChannels: [0, 1], names: ['close', 'room'] } });
    expect(templateOf('3', '')).toEqual({ ok: true, template: { inputChannels: [2], names: [] } });
    expect(templateDraftOf({ inputChannels: [0, 1], names: ['close', 'room'] })).toEqual({ inputs: '1,2', names: 'close,room' });
    expect(templateDraftOf(null)).toEqual({ inputs: '', names: '' });
  });

  it('refuses what is not a template, saying why', () => {
    for (const [inputs, names] of [['', ''], ['0', ''], ['1,a', ''], ['1,1', ''], ['1', 'close,room']] as const) {
      const read = templateOf(inputs, names);
      expect(read.ok, `${inputs} / ${names}`).toBe(false);
      if (!read.ok) expect(read.error.code).toBe('PASS_TEMPLATE_INVALID');
    }
  });
});
