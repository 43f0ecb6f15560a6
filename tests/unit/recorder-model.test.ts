/**
 * The recorder panel's logic without a browser: phase and take texts, the take list kept in step
 * with `takes.changed`, meters (latches, peak hold, scale), the planned roll, the calibration
 * notice, and the recording settings form's patch.
 */
import { describe, expect, it } from 'vitest';
import type { AudioStatus, Meters, RecordingSettings, Take } from '../../src/api/contract.js';
import { DEFAULT_RECORDING_SETTINGS, loopbackChannel, resolveRecordingSettings, streamInputChannels } from '../../src/core/recording/settings.js';
import { parseFrameRate } from '../../src/core/time/index.js';
import {
  IDLE_RECORDER,
  MeterBoard,
  PEAK_FALL_DB_PER_SECOND,
  PEAK_HOLD_MS,
  calibrationNotice,
  comparePair,
  markedLocally,
  dbText,
  draftOfSettings,
  fileNameOf,
  holdPeak,
  lastPlayableTake,
  meterFraction,
  msToSecondsText,
  phaseText,
  plannedRoll,
  readRollSeconds,
  secondsText,
  settingsPatchOf,
  takeStatusText,
  toggleChannel,
  upsertTake,
} from '../../src/ui/lib/recorder-model.js';

const SR = 48_000;
const SETTINGS: RecordingSettings = structuredClone(DEFAULT_RECORDING_SETTINGS) as RecordingSettings;

function take(fields: Partial<Take> = {}): Take {
  return {
    id: 1,
    cueId: 7,
    passId: null,
    number: 1,
    path: 'takes/R101_ROBIN_T01.wav',
    channels: 1,
    channelNames: ['Input 1'],
    inputChannels: [0],
    sampleRate: SR,
    bitsPerSample: 24,
    float: false,
    start: 3600 * SR,
    length: 5 * SR,
    latency: 0,
    latencySource: 'none', dropouts: 0,
    inputDevice: 'default',
    outputDevice: 'default',
    status: 'complete',
    problem: null,
    circled: false,
    alternate: false,
    noGood: false,
    falseStart: false,
    rating: null,
    note: '',
    createdAt: '2026-01-01T00:00:00.000Z',
    completedAt: '2026-01-01T00:00:05.000Z',
    ...fields,
  };
}

function meters(fields: Partial<Meters>): Meters {
  return { channels: [0], peak: [0], rms: [0], peakDb: [-120], rmsDb: [-120], clipped: [false], ...fields };
}

function audio(fields: Partial<AudioStatus> = {}): AudioStatus {
  return {
    state: 'running',
    clockSource: 'audio-device',
    input: 'default',
    output: 'default',
    sampleRate: SR,
    framesPerBuffer: 256,
    lateBuffers: 0,
    inputOverflows: 0,
    outputUnderflows: 0,
    inputUnderflows: 0,
    latency: null,
    message: null,
    code: null,
    ...fields,
  };
}

describe('phase and take texts', () => {
  it('names each phase, with the take being recorded or played', () => {
    expect(phaseText(IDLE_RECORDER)).toBe('Idle');
    expect(phaseText({ ...IDLE_RECORDER, phase: 'rehearse', cueId: 7 })).toBe('Rehearsing');
    expect(phaseText({ ...IDLE_RECORDER, phase: 'record', cueId: 7, take: take({ number: 4, status: 'recording' }) })).toBe('Recording take 4');
    expect(phaseText({ ...IDLE_RECORDER, phase: 'record', cueId: 7 })).toBe('Recording');
    expect(phaseText({ ...IDLE_RECORDER, phase: 'playback', cueId: 7 }, 2)).toBe('Playing back take 2');
    expect(phaseText({ ...IDLE_RECORDER, phase: 'playback', cueId: 7 })).toBe('Playing back');
  });

  it('says a loop, and which take of an A/B compare is heard', () => {
    expect(phaseText({ ...IDLE_RECORDER, phase: 'rehearse', cueId: 7, loop: true })).toBe('Rehearsing (loop)');
    const compare = { ...IDLE_RECORDER, phase: 'playback' as const, cueId: 7, compare: { a: 11, b: 12, listen: 'b' as const } };
    const numbers = new Map([[11, 2], [12, 3]]);
    expect(phaseText(compare, null, (id) => numbers.get(id) ?? null)).toBe('Comparing: hearing B (take 3), not A (take 2)');
    expect(phaseText({ ...compare, loop: true })).toBe('Comparing (loop): hearing B, not A');
  });

  it('shows status with the problem, length in seconds and the file name', () => {
    expect(takeStatusText(take())).toBe('Complete');
    expect(takeStatusText(take({ status: 'recovered', problem: 'Recording was interrupted.' }))).toBe('Recovered: Recording was interrupted.');
    expect(secondsText(240_001, SR)).toBe('5.000');
    expect(secondsText(240_048, SR)).toBe('5.001');
    expect(secondsText(10, 0)).toBe('—');
    expect(fileNameOf('takes/A1_ROBIN_T01.wav')).toBe('A1_ROBIN_T01.wav');
    expect(fileNameOf('takes\\A1.wav')).toBe('A1.wav');
  });
});

describe('the take list', () => {
  it('adds takes in number order and replaces them by id', () => {
    let list = upsertTake([], take({ id: 2, number: 2, status: 'recording', length: 0 }));
    list = upsertTake(list, take({ id: 1, number: 1 }));
    expect(list.map((t) => t.number)).toEqual([1, 2]);
    list = upsertTake(list, take({ id: 2, number: 2, status: 'complete', length: 100 }));
    expect(list[1]).toMatchObject({ status: 'complete', length: 100 });
  });

  it('never lets a late "recording" event undo a filed take', () => {
    const filed = [take({ id: 3, number: 3, status: 'complete' })];
    expect(upsertTake(filed, take({ id: 3, number: 3, status: 'recording', length: 0 }))[0]!.status).toBe('complete');
  });

  it('plays the last take that holds audio', () => {
    expect(lastPlayableTake([])).toBeNull();
    const list = [take({ id: 1, number: 1 }), take({ id: 2, number: 2, status: 'aborted', length: 0 }), take({ id: 3, number: 3, status: 'recording', length: 0 })];
    expect(lastPlayableTake(list)?.number).toBe(1);
  });
});

describe('marks shown before the engine answers', () => {
  it('applies the core rules: the latest mark wins, one circled take per cue', () => {
    const list = [take({ id: 1, number: 1, circled: true }), take({ id: 2, number: 2, noGood: true }), take({ id: 3, number: 3, cueId: 8, circled: true })];
    const after = markedLocally(list, 2, { circled: true, rating: 4 });
    expect(after.map((t) => [t.id, t.circled, t.noGood, t.rating])).toEqual([[1, false, false, null], [2, true, false, 4], [3, true, false, null]]);
  });

  it('leaves the list as it was for a take it does not hold or a change the engine would refuse', () => {
    const list = [take({ id: 1, number: 1 })];
    expect(markedLocally(list, 9, { circled: true })).toBe(list);
    expect(markedLocally(list, 1, { rating: 9 })).toBe(list);
  });
});

describe('A/B compare', () => {
  const t1 = take({ id: 1, number: 1 });
  const t2 = take({ id: 2, number: 2 });
  const t3 = take({ id: 3, number: 3 });
  const empty = take({ id: 4, number: 4, status: 'aborted', length: 0 });
  const none = { a: null, b: null };

  it('needs two takes with audio', () => {
    expect(comparePair([], none, null)).toBeNull();
    expect(comparePair([t1, empty], none, null)).toBeNull();
  });

  it('compares the circled take with the marked one, else the two newest', () => {
    expect(comparePair([t1, t2, t3], none, t3)).toMatchObject({ a: { id: 2 }, b: { id: 3 } });
    const circled = take({ id: 1, number: 1, circled: true });
    expect(comparePair([circled, t2, t3, empty], none, empty)).toMatchObject({ a: { id: 1 }, b: { id: 3 } });
    expect(comparePair([circled, t2, t3], none, t2)).toMatchObject({ a: { id: 1 }, b: { id: 2 } });
    // The circled take marked: B is another one.
    expect(comparePair([circled, t2], none, circled)).toMatchObject({ a: { id: 1 }, b: { id: 2 } });
  });

  it('follows the takes picked as A and B, never one take against itself', () => {
    expect(comparePair([t1, t2, t3], { a: 3, b: 1 }, t2)).toMatchObject({ a: { id: 3 }, b: { id: 1 } });
    expect(comparePair([t1, t2, t3], { a: 3, b: null }, t3)).toMatchObject({ a: { id: 3 }, b: { id: 2 } });
    expect(comparePair([t1, t2, t3], { a: null, b: 2 }, null)).toMatchObject({ a: { id: 1 }, b: { id: 2 } });
    expect(comparePair([t1, t2, empty], { a: 4, b: 4 }, null)).toMatchObject({ a: { id: 1 }, b: { id: 2 } });
  });
});

describe('meters', () => {
  it('places dB on a −60…0 scale', () => {
    expect(meterFraction(-120)).toBe(0);
    expect(meterFraction(-60)).toBe(0);
    expect(meterFraction(-30)).toBe(0.5);
    expect(meterFraction(0)).toBe(1);
    expect(meterFraction(3)).toBe(1);
    expect(meterFraction(-Infinity)).toBe(0);
    expect(meterFraction(NaN)).toBe(0);
    expect(dbText(-23.44)).toBe('−23.4 dBFS');
    expect(dbText(-120)).toBe('−∞ dBFS');
  });

  it('meters the recorded channels in file order, named, reading the floor when not metered', () => {
    const board = new MeterBoard();
    const settings = { inputChannels: [2, 0], channelNames: ['Boom', '', 'Lav'] };
    expect(board.channels(settings).map((m) => [m.channel, m.name, m.peakDb])).toEqual([
      [2, 'Lav', -Infinity],
      [0, 'Boom', -Infinity],
    ]);
    board.receive(meters({ channels: [0, 1, 2], peakDb: [-10, -20, -30], rmsDb: [-13, -23, -33], clipped: [false, false, false] }));
    expect(board.channels(settings).map((m) => [m.name, m.peakDb, m.rmsDb])).toEqual([
      ['Lav', -30, -33],
      ['Boom', -10, -13],
    ]);
    expect(board.channels({ inputChannels: [5], channelNames: [] })[0]).toMatchObject({ name: 'Input 6', peakDb: -Infinity });
  });

  it('latches a clip from any reading until it is cleared', () => {
    const board = new MeterBoard();
    const settings = { inputChannels: [0, 1], channelNames: [] };
    const v0 = board.version;
    board.receive(meters({ channels: [0, 1], peakDb: [0, -6], rmsDb: [-3, -9], clipped: [true, false] }));
    board.receive(meters({ channels: [0, 1], peakDb: [-40, -40], rmsDb: [-43, -43], clipped: [false, false] }));
    expect(board.version).toBeGreaterThan(v0);
    expect(board.channels(settings).map((m) => m.clip)).toEqual([true, false]);
    const v1 = board.version;
    board.clear(0);
    expect(board.version).toBeGreaterThan(v1);
    expect(board.clipped(0)).toBe(false);
    board.receive(meters({ channels: [0, 1], clipped: [false, true], peakDb: [-1, -1], rmsDb: [-1, -1] }));
    board.clear();
    expect(board.clipped(1)).toBe(false);
    board.receive(meters({ channels: [0], clipped: [true] }));
    board.reset();
    expect(board.latest).toBeNull();
    expect(board.clipped(0)).toBe(false);
  });

  it('holds the peak for a second, then lets it fall', () => {
    let hold = holdPeak(null, -10, 0);
    expect(hold).toEqual({ db: -10, at: 0 });
    hold = holdPeak(hold, -30, 500);
    expect(hold.db).toBe(-10);
    hold = holdPeak(hold, -30, PEAK_HOLD_MS + 500);
    expect(hold.db).toBeCloseTo(-10 - 0.5 * PEAK_FALL_DB_PER_SECOND);
    hold = holdPeak(hold, -30, PEAK_HOLD_MS + 5000);
    expect(hold).toEqual({ db: -30, at: PEAK_HOLD_MS + 5000 });
    expect(holdPeak(hold, -5, PEAK_HOLD_MS + 5001)).toEqual({ db: -5, at: PEAK_HOLD_MS + 5001 });
  });
});

describe('rolls', () => {
  const rate = parseFrameRate('25');
  const cue = { in: 3600 * SR + 10 * SR, out: 3600 * SR + 12 * SR };

  it('plans the roll as the engine does: pre-roll, beeps, post-roll', () => {
    const range = plannedRoll(cue, SETTINGS, null, rate, SR)!;
    expect(range.start).toBe(cue.in - 3 * SR);
    expect(range.end).toBe(cue.out + 1 * SR);
    const own = plannedRoll(cue, SETTINGS, { preRollMs: 5000, postRollMs: 500 }, rate, SR)!;
    expect(own.start).toBe(cue.in - 5 * SR);
    expect(own.end).toBe(cue.out + SR / 2);
    // A pre-roll shorter than the beeps is widened to hold them.
    const short = plannedRoll(cue, SETTINGS, { preRollMs: 1000, postRollMs: null }, rate, SR)!;
    expect(short.start).toBe(cue.in - 3 * SR);
    expect(plannedRoll(cue, SETTINGS, null, null, SR)).toBeNull();
  });

  it('reads a cue roll in seconds, empty for the project roll', () => {
    expect(readRollSeconds('', 'A pre-roll')).toEqual({ ok: true, ms: null });
    expect(readRollSeconds(' 2.5 ', 'A pre-roll')).toEqual({ ok: true, ms: 2500 });
    expect(readRollSeconds('1,25', 'A pre-roll')).toEqual({ ok: true, ms: 1250 });
    const bad = readRollSeconds('61', 'A post-roll');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/^A post-roll of "61" is not usable/);
    expect(readRollSeconds('soon', 'A pre-roll').ok).toBe(false);
    expect(msToSecondsText(null)).toBe('');
    expect(msToSecondsText(2500)).toBe('2.5');
  });
});

describe('calibration notice', () => {
  it('is silent only when the round trip holds for the open stream', () => {
    const measured = { roundTrip: 512, measuredAt: '2026-01-01T00:00:00Z', confidence: 9, current: true, note: null };
    expect(calibrationNotice(audio({ latency: measured }))).toBeNull();
    expect(calibrationNotice(audio())).toMatchObject({ canCalibrate: true, text: expect.stringMatching(/^Not calibrated/) });
    expect(calibrationNotice(audio({ latency: { ...measured, current: false, note: 'The stream was reopened.' } }))).toMatchObject({
      canCalibrate: true,
      text: expect.stringContaining('The stream was reopened.'),
    });
    expect(calibrationNotice(audio({ clockSource: 'software-clock' }))?.canCalibrate).toBe(false);
    expect(calibrationNotice(audio({ state: 'failed' }))?.canCalibrate).toBe(false);
    expect(calibrationNotice(null)?.canCalibrate).toBe(false);
  });
});

describe('recording settings form', () => {
  it('saves only what changed', () => {
    const draft = draftOfSettings(SETTINGS);
    expect(settingsPatchOf(draft, SETTINGS)).toEqual({ ok: true, patch: {} });
    draft.preRoll = '4.5';
    draft.encoding = 'float32';
    draft.inputChannels = [0, 1];
    draft.channelNames = ['Boom', 'Lav', ''];
    draft.monitor.record.guide = true;
    draft.beepLevel = '−12';
    draft.manualOffset = '-32';
    draft.takeTemplate = ' {cue}_T{take} ';
    expect(settingsPatchOf(draft, SETTINGS)).toEqual({
      ok: true,
      patch: {
        preRollSeconds: 4.5,
        encoding: 'float32',
        inputChannels: [0, 1],
        channelNames: ['Boom', 'Lav'],
        monitor: { record: { guide: true } },
        beeps: { levelDb: -12 },
        manualOffset: -32,
        takeTemplate: '{cue}_T{take}',
      },
    });
  });

  it('saves the beep length, spacing and in-point beep, and the loopback input', () => {
    const draft = draftOfSettings(SETTINGS);
    draft.beepFrames = '2';
    draft.beepSpacing = '0.5';
    draft.beepOnIn = true;
    draft.loopbackInput = 7;
    expect(settingsPatchOf(draft, SETTINGS)).toEqual({ ok: true, patch: { beeps: { lengthFrames: 2, spacingSeconds: 0.5, beepOnIn: true }, loopbackInput: 7 } });
    draft.loopbackInput = null;
    draft.beepFrames = '1.5';
    expect(settingsPatchOf(draft, SETTINGS)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/beep length "1.5" is not a whole number/i) } });
  });

  it('opens enough inputs for the loopback input, and calibrates on the first recorded input by default', () => {
    expect(streamInputChannels({ inputChannels: [0, 1], loopbackInput: null })).toBe(2);
    expect(streamInputChannels({ inputChannels: [0, 1], loopbackInput: 7 })).toBe(8);
    expect(loopbackChannel({ inputChannels: [3, 1], loopbackInput: null })).toBe(3);
    expect(loopbackChannel({ inputChannels: [3, 1], loopbackInput: 0 })).toBe(0);
    expect(() => resolveRecordingSettings({ loopbackInput: 64 })).toThrow(/Loopback input 64 is not usable/);
  });

  it('keeps a track template per kind of Foley, opens enough inputs for it, and refuses one that cannot work', () => {
    const feet = { inputChannels: [2, 5], names: ['close', 'room'] };
    const withFeet = resolveRecordingSettings({ passTemplates: { feet } });
    expect(withFeet.passTemplates).toEqual({ feet });
    expect(streamInputChannels(withFeet)).toBe(6);
    // A patch replaces one kind's template, null removes it, the others stay.
    const both = resolveRecordingSettings({ passTemplates: { props: { inputChannels: [0], names: [] } } }, withFeet);
    expect(Object.keys(both.passTemplates).sort()).toEqual(['feet', 'props']);
    expect(resolveRecordingSettings({ passTemplates: { feet: null } }, both).passTemplates).toEqual({ props: { inputChannels: [0], names: [] } });
    const refused = (patch: Parameters<typeof resolveRecordingSettings>[0]) => {
      try {
        resolveRecordingSettings(patch);
      } catch (error) {
        return (error as { code?: string; message: string }).message;
      }
      return null;
    };
    expect(refused({ passTemplates: { feet: { inputChannels: [], names: [] } } })).toMatch(/feet template records 1 to 64 input channels/i);
    expect(refused({ passTemplates: { feet: { inputChannels: [1, 1], names: [] } } })).toMatch(/Input channel 2 is chosen twice in the feet template/);
    expect(refused({ passTemplates: { cloth: { inputChannels: [0], names: ['a', 'b'] } } })).toMatch(/cloth template names at most one track per input/i);
    expect(refused({ passTemplates: { dialogue: { inputChannels: [0], names: [] } } as never })).toMatch(/"dialogue" is not a kind of Foley pass/);
  });

  it('names what cannot be saved, with the engine’s rules', () => {
    const check = (change: (d: ReturnType<typeof draftOfSettings>) => void) => {
      const draft = draftOfSettings(SETTINGS);
      change(draft);
      const result = settingsPatchOf(draft, SETTINGS);
      return result.ok ? null : result.error;
    };
    expect(check((d) => (d.preRoll = 'three'))).toMatchObject({ code: 'RECORDING_SETTINGS_INVALID', message: expect.stringContaining('The pre-roll "three" is not a number') });
    expect(check((d) => (d.preRoll = '90'))?.message).toMatch(/Pre-roll of 90 s is not usable/);
    expect(check((d) => (d.manualOffset = '1.5'))?.message).toMatch(/not a whole number/);
    expect(check((d) => (d.inputChannels = []))?.message).toMatch(/at least one input channel/);
    expect(check((d) => (d.takeTemplate = '{cue}_{mood}'))?.code).toBe('TAKE_TEMPLATE_INVALID');
    expect(check((d) => (d.takeTemplate = '  '))?.code).toBe('RECORDING_SETTINGS_INVALID');
    expect(check((d) => (d.beepCount = '101'))).not.toBeNull();
  });

  it('ticks channels in file order', () => {
    expect(toggleChannel([0, 2], 1, true)).toEqual([0, 1, 2]);
    expect(toggleChannel([3, 1], 2, true)).toEqual([2, 3, 1]);
    expect(toggleChannel([0, 1], 5, true)).toEqual([0, 1, 5]);
    expect(toggleChannel([0, 1], 1, true)).toEqual([0, 1]);
    expect(toggleChannel([0, 1], 0, false)).toEqual([1]);
  });
});
