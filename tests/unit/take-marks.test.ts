/** The rules of take marks: the latest mark wins, and marks that exclude each other are refused. */
import { describe, expect, it } from 'vitest';
import { applyMarkChange, checkMarkChange, describeMarkChange, type TakeMarkState } from '../../src/core/recording/take-marks.js';

const NONE: TakeMarkState = { circled: false, alternate: false, noGood: false, falseStart: false, rating: null, note: '' };

describe('take marks', () => {
  it('circling clears alternate, NG and false start; NG or false start clear circled and alternate', () => {
    expect(applyMarkChange({ ...NONE, alternate: true, noGood: true, falseStart: true }, { circled: true })).toEqual({ ...NONE, circled: true });
    expect(applyMarkChange({ ...NONE, circled: true }, { alternate: true })).toEqual({ ...NONE, alternate: true });
    expect(applyMarkChange({ ...NONE, circled: true, rating: 4 }, { noGood: true })).toEqual({ ...NONE, noGood: true, rating: 4 });
    expect(applyMarkChange({ ...NONE, alternate: true }, { falseStart: true })).toEqual({ ...NONE, falseStart: true });
    // Clearing a mark touches nothing else; rating and note are independent of the flags.
    expect(applyMarkChange({ ...NONE, circled: true, note: 'a' }, { circled: false })).toEqual({ ...NONE, note: 'a' });
    expect(applyMarkChange({ ...NONE, noGood: true }, { rating: 2, note: 'b' })).toEqual({ ...NONE, noGood: true, rating: 2, note: 'b' });
    expect(applyMarkChange({ ...NONE, rating: 3 }, { rating: null })).toEqual(NONE);
    expect(applyMarkChange(NONE, {})).toEqual(NONE);
  });

  it('refuses contradictions and values out of range with TAKE_MARK_INVALID', () => {
    for (const change of [
      { circled: true, alternate: true }, { circled: true, noGood: true }, { alternate: true, falseStart: true },
      { rating: 6 }, { rating: -1 }, { rating: 1.5 }, { note: 'x'.repeat(10_001) }, { circled: 'yes' as unknown as boolean },
    ]) {
      expect(() => checkMarkChange(change), JSON.stringify(change)).toThrow(expect.objectContaining({ code: 'TAKE_MARK_INVALID' }));
    }
    expect(() => checkMarkChange({ circled: false, noGood: true, rating: 0, note: '' })).not.toThrow();
  });

  it('says what a change did, for the session log', () => {
    expect(describeMarkChange(NONE, { ...NONE, circled: true, rating: 4, note: 'best read' })).toBe('circled, 4 stars, note “best read”');
    expect(describeMarkChange({ ...NONE, circled: true }, { ...NONE, noGood: true })).toBe('uncircled, NG');
    expect(describeMarkChange({ ...NONE, rating: 1 }, { ...NONE, rating: null, note: '' })).toBe('rating cleared');
    expect(describeMarkChange(NONE, { ...NONE, rating: 1 })).toBe('1 star');
    expect(describeMarkChange(NONE, NONE)).toBe('unchanged');
    expect(describeMarkChange(NONE, { ...NONE, note: 'n'.repeat(100) })).toBe(`note “${'n'.repeat(79)}…”`);
  });
});
