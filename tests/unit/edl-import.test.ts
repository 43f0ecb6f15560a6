/**
 * The CMX3600 EDL importer (src/core/interchange/edl.ts) against real EDLs and against garbage.
 *
 * tests/fixtures/edl/ holds the OpenTimelineIO otio-cmx3600-adapter test EDLs (Apache-2.0, licence
 * beside them), copied unchanged: cuts, dissolves (incl. one split around an FCM line and one
 * malformed), a wipe, speed effects (M2, freeze frames), multi-audio (AA + AUD), `* LOC:` locators
 * with colours, 24 and 25 fps, Avid / Nucoda / Premiere dialects, CRLF, missing FCM, `*` comments
 * without a space. Variants are made at run time; the fixtures are never edited.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/core/cues/cue.js';
import { EDL_ISSUE_CODES, parseEdl, splitCueNumber, type EdlImportOptions } from '../../src/core/interchange/edl.js';
import { FRAME_RATES, frameToPosition, labelToFrames, type FrameRateId } from '../../src/core/time/index.js';

const dir = fileURLToPath(new URL('../fixtures/edl/', import.meta.url));
const SR = 48_000;

function fixture(name: string): string {
  return readFileSync(`${dir}${name}`, 'utf8');
}

/** The timeline sample of a timecode, exactly as the brief defines it. */
function at(tc: string, rate: FrameRateId = '24', sampleRate = SR): number {
  const r = FRAME_RATES[rate];
  return frameToPosition(labelToFrames(tc, r), r, sampleRate);
}

function parse(text: string, options: Partial<EdlImportOptions> = {}): ImportResult {
  return parseEdl(text, { file: 'test.edl', frameRate: FRAME_RATES['24'], sampleRate: SR, ...options });
}

function parseFixture(name: string, rate: FrameRateId = '24', options: Partial<EdlImportOptions> = {}): ImportResult {
  return parseEdl(fixture(name), { file: name, frameRate: FRAME_RATES[rate], sampleRate: SR, ...options });
}

function codes(result: ImportResult): string[] {
  return result.issues.map((i) => `${i.severity} ${i.code} @${i.line}${i.column === undefined ? '' : `:${i.column}`}`);
}

const FCM_WARNING = 'warning EDL_NO_FCM';

describe('EDL fixtures', () => {
  it('copies every shared fixture with its licence', () => {
    const names = readdirSync(dir).sort();
    expect(names).toContain('LICENSE.otio-cmx3600-adapter.txt');
    expect(names.filter((n) => n.endsWith('.edl'))).toHaveLength(19);
  });

  it('screening_example.edl: nine shots, three Avid locators with colours', () => {
    const r = parseFixture('screening_example.edl');
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => s.number)).toEqual(['001', '002', '003', '004', '005', '006', '007', '008', '009']);
    expect(r.scenes.map((s) => s.description)).toEqual([
      'ZZ100_501 (LAY3)',
      'ZZ100_502A (LAY3)',
      'ZZ100_503A (LAY1)',
      'ZZ100_504C (LAY1)',
      'ZZ100_504B (LAY1)',
      'ZZ100_507C (LAY2)',
      'ZZ100_508 (LAY2)',
      'ZZ100_510 (LAY1)',
      'ZZ100_510B (LAY1)',
    ]);
    // 00:59:53:11 at 24 fps is frame 86 243; a frame is 2000 samples at 48 kHz.
    expect(r.scenes[0]).toMatchObject({ in: 172_486_000, out: at('00:59:54:18'), source: { file: 'screening_example.edl', line: 4 } });
    expect(r.scenes[8]).toMatchObject({ in: at('01:00:26:11'), out: at('01:00:37:04') });
    // Blank and whitespace-only lines between an event and its comments change nothing.
    expect(r.scenes[7]).toMatchObject({ in: at('01:00:20:19'), out: at('01:00:26:11'), source: { line: 31 } });

    expect(r.cues).toEqual([
      {
        kind: 'adr',
        number: null,
        in: at('01:00:01:14'),
        out: at('01:00:02:19'), // event 004's record out
        colour: 'red',
        lineText: 'ANIM FIX NEEDED',
        scene: '004',
        source: { file: 'screening_example.edl', line: 17, column: 8 },
      },
      {
        kind: 'adr',
        number: null,
        in: at('01:00:02:14'),
        out: at('01:00:02:19'),
        colour: 'pink',
        lineText: 'ANIM FIX NEEDED',
        scene: '004',
        source: { file: 'screening_example.edl', line: 18, column: 8 },
      },
      {
        kind: 'adr',
        number: null,
        in: at('01:00:15:13'),
        out: at('01:00:20:19'),
        colour: 'green',
        lineText: '',
        scene: '007',
        source: { file: 'screening_example.edl', line: 28, column: 8 },
      },
    ]);
    expect(r.cues[0]?.in).toBe((3600 * 24 + 24 + 14) * 2000);
  });

  it('no_spaces_test.edl (`*LOC:`, `*FROM CLIP NAME:`) reads the same as screening_example.edl', () => {
    const strip = (r: ImportResult) => ({
      scenes: r.scenes.map(({ source: _s, ...rest }) => rest),
      cues: r.cues.map(({ source: _s, ...rest }) => rest),
      issues: r.issues,
    });
    const squeezed = parseFixture('no_spaces_test.edl');
    expect(strip(squeezed)).toEqual(strip(parseFixture('screening_example.edl')));
    expect(squeezed.cues.map((c) => c.source)).toEqual([
      { file: 'no_spaces_test.edl', line: 14, column: 7 },
      { file: 'no_spaces_test.edl', line: 15, column: 7 },
      { file: 'no_spaces_test.edl', line: 25, column: 7 },
    ]);
  });

  it('25fps.edl at 25 fps: four shots, frame 24 is valid', () => {
    const r = parseFixture('25fps.edl', '25');
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => [s.number, s.description])).toEqual([
      ['001', 'sq001_s001'],
      ['002', 'sq001_s002'],
      ['003', 'sq001_s003'],
      ['004', 'sq001_s004'],
    ]);
    expect(r.scenes[0]).toMatchObject({ in: 0, out: at('00:00:06:11', '25') });
    // 00:00:19:21 at 25 fps = frame 496, 1920 samples a frame.
    expect(r.scenes[3]).toMatchObject({ in: at('00:00:17:22', '25'), out: 496 * 1920 });
    // Same file with a 24 fps project: event 004's source out 01:00:01:24 is no 24 fps timecode.
    const wrongRate = parseFixture('25fps.edl', '24');
    expect(codes(wrongRate)).toEqual(['error EDL_BAD_TIMECODE @13:42']);
    expect(wrongRate.issues[0]?.message).toMatch(/01:00:01:24 is not valid at 24 fps: its frames is 24 but can be at most 23/);
    expect(wrongRate.scenes).toHaveLength(3);
  });

  it('timecode_mismatch.edl: frame 24 is an error at 24 fps; at 25 fps the record side wins over the source', () => {
    const at24 = parseFixture('timecode_mismatch.edl', '24');
    const bad = at24.issues.filter((i) => i.code === 'EDL_BAD_TIMECODE');
    expect(bad.map((i) => i.line)).toEqual([13, 34]);
    expect(bad.every((i) => i.severity === 'error' && i.column === 42)).toBe(true);
    expect(at24.scenes).toHaveLength(18);

    const at25 = parseFixture('timecode_mismatch.edl', '25');
    expect(at25.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(at25.scenes).toHaveLength(20);
    expect(at25.scenes[3]).toMatchObject({ number: '004', description: 'sq001_s004', in: at('00:00:17:22', '25'), out: at('00:00:19:19', '25') });
    // Event 005 starts two frames after 004 ends: a gap, kept as it is.
    expect(at25.scenes[4]?.in).toBe(at('00:00:19:21', '25'));
    // Event 014's clip name disagrees with its other comment; the clip name is the description.
    expect(at25.scenes[13]?.description).toBe('sq001_s0020');
    expect(at25.scenes[19]).toMatchObject({ number: '020', out: at('00:01:11:14', '25') });
    expect(codes(at25)).toEqual([
      'warning EDL_DURATION_MISMATCH @13',
      'warning EDL_DURATION_MISMATCH @16',
      'warning EDL_DURATION_MISMATCH @28',
      'warning EDL_DURATION_MISMATCH @31',
    ]);
    expect(at25.issues[0]?.message).toBe(
      'Event 004 takes 49 frames from its source but lasts 47 frames on the record side, with no M2 speed line to explain it; the record timecodes were used, so check the event if its timing matters.',
    );
  });

  it.each([
    ['avid_example.edl', ['take_1', 'take_2']],
    ['nucoda_example.edl', ['take_1', 'take_2']],
    ['premiere_example.edl', ['ZZ100_501.take_1.0001.exr', 'ZZ100_502A.take_2.0101.exr']],
  ])('%s: vendor dialect, two events, no FCM', (name, descriptions) => {
    const r = parseFixture(name);
    expect(codes(r)).toEqual([`${FCM_WARNING} @2`]);
    expect(r.scenes.map((s) => s.description)).toEqual(descriptions);
    expect(r.scenes[0]).toMatchObject({ number: '001', in: at('00:59:53:11'), out: at('00:59:54:18') });
    expect(r.scenes[1]).toMatchObject({ number: '002', in: at('00:59:54:18'), out: at('00:59:56:20') });
    expect(r.cues).toEqual([]);
  });

  it('cdl.edl: ASC_SOP / ASC_SAT comment forms are ignored', () => {
    const r = parseFixture('cdl.edl');
    expect(codes(r)).toEqual([`${FCM_WARNING} @3`]);
    expect(r.scenes).toEqual([
      { number: '001', description: 'ZZ100_501 (LAY3)', in: 0, out: at('00:00:01:07'), source: { file: 'cdl.edl', line: 3 } },
      { number: '002', description: 'ZZ100_501 (LAY3)', in: at('00:00:01:07'), out: at('00:00:02:14'), source: { file: 'cdl.edl', line: 9 } },
    ]);
  });

  it('dissolve_test.edl and dissolve_test_2.edl: the dissolve event spans from the cut to the end of the incoming clip', () => {
    const one = parseFixture('dissolve_test.edl');
    expect(one.issues).toEqual([]);
    expect(one.scenes.map((s) => [s.number, s.description, s.in, s.out])).toEqual([
      ['001', 'clip_A', at('01:00:00:00'), at('01:00:00:09')],
      ['002', 'clip_B', at('01:00:00:09'), at('01:00:00:19')],
      ['003', 'clip_B', at('01:00:00:19'), at('01:00:00:20')],
    ]);
    const two = parseFixture('dissolve_test_2.edl');
    expect(two.issues).toEqual([]);
    expect(two.scenes.map((s) => [s.number, s.in, s.out])).toEqual([
      ['001', at('01:00:00:00'), at('01:00:00:05')],
      ['002', at('01:00:00:05'), at('01:00:00:15')],
      ['003', at('01:00:00:15'), at('01:00:00:20')],
    ]);
  });

  it('dissolve_test_3.edl: CRLF, blank lines and an FCM line between the cut and the dissolve of one event', () => {
    const r = parseFixture('dissolve_test_3.edl');
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => [s.number, s.description, s.in, s.out, s.source?.line])).toEqual([
      ['001', 'Clip_A.mov', at('01:00:00:00'), at('01:00:02:13'), 4],
      ['002', 'Clip_C.mov', at('01:00:02:13'), at('01:00:03:19'), 7],
      ['003', 'Clip_D.mov', at('01:00:03:19'), at('01:00:05:17'), 14],
    ]);
  });

  it('dissolve_test_4.edl: two dissolves in a row and an event number that jumps to 060', () => {
    const r = parseFixture('dissolve_test_4.edl');
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => s.number)).toEqual(['001', '002', '003', '004', '005', '060']);
    expect(r.scenes[2]).toMatchObject({ in: at('01:04:15:02'), out: at('01:04:18:11') });
    expect(r.scenes[3]).toMatchObject({ in: at('01:04:18:11'), out: at('01:04:21:23') });
    expect(r.scenes[5]).toMatchObject({ in: at('01:04:25:23'), out: at('01:04:31:14') });
    expect(r.scenes.every((s) => s.description === undefined)).toBe(true); // no clip names in this file
  });

  it('dissolve_test_fail.edl: a cut repeated under one event number and a dissolve with no outgoing line', () => {
    const r = parseFixture('dissolve_test_fail.edl');
    expect(codes(r)).toEqual(['warning EDL_DUPLICATE_EVENT @5:1', 'warning EDL_BAD_TRANSITION @6:1']);
    expect(r.issues[0]?.message).toMatch(/^Event 001 is cut twice on the same track;/);
    expect(r.issues[1]?.message).toMatch(/^Event 002 is a transition with no outgoing line/);
    expect(r.scenes.map((s) => [s.number, s.in, s.out])).toEqual([
      ['001', at('01:00:00:00'), at('01:00:00:09')],
      ['002', at('01:00:00:09'), at('01:00:00:19')],
      ['003', at('01:00:00:19'), at('01:00:00:20')],
    ]);
  });

  it('wipe_test.edl: W001 with a duration parses like a dissolve', () => {
    const r = parseFixture('wipe_test.edl');
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => [s.number, s.description, s.in, s.out])).toEqual([
      ['001', 'clip_A', at('01:00:00:00'), at('01:00:00:09')],
      ['002', 'clip_B', at('01:00:00:09'), at('01:00:00:19')],
      ['003', 'clip_B', at('01:00:00:19'), at('01:00:00:20')],
    ]);
  });

  it('transition_duration.edl: a 26-frame dissolve inside a 73-frame event', () => {
    const r = parseFixture('transition_duration.edl');
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => [s.number, s.in, s.out])).toEqual([
      ['001', at('01:00:48:20'), at('01:00:53:06')],
      ['002', at('01:00:53:06'), at('01:00:56:08')],
      ['003', at('01:00:56:08'), at('01:00:59:09')],
      ['004', at('01:00:59:09'), at('01:01:05:20')],
    ]);
  });

  it('gap_test.edl: record gaps stay gaps; "FROM CLIP NAME:" without a star still names the clip', () => {
    const r = parseFixture('gap_test.edl');
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => [s.description, s.in, s.out])).toEqual([
      ['shot1', 0, at('00:00:01:00')],
      ['shot2', at('00:00:01:16'), at('00:00:02:16')],
      ['shot3', at('00:00:04:06'), at('00:00:05:06')],
    ]);
  });

  it('multi_audio.edl: an audio-only EDL (AA plus AUD 3) still gives its event', () => {
    const r = parseFixture('multi_audio.edl');
    expect(r.issues).toEqual([]);
    expect(r.scenes).toEqual([{ number: '001', description: 'AX', in: 0, out: at('00:56:55:22'), source: { file: 'multi_audio.edl', line: 4 } }]);
    const shots = parseFixture('multi_audio.edl', '24', { eventsAs: 'shots' });
    expect(shots.scenes.map((s) => s.number)).toEqual(['shot 001']);
  });

  it('speed_effects.edl: 548 six-digit events with M2 speed changes and freeze frames', () => {
    const r = parseFixture('speed_effects.edl');
    expect(codes(r)).toEqual([`${FCM_WARNING} @2`]);
    expect(r.scenes).toHaveLength(548);
    expect(r.scenes[0]).toMatchObject({ number: '000001', description: 'Z677_4C (ANIM10)', in: at('01:00:00:00'), out: at('01:00:05:06') });
    expect(r.scenes[547]).toMatchObject({ number: '000548', description: 'LG_BLACK239 (REN2)', in: at('01:20:54:06'), out: at('01:21:03:18') });
    // The freeze frame: one source frame held for 17 record frames, no mismatch warning.
    expect(r.scenes[182]).toMatchObject({ number: '000183', description: 'Z682_156 (LAY3) FF', in: at('01:08:30:00'), out: at('01:08:30:17') });
    const timewarp = r.scenes.find((s) => s.description === 'Z686_5A (LAY2) (47.56 FPS)');
    expect(timewarp).toMatchObject({ in: at('01:11:31:16'), out: at('01:11:33:04') });
    // Events abut: every shot starts where the previous one ends.
    for (let i = 1; i < r.scenes.length; i++) expect(r.scenes[i]?.in).toBe(r.scenes[i - 1]?.out);
  });

  it('speed_effects_small.edl: M2 lines (000.0 and 047.6) before the clip names', () => {
    const r = parseFixture('speed_effects_small.edl');
    expect(codes(r)).toEqual([`${FCM_WARNING} @3`]);
    expect(r.scenes.map((s) => [s.number, s.description, s.in, s.out])).toEqual([
      ['001', 'Z677_4C (ANIM10)', at('01:00:00:00'), at('01:00:05:06')],
      ['002', 'Z682_156 (LAY3) FF', at('01:08:30:00'), at('01:08:30:17')],
      ['003', 'Z682_157 (LAY2) FF', at('01:08:30:17'), at('01:08:30:18')],
      ['004', 'Z682_157 (LAY2)', at('01:08:30:18'), at('01:08:31:12')],
      ['005', 'Z686_5A (LAY2) (47.56 FPS)', at('01:11:31:16'), at('01:11:33:04')],
    ]);
    // Without their M2 lines, the freeze of event 002 (1 source frame, 17 record frames) and the
    // speed change of event 005 (70 source frames in 36) are reported; event 003 (1 in 1) is not.
    const noM2 = fixture('speed_effects_small.edl').replace(/^M2 .*\n/gm, '');
    expect(codes(parse(noM2)).filter((c) => c.includes('MISMATCH'))).toEqual([
      'warning EDL_DURATION_MISMATCH @5',
      'warning EDL_DURATION_MISMATCH @13',
    ]);
  });

  it('eventsAs shots prefixes numbers with "shot "', () => {
    const r = parseFixture('screening_example.edl', '24', { eventsAs: 'shots' });
    expect(r.scenes.map((s) => s.number)).toEqual(['shot 001', 'shot 002', 'shot 003', 'shot 004', 'shot 005', 'shot 006', 'shot 007', 'shot 008', 'shot 009']);
    // Cues name scenes only in scenes mode.
    expect(r.cues.map((c) => c.scene)).toEqual([undefined, undefined, undefined]);
  });

  it('kind foley puts locator text in description', () => {
    const r = parseFixture('screening_example.edl', '24', { kind: 'foley' });
    expect(r.cues[0]).toMatchObject({ kind: 'foley', description: 'ANIM FIX NEEDED', colour: 'red' });
    expect(r.cues[0]).not.toHaveProperty('lineText');
  });
});

describe('EDL frame rates and FCM', () => {
  const body = (fcm: string, tc: string) =>
    `TITLE: x\n${fcm}\n001  AX       V     C        ${tc} ${tc} ${tc} ${tc}\n* LOC: ${tc} BLUE   R101 Where were you?\n`;

  it('a 29.97 project takes drop-frame or non-drop from FCM, line by line', () => {
    const text = [
      'TITLE: switch',
      'FCM: DROP FRAME',
      '001  AX V C 01:00:00;00 01:00:10;00 01:00:00;00 01:00:10;00',
      '* LOC: 01:00:05;00 RED DF locator',
      'FCM: NON-DROP FRAME',
      '002  AX V C 01:00:10:00 01:00:20:00 01:00:10:00 01:00:20:00',
      '* LOC: 01:00:15:00 RED NDF locator',
    ].join('\n');
    for (const id of ['29.97df', '29.97ndf'] as const) {
      const r = parse(text, { frameRate: FRAME_RATES[id] });
      expect(r.issues).toEqual([]);
      expect(r.scenes[0]).toMatchObject({ in: at('01:00:00;00', '29.97df'), out: at('01:00:10;00', '29.97df') });
      expect(r.scenes[1]).toMatchObject({ in: at('01:00:10:00', '29.97ndf'), out: at('01:00:20:00', '29.97ndf') });
      expect(r.cues.map((c) => c.in)).toEqual([at('01:00:05;00', '29.97df'), at('01:00:15:00', '29.97ndf')]);
    }
    // Drop-frame and non-drop labels of the same hour are 108 frames apart: the FCM matters.
    expect(at('01:00:00;00', '29.97df')).not.toBe(at('01:00:00:00', '29.97ndf'));
    // 59.94 too.
    const r59 = parse(text, { frameRate: FRAME_RATES['59.94ndf'] });
    expect(r59.scenes[0]?.in).toBe(at('01:00:00;00', '59.94df'));
  });

  it('drop-frame EDLs written with colons are read as drop-frame', () => {
    const r = parse(body('FCM: DROP FRAME', '00:10:00:00'), { frameRate: FRAME_RATES['29.97ndf'] });
    expect(r.issues).toEqual([]);
    expect(r.cues[0]?.in).toBe(at('00:10:00;00', '29.97df'));
  });

  it('a dropped drop-frame label is a timecode error with its column', () => {
    const r = parse(body('FCM: DROP FRAME', '00:01:00;00'), { frameRate: FRAME_RATES['29.97df'] });
    expect(codes(r).slice(0, 2)).toEqual(['error EDL_BAD_TIMECODE @3:30', 'error EDL_BAD_TIMECODE @3:42']);
    expect(r.issues[0]?.message).toMatch(/does not exist in 29\.97 fps drop-frame timecode.*00:01:00;02/);
    expect(r.scenes).toEqual([]);
  });

  it('FCM DROP FRAME in a 25 fps project is a warning and the timecodes are read at 25', () => {
    const r = parse(body('FCM: DROP FRAME', '10:00:00:24'), { frameRate: FRAME_RATES['25'] });
    expect(codes(r)).toEqual(['warning EDL_FCM_MISMATCH @2']);
    expect(r.issues[0]?.message).toMatch(/project runs at 25 fps/);
    expect(r.cues[0]?.in).toBe(at('10:00:00:24', '25'));
  });

  it('no FCM: non-drop with a warning; a ";" then is reported once', () => {
    const r = parse(body('', '01:00:00;00').replace('* LOC: 01:00:00;00', '* LOC: 01:00:00;10'), { frameRate: FRAME_RATES['29.97df'] });
    expect(codes(r)).toEqual(['warning EDL_NO_FCM @3', 'warning EDL_SEPARATOR_MISMATCH @3:30']);
    expect(r.scenes[0]?.in).toBe(at('01:00:00:00', '29.97ndf'));
    expect(r.cues[0]?.in).toBe(at('01:00:00:10', '29.97ndf'));
  });

  it('an unknown FCM value keeps the previous setting', () => {
    const r = parse(`FCM: DROP FRAME\nFCM: SOMETIMES\n001 AX V C 00:10:00;00 00:10:00;01 00:10:00;00 00:10:00;01\n`, { frameRate: FRAME_RATES['29.97ndf'] });
    expect(codes(r)).toEqual(['warning EDL_BAD_FCM @2']);
    expect(r.scenes[0]?.in).toBe(at('00:10:00;00', '29.97df'));
  });

  it('every sample rate works, including 44.1 kHz at 29.97', () => {
    const r = parse(body('FCM: NON-DROP FRAME', '01:00:00:01'), { frameRate: FRAME_RATES['29.97ndf'], sampleRate: 44_100 });
    expect(r.cues[0]?.in).toBe(at('01:00:00:01', '29.97ndf', 44_100));
    expect(Number.isInteger(r.cues[0]?.in)).toBe(true);
  });
});

describe('EDL locators', () => {
  const event = '001  AX       V     C        01:00:00:00 01:00:10:00 01:00:00:00 01:00:10:00';
  const edl = (...lines: string[]) => ['TITLE: loc', 'FCM: NON-DROP FRAME', event, ...lines].join('\n');

  it('reads colours, texts, cue numbers and comments', () => {
    const r = parse(
      edl(
        '* LOC: 01:00:01:00 RED     R101 Where were you?',
        '* COMMENT: noise on the original',
        '*LOC: 01:00:02:00 yellow $QN=JD12 I was out.',
        '*  LOC : 01:00:03:00 Magenta',
        '* LOC: 01:00:04:00 Chartreuse is no colour we know',
        '* LOC: 01:00:05:00',
        '* LOC: 01:00:06:00 BLUE 101 Dalmatians',
        '* LOC: 01:00:07:00 CYAN ANIM FIX NEEDED',
        '* LOC: 01:00:08:00 WHITE FS12: gravel footsteps',
        '* LOC: 01:00:09:00 ResolveColorBlue TV2 version',
      ),
    );
    expect(r.issues).toEqual([]);
    expect(r.cues.map((c) => [c.number, c.colour, c.lineText, c.notes])).toEqual([
      ['R101', 'red', 'Where were you?', 'noise on the original'],
      ['JD12', 'yellow', 'I was out.', undefined],
      [null, 'magenta', '', undefined],
      [null, null, 'Chartreuse is no colour we know', undefined],
      [null, null, '', undefined],
      [null, 'blue', '101 Dalmatians', undefined],
      [null, 'cyan', 'ANIM FIX NEEDED', undefined],
      ['FS12', 'white', 'gravel footsteps', undefined],
      [null, 'blue', 'TV2 version', undefined],
    ]);
    expect(r.cues.map((c) => c.source?.column)).toEqual([8, 7, 10, 8, 8, 8, 8, 8, 8]);
    // Inside the event: each cue runs to the event's record out.
    expect(r.cues.every((c) => c.out === at('01:00:10:00') && c.scene === '001')).toBe(true);
  });

  it('a locator outside its event, or before any event, lasts one frame', () => {
    const r = parse(['FCM: NON-DROP FRAME', '* LOC: 00:59:00:00 RED before any event', event, '* LOC: 01:00:10:00 GREEN at the record out'].join('\n'));
    expect(r.issues).toEqual([]);
    expect(r.cues.map((c) => [c.in, c.out, c.scene])).toEqual([
      [at('00:59:00:00'), at('00:59:00:01'), undefined],
      [at('01:00:10:00'), at('01:00:10:01'), undefined],
    ]);
  });

  it('a locator-only EDL is fine; a locator without a timecode is an error and the next one still counts', () => {
    const r = parse(['FCM: NON-DROP FRAME', '* LOC: RED no time', '* LOC: 01:00:0x:00 RED bad', '* LOC: 01:00:01:00 RED good'].join('\n'));
    expect(codes(r)).toEqual(['error EDL_BAD_LOCATOR @2:8', 'error EDL_BAD_TIMECODE @3:8']);
    expect(r.cues.map((c) => c.lineText)).toEqual(['good']);
  });

  it('splitCueNumber conventions', () => {
    expect(splitCueNumber('R101 Hello')).toEqual({ number: 'R101', text: 'Hello' });
    expect(splitCueNumber('R1012A: Hello')).toEqual({ number: 'R1012A', text: 'Hello' });
    expect(splitCueNumber('Hello $QN=M3004 there')).toEqual({ number: 'M3004', text: 'Hello there' });
    expect(splitCueNumber('R101')).toEqual({ number: 'R101', text: '' });
    expect(splitCueNumber('R1 too short')).toEqual({ number: null, text: 'R1 too short' });
    expect(splitCueNumber('r101 lower case')).toEqual({ number: null, text: 'r101 lower case' });
    expect(splitCueNumber('R101x glued')).toEqual({ number: null, text: 'R101x glued' });
    expect(splitCueNumber('ANIM FIX')).toEqual({ number: null, text: 'ANIM FIX' });
  });
});

describe('EDL event lines', () => {
  it('reads tabs, squeezed timecodes, lower case and key types', () => {
    const r = parse(
      [
        'FCM: NON-DROP FRAME',
        '001  Z10 V  C\t\t01:00:04:05 01:00:05:12 00:59:53:11 00:59:54:18',
        '002  Z10 v c 01:00:05:1201:00:06:12 00:59:54:1800:59:55:18',
        '003  BL V C 00:00:00:00 00:00:00:00 00:59:55:18 00:59:55:18',
        '003  KEY V K B 01:00:00:00 01:00:01:00 00:59:55:18 00:59:56:18',
        '004  A001 V W012 012 01:00:00:00 01:00:01:00 00:59:56:18 00:59:57:18',
        '005 V C 01:00:00:00 01:00:01:00 00:59:57:18 00:59:58:18',
      ].join('\n'),
    );
    expect(codes(r)).toEqual(['warning EDL_BAD_TRANSITION @6:1']); // a wipe with no outgoing line; a key needs no length
    expect(r.scenes.map((s) => [s.number, s.in, s.out])).toEqual([
      ['001', at('00:59:53:11'), at('00:59:54:18')],
      ['002', at('00:59:54:18'), at('00:59:55:18')],
      ['003', at('00:59:55:18'), at('00:59:56:18')],
      ['004', at('00:59:56:18'), at('00:59:57:18')],
      ['005', at('00:59:57:18'), at('00:59:58:18')],
    ]);
  });

  it('audio-only events make no scene when the EDL has video', () => {
    const r = parse(
      [
        'FCM: NON-DROP FRAME',
        '001  AX V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00',
        '002  AX A C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00',
        '* LOC: 01:00:01:12 RED on the audio event',
        '003  AX A2 C 01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00',
        '004  AX AA/V C 01:00:00:00 01:00:01:00 01:00:02:00 01:00:03:00',
        'AUD 3 4',
        '005  AX NONE C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00',
        '006  AX B C 01:00:00:00 01:00:01:00 01:00:04:00 01:00:05:00',
      ].join('\n'),
    );
    expect(r.issues).toEqual([]);
    expect(r.scenes.map((s) => s.number)).toEqual(['001', '004', '006']);
    // The locator still runs to its own event's end, but names no scene.
    expect(r.cues[0]).toMatchObject({ in: at('01:00:01:12'), out: at('01:00:02:00') });
    expect(r.cues[0]).not.toHaveProperty('scene');
  });

  it('same event number on another track joins the event without a warning', () => {
    const r = parse(['FCM: NON-DROP FRAME', '001  AX V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00', '001  AX A C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00'].join('\n'));
    expect(r.issues).toEqual([]);
    expect(r.scenes).toHaveLength(1);
  });

  it('reports unreadable lines with line and column, and goes on', () => {
    const lines = [
      'TITLE: broken', // 1
      'FCM: NON-DROP FRAME', // 2
      '001  AX V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00', // 3
      '002  AX V X 01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00', // 4 bad type
      '003  AX V C 01:00:00:00 01:00:01:00 01:00:02:00', // 5 three timecodes
      '004  AX V C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:02:00', // 6 ends before it starts
      '005  AX V C 01:00:00:00 01:00:01:00 01:00:03:00 01:60:04:00', // 7 minute 60
      '006  AX V C 1:00:00:00 01:00:01:00 01:00:04:00 01:00:05:00', // 8 one-digit hour
      '007  AX Q C 01:00:00:00 01:00:01:00 01:00:05:00 01:00:06:00', // 9 bad track
      '008  AX V C 01:00:00:00 01:00:01:00 01:00:06:00 01:00:07:00 extra', // 10 trailing text
      'M2   AX  fast 01:00:00:00', // 11 bad speed
      '0x9  AX V C 01:00:00:00 01:00:01:00 01:00:07:00 01:00:08:00', // 12 bad event number
      'GARBAGE HERE', // 13
      '009  AX V C 01:00:00:00 01:00:01:00 01:00:07:00 01:00:08:00', // 14 fine
      '010  AX V C 00:00:00:00 00:00:00:01 01:00:08:00 01:00:08:00 01:00:09:00', // 15 five timecodes
      '011  AX V C 5 01:00:00:00 01:00:01:00 01:00:08:00 01:00:09:00', // 16 a cut with a length
      '012  AX V D 01:00:00:00 01:00:01:00 01:00:09:00 01:00:10:00', // 17 no duration, no outgoing
      '013  AX V C 01:00:00:00 01:00:01:00 01:00:10:00 01:00:11:00', // 18 fine
      '013  AX V D 030 01:00:00:00 01:00:01:00 01:00:10:00 01:00:11:00', // 19 30 frames in 24
    ];
    const r = parse(lines.join('\r\n'));
    expect(codes(r)).toEqual([
      'error EDL_BAD_EVENT @4:11',
      'error EDL_BAD_EVENT @5:13',
      'error EDL_BAD_RANGE @6:49',
      'error EDL_BAD_TIMECODE @7:49',
      'error EDL_BAD_TIMECODE @8:13',
      'error EDL_BAD_EVENT @9:9',
      'warning EDL_TRAILING_TEXT @10:61',
      'error EDL_BAD_SPEED @11:1',
      'error EDL_BAD_EVENT @12:1',
      'warning EDL_UNKNOWN_LINE @13:1',
      'error EDL_BAD_EVENT @15:61',
      'error EDL_BAD_EVENT @16:13',
      'warning EDL_BAD_TRANSITION @17:11',
      'warning EDL_BAD_TRANSITION @17:1',
      'warning EDL_BAD_TRANSITION @19:13',
    ]);
    expect(r.scenes.map((s) => s.number)).toEqual(['001', '008', '009', '012', '013']);
    for (const issue of r.issues) {
      expect(issue.file).toBe('test.edl');
      expect(issue.message).toMatch(/^[A-Z"].*[^.]; .*\.$|^[A-Z"][^;]*\.$/s);
    }
  });

  it('empty and non-EDL text: one error saying nothing was read', () => {
    expect(codes(parse(''))).toEqual(['error EDL_NO_EVENTS @1']);
    expect(codes(parse('\uFEFFTITLE: nothing\r\n\r\n'))).toEqual(['error EDL_NO_EVENTS @1']);
  });

  it('unusable options are an error, not a throw', () => {
    expect(codes(parse('001 AX V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00', { sampleRate: 0 }))).toEqual(['error EDL_BAD_OPTIONS @1']);
    expect(codes(parse('', { frameRate: { id: '12', num: 12, den: 1, dropFrame: false, timecodeBase: 12 } as never }))).toEqual(['error EDL_BAD_OPTIONS @1']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: whatever the input, parseEdl returns quickly with sane drafts and issues.

const FIXTURES = readdirSync(dir).filter((n) => n.endsWith('.edl')).map((n) => fixture(n));
const RATES = Object.keys(FRAME_RATES) as FrameRateId[];

function checkInvariants(text: string, result: ImportResult): void {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const lineCount = lines.length;
  for (const draft of [...result.cues, ...result.scenes]) {
    expect(Number.isSafeInteger(draft.in)).toBe(true);
    expect(Number.isSafeInteger(draft.out)).toBe(true);
    expect(draft.in).toBeGreaterThanOrEqual(0);
    expect(draft.in).toBeLessThanOrEqual(draft.out);
    expect(draft.source?.line).toBeGreaterThanOrEqual(1);
    expect(draft.source?.line).toBeLessThanOrEqual(lineCount);
  }
  for (const issue of result.issues) {
    expect(Number.isInteger(issue.line)).toBe(true);
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.line).toBeLessThanOrEqual(lineCount);
    if (issue.column !== undefined) {
      expect(issue.column).toBeGreaterThanOrEqual(1);
      expect(issue.column).toBeLessThanOrEqual((lines[issue.line - 1] ?? '').length + 1);
    }
    expect(EDL_ISSUE_CODES[issue.code as keyof typeof EDL_ISSUE_CODES]).toBe(issue.severity);
    expect(issue.code).not.toBe('EDL_INTERNAL');
    expect(issue.message.length).toBeGreaterThan(10);
  }
}

function timed(text: string, rate: FrameRateId, sampleRate = SR): ImportResult {
  const started = performance.now();
  const result = parseEdl(text, { file: 'fuzz.edl', frameRate: FRAME_RATES[rate], sampleRate });
  expect(performance.now() - started).toBeLessThan(500);
  return result;
}

/** A mutation of a text: delete lines, substitute characters, truncate. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('deleteLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('substitute' as const), at: fc.nat(), ch: fc.constantFrom(...'0123456789:;. *\t\r\nCDWKVAB-/$=LOC'.split('')) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicateLine' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, ops: Mutation[]): string {
  let t = text;
  for (const m of ops) {
    if (m.op === 'substitute') {
      if (t.length === 0) continue;
      const i = m.at % t.length;
      t = t.slice(0, i) + m.ch + t.slice(i + 1);
    } else if (m.op === 'truncate') {
      t = t.slice(0, m.at % (t.length + 1));
    } else {
      const lines = t.split('\n');
      const i = m.at % lines.length;
      if (m.op === 'deleteLine') lines.splice(i, 1);
      else lines.splice(i, 0, lines[i] ?? '');
      t = lines.join('\n');
    }
  }
  return t;
}

describe('EDL properties', () => {
  it('arbitrary strings: no throw, quick, sane drafts and issues', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.constantFrom(...RATES), (text, rate) => {
        checkInvariants(text, timed(text, rate));
      }),
      { numRuns: 300 },
    );
  });

  it('EDL-shaped noise: no throw, quick, sane drafts and issues', () => {
    const piece = fc.constantFrom(
      '001',
      '002',
      '  ',
      ' ',
      '\t',
      'AX',
      'V',
      'A2',
      'AA/V',
      'NONE',
      'C',
      'D',
      'W001',
      'K',
      'B',
      '010',
      '00:00:00:00',
      '01:00:00;00',
      '23:59:59:29',
      '00:01:00;00',
      '99:99:99:99',
      '* LOC:',
      '*LOC:',
      'RED',
      'R101',
      '$QN=X',
      'FCM: DROP FRAME',
      'FCM: NON-DROP FRAME',
      'M2',
      '000.0',
      'AUD',
      '* COMMENT:',
      '* FROM CLIP NAME:',
      '\n',
      '\r\n',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 120 }).map((p) => p.join(' ')), fc.constantFrom(...RATES), (text, rate) => {
        checkInvariants(text, timed(text, rate));
      }),
      { numRuns: 500 },
    );
  });

  it('mutated fixtures: no throw, quick, sane drafts and issues', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(mutation, { minLength: 1, maxLength: 12 }),
        fc.constantFrom<FrameRateId>('24', '25', '29.97df', '29.97ndf', '23.976'),
        fc.constantFrom(48_000, 44_100, 96_000),
        (text, ops, rate, sampleRate) => {
          const mutated = mutate(text, ops);
          checkInvariants(mutated, timed(mutated, rate, sampleRate));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a very long line and a very long file stay fast', () => {
    const long = `001 ${'A'.repeat(200_000)} V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00`;
    checkInvariants(long, timed(long, '24'));
    const many = Array.from({ length: 20_000 }, (_, i) => `${String(i + 1).padStart(6, '0')} AX V C 01:00:00:00 01:00:00:01 01:00:00:00 01:00:00:01\n* LOC: 01:00:00:00 RED x`).join('\n');
    const started = performance.now();
    const r = parseEdl(many, { file: 'big.edl', frameRate: FRAME_RATES['24'], sampleRate: SR });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(r.scenes).toHaveLength(20_000);
    expect(r.cues).toHaveLength(20_000);
    // Inputs that make backtracking regular expressions quadratic.
    const colons = ':'.repeat(100_000);
    for (const nasty of [
      `001 AX V C ${colons}`,
      `001 AX V C 1${colons}x`,
      `* LOC: 1${colons}x`,
      `* LOC: 01:00:00:00 RED ${'$QN='.repeat(30_000)}`,
      `* LOC: 01:00:00:00 RED R${'1'.repeat(100_000)}x`,
      `FCM:${' '.repeat(100_000)}x`,
      `TITLE${' '.repeat(100_000)}x`,
      `* COMMENT${' '.repeat(100_000)}x`,
      `M2 ${'0'.repeat(100_000)}.x 01:00:00:00`,
      `${'0'.repeat(100_000)} AX V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n${'0'.repeat(100_000)} AX V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00`,
      '\r'.repeat(100_000),
    ]) {
      checkInvariants(nasty, timed(nasty, '24'));
    }
  });
});
