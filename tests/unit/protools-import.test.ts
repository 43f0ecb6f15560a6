/**
 * The Pro Tools "Session Info as Text" importer (src/core/interchange/protools-text.ts), against
 * the ptulsconv test exports in tests/fixtures/protools (MIT, see LICENSE.ptulsconv.txt):
 *
 * - Robin Hood Spotting.txt        one session, 29.97 NDF from 01:00:00:00, timecode
 * - Robin Hood Spotting2.txt       the same NDF session, feet+frames
 * - Robin Hood SpottingDF.txt      the session again at 29.97 DF from 01:00:00;00, timecode
 * - Robin Hood SpottingMS.txt      the DF session, Min:Secs (whole seconds)
 * - Robin Hood Spottingsamples.txt the DF session, samples
 * - Tag Tests.txt                  ptulsconv's tag precedence, `@` ranges, `&` joins, marker tags
 * - Test for ptulsconv.txt         the 2023 marker layout (Ruler and Track markers)
 *
 * plus small hand-written exports for what the fixtures lack, and property tests that feed
 * arbitrary and damaged text.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CueDraft } from '../../src/core/cues/cue.js';
import { parseProToolsText, type ProToolsImportResult } from '../../src/core/interchange/protools-text.js';
import { FRAME_RATES, framesPerDay, frameToPosition, labelToFrames, labelToPosition } from '../../src/core/time/index.js';

const dir = fileURLToPath(new URL('../fixtures/protools/', import.meta.url));
const FIXTURES = [
  'Robin Hood Spotting.txt',
  'Robin Hood Spotting2.txt',
  'Robin Hood SpottingDF.txt',
  'Robin Hood SpottingMS.txt',
  'Robin Hood Spottingsamples.txt',
  'Tag Tests.txt',
  'Test for ptulsconv.txt',
] as const;
const texts = new Map(FIXTURES.map((name) => [name, readFileSync(`${dir}${name}`, 'utf8')]));

function load(name: (typeof FIXTURES)[number], sampleRate = 48_000): ProToolsImportResult {
  return parseProToolsText(texts.get(name)!, { file: name, sampleRate });
}

function byNumber(result: ProToolsImportResult, number: string): CueDraft {
  const cue = result.cues.find((c) => c.number === number);
  if (!cue) throw new Error(`no cue ${number}`);
  return cue;
}

const codes = (result: ProToolsImportResult) => result.issues.map((i) => i.code);
const NDF = FRAME_RATES['29.97ndf'];
const DF = FRAME_RATES['29.97df'];
const FILM = FRAME_RATES['23.976'];

/** Invariants every result must satisfy, whatever the input. */
function checkInvariants(text: string, result: ProToolsImportResult): void {
  const lineCount = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).length;
  for (const draft of [...result.cues, ...result.scenes]) {
    expect(Number.isSafeInteger(draft.in) && draft.in >= 0, `in ${draft.in}`).toBe(true);
    expect(Number.isSafeInteger(draft.out), `out ${draft.out}`).toBe(true);
    expect(draft.in).toBeLessThanOrEqual(draft.out);
    if (draft.source) {
      expect(draft.source.line).toBeGreaterThanOrEqual(1);
      expect(draft.source.line).toBeLessThanOrEqual(lineCount);
    }
  }
  for (const issue of result.issues) {
    expect(issue.code).toMatch(/^PTX_[A-Z_]+$/);
    expect(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lineCount, `${issue.code} line ${issue.line} of ${lineCount}`).toBe(true);
    if (issue.column !== undefined) expect(Number.isInteger(issue.column) && issue.column >= 1).toBe(true);
    expect(issue.message).toMatch(/\S.*\.$/);
  }
  expect(result.session.start === null || Number.isSafeInteger(result.session.start)).toBe(true);
}

// ---------------------------------------------------------------------------------------------

describe('Pro Tools text: fixture headers and counts', () => {
  const expected = {
    'Robin Hood Spotting.txt': { rate: '29.97ndf', start: 172_972_800, format: 'timecode', cues: 85, scenes: 6, characters: 13 },
    'Robin Hood Spotting2.txt': { rate: '29.97ndf', start: 172_972_800, format: 'feet+frames', cues: 85, scenes: 6, characters: 13 },
    'Robin Hood SpottingDF.txt': { rate: '29.97df', start: 172_799_827, format: 'timecode', cues: 85, scenes: 6, characters: 13 },
    'Robin Hood SpottingMS.txt': { rate: '29.97df', start: 172_799_827, format: 'min:sec', cues: 85, scenes: 6, characters: 13 },
    'Robin Hood Spottingsamples.txt': { rate: '29.97df', start: 172_799_827, format: 'samples', cues: 85, scenes: 6, characters: 13 },
    'Tag Tests.txt': { rate: '23.976', start: 172_972_800, format: 'timecode', cues: 10, scenes: 0, characters: 6 },
    'Test for ptulsconv.txt': { rate: '23.976', start: 0, format: 'timecode', cues: 3, scenes: 0, characters: 1 },
  } as const;

  for (const name of FIXTURES) {
    it(`${name}: header, counts, no errors`, () => {
      const result = load(name);
      const want = expected[name];
      expect(result.session.frameRate?.id).toBe(want.rate);
      expect(result.session.sampleRate).toBe(48_000);
      expect(result.session.start).toBe(want.start);
      expect(result.session.timeFormat).toBe(want.format);
      expect(result.cues).toHaveLength(want.cues);
      expect(result.scenes).toHaveLength(want.scenes);
      expect(result.characters).toHaveLength(want.characters);
      expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
      checkInvariants(texts.get(name)!, result);
    });
  }

  it('session names, project fields and the start as samples since midnight', () => {
    const ndf = load('Robin Hood Spotting.txt');
    expect(ndf.session.name).toBe('Robin Hood Spotting');
    expect(ndf.session.fields).toEqual({ Title: 'The Adventures of Robin Hood', Supv: 'Nathan Levinson' });
    // 01:00:00:00 NDF is 108 000 frames × 1601.6 samples; 01:00:00;00 DF is 107 892 frames, 172 799 827.2 → .2 rounds down.
    expect(ndf.session.start).toBe(labelToPosition('01:00:00:00', NDF, 48_000));
    expect(load('Robin Hood Spottingsamples.txt').session.start).toBe(labelToPosition('01:00:00;00', DF, 48_000));
    expect(load('Test for ptulsconv.txt').session.fields).toEqual({ Title: 'Multiple Marker Rulers Project' });
    expect(load('Tag Tests.txt').session.name).toBe('Tag Tests');
  });

  it('warns about what it could not take exactly, and about tracks it skipped', () => {
    expect(codes(load('Robin Hood Spotting.txt'))).toEqual([]); // no music track in this export
    for (const name of ['Robin Hood Spotting2.txt', 'Robin Hood SpottingDF.txt', 'Robin Hood SpottingMS.txt', 'Robin Hood Spottingsamples.txt'] as const) {
      const skipped = load(name).issues.filter((i) => i.code === 'PTX_TRACK_SKIPPED');
      expect(skipped).toHaveLength(1);
      expect(skipped[0]!.message).toContain('"MX WT (Stereo)"');
      expect(skipped[0]!.message).toContain('2 clips'); // channels 1 and 2 of one stereo clip, read once
    }
    expect(codes(load('Robin Hood Spotting2.txt'))).toContain('PTX_COARSE_TIME'); // 23.976 film frames in a 29.97 session
    expect(codes(load('Robin Hood SpottingMS.txt'))).toContain('PTX_COARSE_TIME'); // whole seconds
    expect(codes(load('Robin Hood Spottingsamples.txt'))).toEqual(['PTX_TRACK_SKIPPED']);
    expect(codes(load('Tag Tests.txt'))).toEqual([]);
    expect(codes(load('Test for ptulsconv.txt'))).toEqual([]);
  });
});

describe('Pro Tools text: ADR cues from the Robin Hood spotting session', () => {
  const ndf = load('Robin Hood Spotting.txt');

  it('R101: number, text without its quotes, character from the track, times at 48 kHz', () => {
    const r101 = byNumber(ndf, 'R101');
    expect(r101).toMatchObject({
      kind: 'adr',
      number: 'R101',
      lineText: 'What now, Sir Guy? You would not kill a man for telling the truth, would you?',
      character: 'Robin',
      scene: 'Ext. Edge of Sherwood Forest - Much Poaches a Deer',
      source: { file: 'Robin Hood Spotting.txt', line: 49, column: 19 },
    });
    // 01:05:06:18 NDF = frame 117 198 since midnight × 1601.6 = 187 704 316.8 → 187 704 317.
    expect(r101.in).toBe(187_704_317);
    expect(r101.out).toBe(187_854_867); // 01:05:09:22
    expect(r101.in).toBe(labelToPosition('01:05:06:18', NDF, 48_000));
    expect(r101.reason).toBeUndefined();
    expect(r101.notes).toBeUndefined();
  });

  it('reasons, effort flags, odd clip names and cue numbers with padding', () => {
    expect(byNumber(ndf, 'GY101')).toMatchObject({ reason: 'Unintelligible', lineText: "They're even more worried than (usual) your highness." });
    expect(byNumber(ndf, 'MH103')).toMatchObject({ reason: 'added', notes: '[EFF]', lineText: '(effort STRUCK WITH HAND)' }); // {R=Added} → code
    expect(byNumber(ndf, 'SC102').reason).toBe('performance');
    // Quotes stay when the text is not wholly quoted.
    expect(byNumber(ndf, 'PR101')).toMatchObject({ lineText: '"No, stop! Stop!" (effort SHOVED AWAY)', reason: 'off-mic', notes: '[EFF]' });
    expect(byNumber(ndf, 'GC102').notes).toBe('[AP]');
    expect(byNumber(ndf, 'J119').lineText).toBe('Of course…'); // "$QN=J119         " padded
    expect(byNumber(ndf, 'J121').lineText).toBe('John.grp-02');
    expect(byNumber(ndf, 'M104').lineText).toBe('Perhaps when I know him better—');
  });

  it('cues per character, characters with actors in character-number order and inferred prefixes', () => {
    const perCharacter = new Map<string, number>();
    for (const cue of ndf.cues) perCharacter.set(cue.character ?? '', (perCharacter.get(cue.character ?? '') ?? 0) + 1);
    expect(Object.fromEntries(perCharacter)).toEqual({
      Robin: 10, Will: 2, Marian: 4, John: 21, Guy: 16, Much: 17, Butcher: 1, 'Town Crier': 4,
      'Soldier 1': 2, 'Soldier 2': 1, 'Soldier 3': 2, Priest: 3, 'Guest at Court': 2,
    });
    expect(ndf.characters.map((c) => [c.name, c.actor, c.prefix])).toEqual([
      ['Robin', 'Errol Flynn', 'R'],
      ['Will', 'Patrick Knowles', 'W'],
      ['Marian', 'Olivia DeHavilland', 'M'],
      ['John', 'Claude Raines', 'J'],
      ['Guy', 'Basil Rathbone', 'GY'],
      ['Much', 'Herbert Mundin', 'MH'],
      ['Butcher', 'George Bunny', 'BT'],
      ['Town Crier', 'Leonard Mundie', 'TC'],
      ['Soldier 1', null, 'SA'],
      ['Soldier 2', null, 'SB'],
      ['Soldier 3', null, 'SC'],
      ['Priest', 'Thomas R. Mills', 'PR'],
      ['Guest at Court', null, 'GC'],
    ]);
    expect(new Set(ndf.cues.map((c) => c.number)).size).toBe(85);
    expect(ndf.cues.every((c) => c.kind === 'adr')).toBe(true);
  });

  it('scenes from the @ {Sc=…} ranges, and each cue gets the scene it starts in', () => {
    expect(ndf.scenes.map((s) => [s.number, s.description])).toEqual([
      ['MT', 'Main Titles'],
      ['1', 'Ext. Town Square - News of the King'],
      ['2', 'Int. Castle - John and Guy'],
      ["Int/Ext. Montage - John's Soldiers Terrorize the Countryside", undefined],
      ['Ext. Edge of Sherwood Forest - Much Poaches a Deer', undefined],
      ['Int. Nottingham Castle - The Feast', undefined],
    ]);
    expect(ndf.scenes[0]).toMatchObject({ in: labelToPosition('01:00:08:00', NDF, 48_000), out: labelToPosition('01:01:35:25', NDF, 48_000), source: { line: 35 } });
    // Scenes are contiguous.
    for (let i = 1; i < ndf.scenes.length; i++) expect(ndf.scenes[i]!.in).toBe(ndf.scenes[i - 1]!.out);
    expect(byNumber(ndf, 'TC101').scene).toBe('1');
    expect(byNumber(ndf, 'J101').scene).toBe('2');
    expect(byNumber(ndf, 'SA101').scene).toBe("Int/Ext. Montage - John's Soldiers Terrorize the Countryside");
    expect(byNumber(ndf, 'J110').scene).toBe('Int. Nottingham Castle - The Feast');
    for (const cue of ndf.cues) {
      const scene = ndf.scenes.find((s) => s.in <= cue.in && cue.in < s.out);
      expect(cue.scene, cue.number ?? '').toBe(scene?.number);
    }
  });

  it('the title marker is made only of tags, so it is a field carrier and not a cue', () => {
    expect(ndf.cues.some((c) => c.source?.line === 234)).toBe(false);
    expect(ndf.cues.some((c) => (c.notes ?? '').includes('Title'))).toBe(false);
  });
});

describe('Pro Tools text: one session in every time format', () => {
  /** Each cue's and scene's edges relative to its session start, by cue or scene number. */
  function relative(name: (typeof FIXTURES)[number]): Map<string, [number, number]> {
    const result = load(name);
    const start = result.session.start!;
    const map = new Map<string, [number, number]>();
    for (const cue of result.cues) map.set(cue.number!, [cue.in - start, cue.out - start]);
    for (const scene of result.scenes) map.set(`scene ${scene.number}`, [scene.in - start, scene.out - start]);
    return map;
  }
  const samples = relative('Robin Hood Spottingsamples.txt');

  /** Differences (samples export − other export) over every edge; all 91 cues and scenes must match. */
  function differences(name: (typeof FIXTURES)[number]): number[] {
    const other = relative(name);
    expect([...other.keys()].sort()).toEqual([...samples.keys()].sort());
    const out: number[] = [];
    for (const [key, [a, b]] of samples) {
      const [c, d] = other.get(key)!;
      out.push(a - c, b - d);
    }
    return out;
  }

  it('samples: session start + the sample count, at the DF session start', () => {
    const result = load('Robin Hood Spottingsamples.txt');
    const r101 = byNumber(result, 'R101');
    expect(r101.in).toBe(172_799_827 + 14_731_517);
    expect(r101.out).toBe(172_799_827 + 14_883_465);
  });

  // Why "within one sample" and not equal: a timecode label names the frame that CONTAINS the
  // sample, so a clip edge that Pro Tools has off a frame line (many clip ends are) reads back as
  // that frame's first sample — up to one frame (1601.6 samples) early. Edges on a frame line agree
  // exactly in NDF (01:00:00:00 is a whole sample since midnight). In DF the session starts at
  // 172 799 827.2 samples since midnight: Pro Tools rounds a frame's first sample from its session
  // start, Loopstage from midnight, so on-line edges can differ by one sample either way.
  it('29.97 NDF timecode vs samples: equal on frame lines, otherwise the start of the containing frame', () => {
    const d = differences('Robin Hood Spotting.txt');
    expect(d).toHaveLength(182);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThan(1601.6);
    expect(d.filter((x) => x === 0).length).toBe(136);
  });

  it('29.97 DF timecode vs samples: within one sample on frame lines, otherwise within the frame', () => {
    const d = differences('Robin Hood SpottingDF.txt');
    expect(Math.min(...d)).toBe(-1);
    expect(Math.max(...d)).toBeLessThan(1601.6 + 1);
    expect(d.filter((x) => Math.abs(x) <= 1).length).toBe(136); // the same 136 on-line edges as NDF
    expect(d.filter((x) => x !== 0 && Math.abs(x) <= 1).length).toBe(31);
  });

  it('the NDF and DF sessions put every cue at the same offset from their starts (within one sample)', () => {
    const ndf = relative('Robin Hood Spotting.txt');
    const df = relative('Robin Hood SpottingDF.txt');
    for (const [key, [a, b]] of ndf) {
      const [c, e] = df.get(key)!;
      expect(Math.abs(a - c), key).toBeLessThanOrEqual(1);
      expect(Math.abs(b - e), key).toBeLessThanOrEqual(1);
    }
    // And R101's absolute positions are the frames its labels name in each session.
    expect(byNumber(load('Robin Hood SpottingDF.txt'), 'R101').in).toBe(labelToPosition('01:05:06;28', DF, 48_000));
  });

  it('Min:Secs without milliseconds: Pro Tools truncates to whole seconds, so up to a second early', () => {
    const d = differences('Robin Hood SpottingMS.txt');
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThan(48_000);
    expect(byNumber(load('Robin Hood SpottingMS.txt'), 'R101').in).toBe(172_799_827 + 306 * 48_000); // 5:06
  });

  it('feet+frames: 23.976 film frames from the session start, up to one film frame (2002 samples) early', () => {
    // Spotting2 is the NDF session; its starts match the samples export relative to the start.
    const d = differences('Robin Hood Spotting2.txt');
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThan(2002);
    const r101 = byNumber(load('Robin Hood Spotting2.txt'), 'R101');
    expect(r101.in).toBe(172_972_800 + (459 * 16 + 14) * 2002); // 459+14
  });

  it('converts through time: the samples export into a 96 kHz project lands on the DF labels at 96 kHz', () => {
    const at96 = load('Robin Hood Spottingsamples.txt', 96_000);
    expect(at96.session.start).toBe(labelToPosition('01:00:00;00', DF, 96_000));
    const r101 = byNumber(at96, 'R101');
    expect(r101.in).toBe(labelToPosition('01:05:06;28', DF, 96_000));
    expect(r101.in).toBe(at96.session.start! + 2 * 14_731_517);
    const tc96 = byNumber(load('Robin Hood SpottingDF.txt', 96_000), 'R101');
    expect(Math.abs(tc96.in - r101.in)).toBeLessThanOrEqual(1);
    const at441 = byNumber(load('Robin Hood Spotting.txt', 44_100), 'R101');
    expect(at441.in).toBe(frameToPosition(labelToFrames('01:05:06:18', NDF), NDF, 44_100));
  });
});

describe('Pro Tools text: ptulsconv tag conventions (Tag Tests.txt)', () => {
  const result = load('Tag Tests.txt');
  const cue = (text: string) => {
    const found = result.cues.find((c) => c.lineText === text);
    if (!found) throw new Error(`no cue "${text}"`);
    return found;
  };
  const notes = (text: string) => (cue(text).notes ?? '').split('; ').sort();
  const at = (label: string) => labelToPosition(label, FILM, 48_000);

  it('no [ADR] anywhere: every clip is a cue (ptulsconv\'s 9 events), plus the one marker with text', () => {
    expect(result.cues.filter((c) => c.source!.line < 96).map((c) => c.lineText).sort()).toEqual(
      ['A B C', 'Clip Name', 'Dolor sic amet the rain in spain', 'Lorem ipsum', 'Region 02', 'Region 04', 'Region 12', 'Region 22', 'Silver Bridge'],
    );
    expect(cue('Marker')).toMatchObject({ in: at('01:00:05:00'), out: at('01:00:05:01'), number: null });
    // In listing order (no $CN): "A" on Audio 3 comes before Audio 4's clip.
    expect(result.characters.map((c) => c.name)).toEqual(['Audio 1', 'Audio 2', 'Audio 3', 'Audio 4', 'Audio 6', 'Audio 8']);
  });

  it('& joins clips: text appended, earlier fields win, the cue spans all of them', () => {
    expect(cue('Dolor sic amet the rain in spain')).toMatchObject({ in: at('01:00:10:00'), out: at('01:00:25:00'), character: 'Audio 2' });
    expect(notes('Dolor sic amet the rain in spain')).toEqual(['A=1', 'M=1', 'X=302', '[ABC]']);
    expect(cue('A B C')).toMatchObject({ in: at('01:00:15:00'), out: at('01:00:45:00') });
    expect(notes('A B C')).toEqual(['A=2', 'B=100', 'M=1']);
  });

  it('track name over track comments over ranges over markers; clip over all', () => {
    expect(notes('Clip Name')).toEqual(['X=300']);
    expect(notes('Lorem ipsum')).toEqual(['A=1', 'X=301']);
    expect(notes('Silver Bridge')).toEqual(['A=3']); // name $A=3 beats comments $A=4
    expect(cue('Silver Bridge').character).toBe('Audio 4'); // tags removed from the track name
  });

  it('@ ranges apply to clips starting inside them on lower tracks; the later range wins', () => {
    expect(notes('Region 02')).toEqual(['D=100']);
    expect(notes('Region 12')).toEqual(['D=101', 'M=1']);
    expect(notes('Region 22')).toEqual(['D=102', 'M=2']);
    expect(notes('Region 04')).toEqual(['D=200', 'E=101']); // Audio 7's range over Audio 5's
  });

  it('marker fields apply from the marker on, in time order (not listing order)', () => {
    // Markers are listed 3 (01:00:05:00, M=0), 1 (01:00:10:00, M=1), 2 (01:00:22:00, M=2).
    expect(notes('Region 04')).not.toContain('M=0'); // starts 01:00:04:00, before every marker
    expect(notes('Region 12')).toContain('M=1');
    expect(notes('Marker')).toEqual(['M=0']);
  });
});

describe('Pro Tools text: the 2023 marker layout (Test for ptulsconv.txt)', () => {
  const result = load('Test for ptulsconv.txt');

  it('clips with $QN on an unmarked track, the actor from the track comments', () => {
    expect(byNumber(result, 'T1001')).toMatchObject({ lineText: 'Test Line 1', character: 'Hamlet', in: 0, out: 96_096 });
    expect(byNumber(result, 'T1002')).toMatchObject({ in: 192_192, out: 288_288 });
    expect(result.characters).toEqual([{ name: 'Hamlet', actor: 'Laurence Olivier', prefix: 'T', source: { file: 'Test for ptulsconv.txt', line: 17 } }]);
  });

  it('a Track marker is a one-frame cue for that track\'s character; a tags-only Ruler marker is not a cue', () => {
    const marker = result.cues.find((c) => c.lineText === 'Track Marker');
    expect(marker).toMatchObject({ kind: 'adr', number: null, character: 'Hamlet', in: 192_192, out: 192_192 + 2002, source: { line: 24, column: 49 } });
    expect(result.cues).toHaveLength(3);
  });

  it('markers become Foley events when the import is for Foley', () => {
    const foley = parseProToolsText(texts.get('Test for ptulsconv.txt')!, { file: 'f', sampleRate: 48_000, kind: 'foley' });
    const marker = foley.cues.find((c) => c.description === 'Track Marker');
    expect(marker).toMatchObject({ kind: 'foley', track: 'Hamlet', in: 192_192 });
    expect(marker?.character).toBeUndefined();
    // Nothing is marked [ADR], so the clips follow the import's kind too.
    expect(foley.cues.every((c) => c.kind === 'foley')).toBe(true);
    expect(foley.characters).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-written exports for what the fixtures do not show.

const COLUMNS = 'CHANNEL \tEVENT   \tCLIP NAME                     \tSTART TIME    \tEND TIME      \tDURATION      \tSTATE';

function header({ rate = '25 Frame', start = '01:00:00:00', sampleRate = '48000.000000', name = 'Synthetic' } = {}): string[] {
  return [
    `SESSION NAME:\t${name}`,
    `SAMPLE RATE:\t${sampleRate}`,
    'BIT DEPTH:\t24-bit',
    `SESSION START TIMECODE:\t${start}`,
    `TIMECODE FORMAT:\t${rate}`,
    '# OF AUDIO TRACKS:\t1',
    '',
    '',
  ];
}

function track(name: string, comments: string, clips: [string, string, string, string?][]): string[] {
  return [
    `TRACK NAME:\t${name}`,
    `COMMENTS:\t${comments}`,
    'USER DELAY:\t0 Samples',
    'STATE: ',
    'PLUG-INS: ',
    COLUMNS,
    ...clips.map(([clip, s, e, state], i) => `1       \t${i + 1}       \t${clip.padEnd(30)}\t${s.padStart(14)}\t${e.padStart(14)}\t${'0'.padStart(14)}\t${state ?? 'Unmuted'}`),
    '',
    '',
  ];
}

function parse(lines: string[], options: Partial<Parameters<typeof parseProToolsText>[1]> = {}): ProToolsImportResult {
  const text = lines.join('\n');
  const result = parseProToolsText(text, { file: 'synthetic.txt', sampleRate: 48_000, ...options });
  checkInvariants(text, result);
  return result;
}

const TC25 = FRAME_RATES['25'];

describe('Pro Tools text: hand-written exports', () => {
  it('Min:Secs with milliseconds counts from the session start', () => {
    const result = parse([...header(), 'T R A C K  L I S T I N G', ...track('Robin', '[ADR]', [['"Line" $QN=R1', '1:05.250', '1:07.5']])]);
    const start = labelToPosition('01:00:00:00', TC25, 48_000);
    expect(byNumber(result, 'R1')).toMatchObject({ in: start + 65.25 * 48_000, out: start + 67.5 * 48_000, lineText: 'Line', character: 'Robin' });
    expect(codes(result)).toEqual([]);
  });

  it('bars|beats rows are skipped with a warning; a bad time is an error at its line and column', () => {
    const lines = [...header(), 'T R A C K  L I S T I N G', ...track('Robin', '[ADR]', [['$QN=R1', '  12| 3| 000', '  13| 1| 000'], ['$QN=R2', '01:00:61:00', '01:00:62:00'], ['$QN=R3', '01:00:10:00', '01:00:11:00']])];
    const result = parse(lines);
    expect(result.cues.map((c) => c.number)).toEqual(['R3']);
    const bars = result.issues.find((i) => i.code === 'PTX_BARS_BEATS')!;
    expect(bars).toMatchObject({ severity: 'warning', line: 16 });
    const bad = result.issues.find((i) => i.code === 'PTX_BAD_TIME')!;
    expect(bad).toMatchObject({ severity: 'error', line: 17, column: lines[16]!.indexOf('01:00:61:00') + 1 });
    expect(bad.message).toContain('"01:00:61:00"');
  });

  it('a 44.1 kHz session\'s samples are converted through time into a 48 kHz project', () => {
    const result = parse([...header({ sampleRate: '44100.000000' }), 'T R A C K  L I S T I N G', ...track('A', '[ADR]', [['$QN=A1', '44100', '88200']])]);
    const start = labelToPosition('01:00:00:00', TC25, 48_000);
    expect(result.session.sampleRate).toBe(44_100);
    expect(byNumber(result, 'A1')).toMatchObject({ in: start + 48_000, out: start + 96_000 });
  });

  it('sub-frames in the session start, and a session that crosses midnight', () => {
    const sub = parse([...header({ start: '01:00:00:00.50' }), 'T R A C K  L I S T I N G', ...track('A', '[ADR]', [['$QN=A1', '0', '100']])]);
    expect(sub.session.start).toBe(labelToPosition('01:00:00:00', TC25, 48_000) + 960); // half a 25 fps frame
    expect(byNumber(sub, 'A1').in).toBe(sub.session.start);
    const midnight = parse([...header({ start: '23:59:00:00' }), 'T R A C K  L I S T I N G', ...track('A', '[ADR]', [['$QN=A1', '23:59:30:00', '00:00:10:00']])]);
    expect(byNumber(midnight, 'A1')).toMatchObject({
      in: labelToPosition('23:59:30:00', TC25, 48_000),
      out: frameToPosition(framesPerDay(TC25) + 250, TC25, 48_000),
    });
  });

  it('tags mapped to cue fields; muted clips are omitted; unmarked tracks are skipped when others are [ADR]', () => {
    const result = parse([
      ...header({ name: 'Film $Ver=2 {Client=Acme}' }),
      'T R A C K  L I S T I N G',
      ...track('Guy {Actor=Basil Rathbone}', '[ADR] $CN=5 {Reel=R2}', [
        ['"A line" [Noise] $P=2 [TV] [TBW] [ADLIB] [OPT] {Note=say it slower} {Eng=mic 2} {Color=Red} $QN=G1', '01:00:01:00', '01:00:02:00'],
        ['"Another" {Char=Sir Guy} {Line=Another, reworded} {R=Script change} $QN=G2', '01:00:03:00', '01:00:04:00', 'Muted'],
        ['& "and more" $QN=X9', '01:00:04:00', '01:00:05:00'],
      ]),
      ...track('FX', '', [['door slam', '01:00:01:00', '01:00:02:00']]),
    ]);
    expect(result.session).toMatchObject({ name: 'Film', fields: { Client: 'Acme' } });
    expect(byNumber(result, 'G1')).toMatchObject({
      lineText: 'A line', character: 'Guy', reason: 'noise', priority: 2, tv: true, tbw: true, adlib: true, optional: true,
      notes: 'say it slower; Ver=2', engNotes: 'mic 2', colour: 'Red', reel: 'R2',
    });
    const g2 = byNumber(result, 'G2');
    expect(g2).toMatchObject({ character: 'Sir Guy', lineText: 'Another, reworded', reason: 'script', status: 'omitted', out: labelToPosition('01:00:05:00', TC25, 48_000) });
    expect(result.cues).toHaveLength(2); // the & clip joined G2; the FX clip was skipped
    expect(result.characters.map((c) => [c.name, c.actor])).toEqual([['Guy', 'Basil Rathbone'], ['Sir Guy', 'Basil Rathbone']]);
    expect(result.issues.map((i) => [i.code, i.line, i.column])).toEqual([['PTX_TRACK_SKIPPED', 21, 13]]); // at "FX"'s name
  });

  it('markers: old and new layouts, selection ends, multi-line comments, Foley descriptions', () => {
    const lines = [
        ...header(),
        'M A R K E R S  L I S T I N G',
        '#   \tLOCATION     \tTIME REFERENCE    \tUNITS    \tNAME                             \tTRACK NAME   \tTRACK TYPE   \tEND          \tCOMMENTS',
        '1   \t01:00:10:00  \t480000            \tSamples  \tFootsteps on gravel {Pass=feet} \tMarkers      \tRuler        \t01:00:12:00  \tboots',
        'second line of the comment',
        '2   \t01:00:20:00  \t                  \tSamples  \tDoor                             \tFoley 1      \tTrack        \t             \t',
    ];
    const result = parse(lines, { kind: 'foley' });
    const column = lines[10]!.indexOf('Footsteps') + 1;
    const start = labelToPosition('01:00:00:00', TC25, 48_000);
    expect(result.cues).toEqual([
      { kind: 'foley', number: null, description: 'Footsteps on gravel - boots second line of the comment', pass: 'feet', in: start + 480_000, out: labelToPosition('01:00:12:00', TC25, 48_000), source: { file: 'synthetic.txt', line: 11, column } },
      // No {Pass=…} here: the first marker's fields describe its own event, not the ones after it.
      { kind: 'foley', number: null, description: 'Door', track: 'Foley 1', in: start + 960_000, out: start + 960_000 + 1920, source: { file: 'synthetic.txt', line: 13, column } },
    ]);
    expect(codes(result)).toEqual([]);
  });

  it('CR line endings, CRLF and a byte-order mark read the same as LF', () => {
    const text = texts.get('Tag Tests.txt')!;
    const lf = parseProToolsText(text, { file: 'x', sampleRate: 48_000 });
    for (const variant of [text.replace(/\n/g, '\r'), text.replace(/\n/g, '\r\n'), `\uFEFF${text}`]) {
      expect(parseProToolsText(variant, { file: 'x', sampleRate: 48_000 })).toEqual(lf);
    }
  });

  it('frame rates: unsupported, missing, or different from the one asked for', () => {
    const body = ['T R A C K  L I S T I N G', ...track('A', '[ADR]', [['$QN=A1', '01:00:01:00', '01:00:02:00']])];
    const unsupported = parse([...header({ rate: '30 Drop Frame', start: '01:00:00;00' }), ...body]);
    expect(unsupported.cues).toEqual([]);
    expect(unsupported.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual(['PTX_RATE_UNSUPPORTED']);
    const fallback = parse([...header({ rate: '' }), ...body], { frameRate: TC25 });
    expect(fallback.session.frameRate).toBe(TC25);
    expect(byNumber(fallback, 'A1').in).toBe(labelToPosition('01:00:01:00', TC25, 48_000));
    const mismatch = parse([...header(), ...body], { frameRate: FRAME_RATES['24'] });
    expect(mismatch.session.frameRate).toBe(TC25);
    expect(codes(mismatch)).toEqual(['PTX_RATE_MISMATCH']);
    const none = parse(body);
    expect(codes(none)).toEqual(['PTX_NO_HEADER', 'PTX_NO_RATE']);
    expect(none.issues.map((i) => i.severity)).toEqual(['warning', 'error']);
  });

  it('not an export, bad options, an & with nothing before it, an unclosed tag', () => {
    const junk = parse(['hello', 'world']);
    expect(junk.cues).toEqual([]);
    expect(junk.issues.find((i) => i.code === 'PTX_NO_HEADER')).toMatchObject({ severity: 'error', line: 1 });
    expect(parseProToolsText('', { file: 'e', sampleRate: 0 }).issues.map((i) => i.code)).toEqual(['PTX_BAD_OPTIONS']);
    const orphan = parse([...header(), 'T R A C K  L I S T I N G', ...track('A', '', [['& alone {Note=x', '01:00:01:00', '01:00:02:00']])]);
    expect(orphan.cues).toHaveLength(1);
    expect(orphan.cues[0]!.lineText).toBe('alone {Note=x');
    expect(codes(orphan).sort()).toEqual(['PTX_BAD_TAG', 'PTX_ORPHAN_CONTINUATION']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: any input ends, without throwing, in well-formed drafts and issues.

const MUTATION_CHARS = ['\t', '\n', '\r', ' ', ':', ';', '.', '+', '|', '{', '}', '[', ']', '$', '=', '@', '&', '"', '0', '1', '9', 'A', 'é', '\u0000'];

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'substitute'; at: number; char: string }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'swap'; at: number; with: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('substitute' as const), at: fc.nat(), char: fc.constantFrom(...MUTATION_CHARS) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
);

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const lines = out.split('\n');
    switch (m.op) {
      case 'delete':
        lines.splice(m.at % lines.length, 1);
        out = lines.join('\n');
        break;
      case 'duplicate': {
        const i = m.at % lines.length;
        lines.splice(i, 0, lines[i] ?? '');
        out = lines.join('\n');
        break;
      }
      case 'swap': {
        const i = m.at % lines.length;
        const j = m.with % lines.length;
        [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
        out = lines.join('\n');
        break;
      }
      case 'substitute': {
        const i = out.length === 0 ? 0 : m.at % out.length;
        out = out.slice(0, i) + m.char + out.slice(i + 1);
        break;
      }
      case 'truncate':
        out = out.slice(0, out.length === 0 ? 0 : m.at % (out.length + 1));
        break;
    }
  }
  return out;
}

const optionsArb = fc.record({
  sampleRate: fc.constantFrom(44_100, 48_000, 96_000),
  kind: fc.constantFrom('adr' as const, 'foley' as const, undefined),
  frameRate: fc.constantFrom(undefined, FRAME_RATES['25'], FRAME_RATES['29.97df'], FRAME_RATES['23.976']),
});

function runChecked(text: string, options: { sampleRate: number; kind: 'adr' | 'foley' | undefined; frameRate: (typeof FRAME_RATES)[keyof typeof FRAME_RATES] | undefined }): void {
  const begin = performance.now();
  const result = parseProToolsText(text, { file: 'prop.txt', ...options });
  expect(performance.now() - begin).toBeLessThan(2_000);
  checkInvariants(text, result);
}

/** Pieces of real exports, so random text reaches past the header. */
const FRAGMENTS = [
  'SESSION NAME:\tX', 'SAMPLE RATE:\t48000.000000', 'SESSION START TIMECODE:\t01:00:00:00', 'SESSION START TIMECODE:\t23:59:59;29.99',
  'TIMECODE FORMAT:\t29.97 Drop Frame', 'TIMECODE FORMAT:\t25 Frame', 'TIMECODE FORMAT:\t23.976 Frame', 'T R A C K  L I S T I N G',
  'M A R K E R S  L I S T I N G', 'P L U G - I N S  L I S T I N G', 'TRACK NAME:\tA [ADR]', 'COMMENTS:\t{Actor=B} $CN=1', COLUMNS,
  '1\t1\t"x" $QN=Q1\t01:00:01:00\t01:00:02:00\t00:00:01:00\tUnmuted', '1\t2\t@ {Sc=1 Int.}\t0\t99999999999999\t1\tMuted',
  '1\t3\t& more\t5:00.1\t4:00\t1\tUnmuted', '2\t1\t[EFF]\t12+08\t1| 1| 000\t0\t', '#\tLOCATION\tTIME REFERENCE\tUNITS\tNAME\tCOMMENTS',
  '1\t01:00:00:00\t0\tSamples\tName {Title=T}\tc', '9\t99:99:99:99\t-1\tTicks\t\t', '', '\t', '{', '[', '$QN=', '@', '&',
];

describe('Pro Tools text: properties', () => {
  it('pathological lines (long runs of spaces, braces, dollars, digits) finish quickly', () => {
    const long = 200_000;
    const cases = [
      [...header({ rate: `29.97${' '.repeat(long)}x` })].join('\n'),
      [...header({ start: `01:00:00:00${' '.repeat(long)}` }), 'T R A C K  L I S T I N G', ...track('A', '{'.repeat(long), [['$'.repeat(long), '9'.repeat(long), '1|'.repeat(long)]])].join('\n'),
      [...header(), 'T R A C K  L I S T I N G', ...track('[ '.repeat(long), '$a= '.repeat(long), [['{a=1}'.repeat(long / 5), ' '.repeat(long), '@&'.repeat(long)]])].join('\n'),
      `${'T R A C K  '.repeat(long / 10)}\n${'\t'.repeat(long)}\n${'M A R K E R S  L I S T I N G\n1\t'.repeat(long / 30)}`,
    ];
    for (const text of cases) runChecked(text, { sampleRate: 48_000, kind: undefined, frameRate: undefined });
  });

  it('arbitrary strings never throw and give well-formed results', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000, unit: 'binary' }), optionsArb, (text, options) => runChecked(text, options)),
      { numRuns: 300 },
    );
  });

  it('random sequences of export lines never throw and give well-formed results', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 40 })), { maxLength: 80 }), fc.constantFrom('\n', '\r\n', '\r'), optionsArb, (lines, eol, options) =>
        runChecked(lines.join(eol), options),
      ),
      { numRuns: 400 },
    );
  });

  it('mutated fixtures (deleted, duplicated and swapped lines, substituted characters, truncation) never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 12 }), optionsArb, (name, mutations, options) =>
        runChecked(mutate(texts.get(name)!, mutations), options),
      ),
      { numRuns: 400 },
    );
  });
});
