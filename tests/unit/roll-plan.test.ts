import { describe, expect, it } from 'vitest';
import { planRoll } from '../../src/core/recording/roll-plan.js';
import { DEFAULT_RECORDING_SETTINGS } from '../../src/core/recording/settings.js';
import { labelToPosition, parseFrameRate } from '../../src/core/time/index.js';

const rate = parseFrameRate('25');
const at = (label: string) => labelToPosition(label, rate, 48000) as number;
const cue = { in: at('01:00:10:00'), out: at('01:00:12:00') };

describe('planRoll', () => {
  it('takes this roll\'s rolls over the cue\'s, and the cue\'s over the project\'s', () => {
    const project = planRoll(cue, DEFAULT_RECORDING_SETTINGS, null, rate, 48000);
    expect(project).toMatchObject({ preRollSeconds: 3, postRollSeconds: 1, range: { start: at('01:00:07:00'), end: at('01:00:13:00') } });
    const ofCue = planRoll(cue, DEFAULT_RECORDING_SETTINGS, { preRollMs: 5000, postRollMs: null }, rate, 48000);
    expect(ofCue).toMatchObject({ preRollSeconds: 5, postRollSeconds: 1, range: { start: at('01:00:05:00') } });
    const once = planRoll(cue, DEFAULT_RECORDING_SETTINGS, { preRollMs: 5000, postRollMs: 2000 }, rate, 48000, { postRollSeconds: 0 });
    expect(once).toMatchObject({ preRollSeconds: 5, postRollSeconds: 0, range: { end: cue.out } });
  });

  it('widens a short pre-roll to hold every beep, whole', () => {
    const plan = planRoll(cue, DEFAULT_RECORDING_SETTINGS, { preRollMs: 500, postRollMs: null }, rate, 48000);
    expect(plan.beeps.map((b) => b.start)).toEqual([at('01:00:07:00'), at('01:00:08:00'), at('01:00:09:00')]);
    expect(plan.range.start).toBe(at('01:00:07:00'));
  });
});
