/**
 * A Foley pass recorded through real PortAudio on the audio rig, driven by the `loopstage` binary:
 * a feet pass over a scene is recorded free-running with the feet track template (close mic +
 * room), filed against the pass, and linked to exactly the events wholly inside what it recorded.
 * The files are read back by ffprobe and exiftool.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelToPosition, parseFrameRate } from '../../src/core/time/index.js';
import { startRig, writeRampMic, type Rig } from '../support/rig.js';
import { loopstage } from '../support/cli.js';

const RATE = 48_000;
const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-pass-rig-'));
const dir = path.join(work, 'P');
let rig: Rig;

beforeAll(() => {
  rig = startRig(2, RATE);
  writeRampMic(rig, 60, RATE, 2);
  expect(loopstage(['project', 'create', dir, '--rate', '25', '--sample-rate', String(RATE), '--start', '01:00:00:00']).code).toBe(0);
  const csv = path.join(work, 'foley.csv');
  // Scene 7's feet for ROBIN: F101 and F102 lie inside the pass; F103 (MARIAN) is not ROBIN's; F104 is props.
  writeFileSync(csv, [
    'Cue,Character,TC In,TC Out,Pass,Surface,Scene',
    'F101,ROBIN,01:00:10:00,01:00:11:00,feet,gravel,7',
    'F102,ROBIN,01:00:12:00,01:00:13:00,feet,wood,7',
    'F103,MARIAN,01:00:11:00,01:00:12:00,feet,gravel,7',
    'F104,ROBIN,01:00:12:10,01:00:12:20,props,,7',
  ].join('\n'));
  const imported = loopstage(['import', csv, '--project', dir, '--kind', 'foley']);
  expect(imported.code, imported.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  rig?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a Foley feet pass on the rig', () => {
  it('records free-running over the pass with its track template, files it against the pass and covers its events', { timeout: 120_000 }, () => {
    const template = loopstage(['pass', 'template', '--project', dir, '--kind', 'feet', '--channels', '1,2', '--names', 'close,room', '--json']);
    expect(template.code, template.stderr).toBe(0);
    expect(JSON.parse(template.stdout)).toEqual({ kind: 'feet', template: { inputChannels: [0, 1], names: ['close', 'room'] } });

    const created = loopstage(['pass', 'create', '--project', dir, '--kind', 'feet', '--character', 'ROBIN', '--events', 'F101,F102', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const pass = JSON.parse(created.stdout) as { id: number; name: string; in: number; out: number; events: string[]; covered: string[] };
    const rate = parseFrameRate('25');
    expect(pass).toMatchObject({ name: 'Feet ROBIN F101–F102', events: ['F101', 'F102'], covered: [] });
    expect(pass.in).toBe(labelToPosition('01:00:10:00', rate, RATE));
    expect(pass.out).toBe(labelToPosition('01:00:13:00', rate, RATE));

    const recorded = loopstage(['record', '--project', dir, '--pass', pass.name.toLowerCase(), '--input', 'default', '--output', 'default', '--pre', '1', '--post', '0.5', '--json', '--uncalibrated'], { env: rig.env });
    expect(recorded.code, recorded.stderr).toBe(0);
    const take = JSON.parse(recorded.stdout) as { file: string; cueId: number | null; passId: number; number: number; start: number; length: number; status: string; channels: number; channelNames: string[]; cue: string };
    expect(take).toMatchObject({ cueId: null, passId: pass.id, number: 1, status: 'complete', channels: 2, channelNames: ['close', 'room'], cue: pass.name });
    // The take runs from the roll's start (the first beep, 3 s before the in point, which is more
    // than the 1 s pre-roll asked for) to the out point plus the post-roll.
    expect(take.start).toBe(pass.in - 3 * RATE);
    expect(take.start + take.length).toBe(pass.out + RATE / 2);
    expect(path.basename(take.file)).toMatch(/^Feet ROBIN F101.F102_ROBIN_T01\.wav$/);

    const [exif] = JSON.parse(execFileSync('exiftool', ['-j', '-a', '-G1:4', '-n', take.file], { encoding: 'utf8' })) as Array<Record<string, unknown>>;
    expect(exif).toMatchObject({
      'RIFF:TimeReference': take.start,
      'XML:BwfxmlTrackListTrackName': 'close',
      'XML:Copy1:BwfxmlTrackListTrackName': 'room',
      'XML:BwfxmlLoopstageCueNumber': pass.name,
      'XML:BwfxmlLoopstageLineText': 'Feet: F101, F102',
    });

    // Both events lie wholly inside the take: covered, and the pass says so.
    const listed = loopstage(['pass', 'list', '--project', dir, '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: pass.id, covered: ['F101', 'F102'] }]);
    const takes = JSON.parse(loopstage(['takes', 'list', '--project', dir, '--json']).stdout) as Array<{ passId: number | null; cue: string }>;
    expect(takes).toMatchObject([{ passId: pass.id, cue: pass.name }]);
    const log = JSON.parse(loopstage(['log', '--project', dir, '--json']).stdout) as Array<{ action: string; passId: number | null }>;
    expect(log.map((e) => [e.action, e.passId])).toEqual([['pass.created', pass.id], ['take.recorded', pass.id]]);

    // A pass take is marked like any other: PASS:N.
    const marked = loopstage(['takes', 'mark', '--project', dir, `${pass.name}:1`, '--circle', '--json']);
    expect(marked.code, marked.stderr).toBe(0);
    expect(JSON.parse(marked.stdout)).toMatchObject({ take: { passId: pass.id, circled: true } });
  });

  it('clears a track template (the pass then records the project inputs), and says how to ask when asked for both or neither', () => {
    const cleared = loopstage(['pass', 'template', '--project', dir, '--kind', 'feet', '--clear', '--json']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(JSON.parse(cleared.stdout)).toEqual({ kind: 'feet', template: null });
    const plain = loopstage(['pass', 'template', '--project', dir, '--kind', 'feet', '--clear']);
    expect(plain.stdout).toBe("feet: records the project's inputs\n");
    for (const args of [['--clear', '--channels', '1'], []]) {
      const refused = loopstage(['pass', 'template', '--project', dir, '--kind', 'feet', ...args]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/give --channels \(and --names\) for the template, or --clear to remove it/);
    }
  });
});
