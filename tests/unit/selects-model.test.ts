/** The selects view's model: per cue, the circled take and its alternates. */
import { describe, expect, it } from 'vitest';
import type { Take } from '../../src/api/contract.js';
import { CUE_FIELD_DEFAULTS, type Cue } from '../../src/core/cues/cue.js';
import { selectsOf } from '../../src/ui/lib/selects-model.js';

let nextId = 1;
const cue = (number: string, fields: Partial<Cue> = {}): Cue => ({ ...CUE_FIELD_DEFAULTS, kind: 'adr', number, in: 0, out: 1, id: nextId++, doneAt: null, updatedAt: '', ...fields });
const take = (cueId: number | null, number: number, fields: Partial<Take> = {}): Take => ({
  id: nextId++, cueId, passId: cueId === null ? 1 : null, number, path: `takes/T${number}.wav`, channels: 1, channelNames: ['a'], inputChannels: [0], sampleRate: 48000,
  bitsPerSample: 24, float: false, start: 0, length: 48000, latency: 0, latencySource: 'measured', dropouts: 0, inputDevice: '', outputDevice: '',
  status: 'complete', problem: null, circled: false, alternate: false, noGood: false, falseStart: false, rating: null, note: '', createdAt: '', completedAt: '', ...fields,
});

describe('selectsOf', () => {
  it('gives each cue its circled take and alternates, by cue number, and counts the takes still to choose from', () => {
    const r10 = cue('R10');
    const r9 = cue('R9');
    const f1 = cue('F1', { kind: 'foley', pass: 'feet' });
    const f2 = cue('F2', { kind: 'foley', pass: 'feet' });
    const rows = selectsOf([r10, r9, f1, f2], [
      take(r10.id, 2, { circled: true, note: 'best' }), take(r10.id, 3, { alternate: true }), take(r10.id, 1, { alternate: true }), take(r10.id, 4, { noGood: true }),
      take(r9.id, 1), take(r9.id, 2, { falseStart: true }), take(r9.id, 3, { status: 'aborted', length: 0 }),
      take(f1.id, 1), take(null, 1, { circled: true }),
    ]);
    // ADR cues always appear; a Foley event only with takes; pass takes are not a cue's.
    expect(rows.map((r) => [r.cue.number, r.circled?.number ?? null, r.alternates.map((t) => t.number), r.others])).toEqual([
      ['F1', null, [], 1],
      ['R9', null, [], 1],
      ['R10', 2, [1, 3], 0],
    ]);
  });
});
