/**
 * `loopstage pass create|list`: Foley passes — one kind of Foley performed free-running over a
 * scene, a reel or a selection of events — for `loopstage record --pass` and the UI.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FOLEY_PASSES, type FoleyPass } from '../../core/cues/cue.js';
import { parseFrameRate, position, positionToLabel } from '../../core/time/index.js';
import type { PassRequest } from '../../core/recording/foley-passes.js';
import { openCueSession } from '../../host/cue-session.js';
import { createPass, listPasses, type PassWithCoverage } from '../../engine/recording/foley-pass-service.js';
import type { ProjectInfo } from '../../engine/ports/project-store.js';
import type { CliCommand, CliIo } from '../io.js';
import { saveRecordingSettings } from '../../engine/recording/record-service.js';
import type { PassTemplate } from '../../core/recording/settings.js';
import { usageError } from './usage.js';

export const PASS_USAGE = `usage: loopstage pass create --project DIR --kind feet|props|cloth|moves|specifics [--character NAME]
                            (--scene NUMBER | --reel NAME | --events F101,F102,…) [--name NAME] [--json]
       loopstage pass list --project DIR [--json]
       loopstage pass template --project DIR --kind KIND (--channels 1,2 [--names close,room] | --clear) [--json]
  create: a Foley pass over a scene (its whole span), a reel or a selection of events (first in to
  last out), holding the events of that kind (and character, for feet) in it. Record it with
  loopstage record --pass NAME: the take runs free across the range and covers every event wholly
  inside what it recorded.
  list: the passes, their range, and how many of their events takes cover.
  template: the inputs (1-based) a kind of Foley records, with a track name each (close mic + room
  for feet, say); --clear goes back to the project's recorded inputs.`;

export const passCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${PASS_USAGE}\n`);
    return 0;
  }
  if (sub !== 'create' && sub !== 'list' && sub !== 'template') throw usageError(sub === undefined ? 'say what to do: pass create, list or template.' : `there is no "pass ${sub}"; use pass create, list or template.`, PASS_USAGE);
  const { values } = parseArgs({
    args: rest,
    options: {
      project: { type: 'string' },
      kind: { type: 'string' },
      character: { type: 'string' },
      scene: { type: 'string' },
      reel: { type: 'string' },
      events: { type: 'string' },
      name: { type: 'string' },
      channels: { type: 'string' },
      names: { type: 'string' },
      clear: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.project) throw usageError('--project DIR is required.', PASS_USAGE);
  if (sub === 'template') return templateCommand(values, io);
  const request = sub === 'create' ? passRequest(values) : null;
  const session = await openCueSession(path.resolve(io.cwd, values.project));
  try {
    if (request) {
      const eventIds = values.events?.split(',').map((number) => session.service.findByNumber(number.trim()).id);
      const created = await createPass(session.handle, new Date(), { ...request, ...(eventIds ? { cueIds: eventIds } : {}), ...(values.name ? { name: values.name } : {}) });
      const [withCoverage] = (await listPasses(session.handle)).filter((p) => p.id === created.id);
      const row = passJson(withCoverage!, session.info, numbers(session));
      io.stdout.write(values.json ? `${JSON.stringify(row)}\n` : `${passLine(row)}\n`);
      return 0;
    }
    const rows = (await listPasses(session.handle)).map((p) => passJson(p, session.info, numbers(session)));
    if (values.json) io.stdout.write(`${JSON.stringify(rows)}\n`);
    else io.stdout.write(rows.length === 0 ? 'No Foley passes yet.\n' : `${rows.map(passLine).join('\n')}\n`);
    return 0;
  } finally {
    await session.close();
  }
};

async function templateCommand(values: { project?: string; kind?: string; channels?: string; names?: string; clear?: boolean; json?: boolean }, io: CliIo): Promise<number> {
  if (!values.kind || !FOLEY_PASSES.includes(values.kind as FoleyPass)) throw usageError(`--kind is one of ${FOLEY_PASSES.join(', ')}${values.kind ? `, not "${values.kind}"` : ''}.`, PASS_USAGE);
  const kind = values.kind as FoleyPass;
  if (values.clear === (values.channels !== undefined)) throw usageError('give --channels (and --names) for the template, or --clear to remove it.', PASS_USAGE);
  let template: PassTemplate | null = null;
  if (values.channels !== undefined) {
    const inputChannels = values.channels.split(',').map((c) => c.trim());
    if (!inputChannels.every((c) => /^\d+$/.test(c) && Number(c) >= 1)) throw usageError(`--channels lists input numbers from 1, such as 1,2; not "${values.channels}".`, PASS_USAGE);
    const names = values.names === undefined ? [] : values.names.split(',').map((n) => n.trim());
    if (names.length > inputChannels.length) throw usageError(`--names gives ${names.length} names for ${inputChannels.length} channels; name each at most once.`, PASS_USAGE);
    template = { inputChannels: inputChannels.map((c) => Number(c) - 1), names };
  }
  const session = await openCueSession(path.resolve(io.cwd, values.project!));
  try {
    const settings = await saveRecordingSettings(session.handle, session.info, { passTemplates: { [kind]: template } });
    const saved = settings.passTemplates[kind] ?? null;
    if (values.json) io.stdout.write(`${JSON.stringify({ kind, template: saved })}\n`);
    else io.stdout.write(saved ? `${kind}: inputs ${saved.inputChannels.map((c, i) => `${c + 1}${saved.names[i] ? ` (${saved.names[i]})` : ''}`).join(', ')}\n` : `${kind}: records the project's inputs\n`);
    return 0;
  } finally {
    await session.close();
  }
}

function passRequest(values: { kind?: string; character?: string; scene?: string; reel?: string; events?: string }): PassRequest {
  if (!values.kind || !FOLEY_PASSES.includes(values.kind as FoleyPass)) throw usageError(`--kind is one of ${FOLEY_PASSES.join(', ')}${values.kind ? `, not "${values.kind}"` : ''}.`, PASS_USAGE);
  const scopes = [values.scene !== undefined, values.reel !== undefined, values.events !== undefined].filter(Boolean).length;
  if (scopes !== 1) throw usageError('say what the pass covers: one of --scene, --reel or --events.', PASS_USAGE);
  const character = values.character?.trim() || null;
  const pass = values.kind as FoleyPass;
  if (values.scene !== undefined) return { pass, character, scope: 'scene', scene: values.scene };
  if (values.reel !== undefined) return { pass, character, scope: 'reel', reel: values.reel };
  return { pass, character, scope: 'selection', cueIds: [] };
}

function numbers(session: Awaited<ReturnType<typeof openCueSession>>): Map<number, string> {
  return new Map(session.service.list().map((cue) => [cue.id, cue.number]));
}

function passJson(pass: PassWithCoverage, info: ProjectInfo, numberOf: Map<number, string>) {
  const rate = parseFrameRate(info.frameRate);
  return {
    ...pass,
    inTimecode: positionToLabel(position(pass.in), rate, info.sampleRate),
    outTimecode: positionToLabel(position(pass.out), rate, info.sampleRate),
    events: pass.eventIds.map((id) => numberOf.get(id) ?? `#${id}`),
    covered: pass.coveredEventIds.map((id) => numberOf.get(id) ?? `#${id}`),
  };
}

function passLine(pass: ReturnType<typeof passJson>): string {
  return `${pass.name} (${pass.pass}, ${pass.status}): ${pass.inTimecode}–${pass.outTimecode}, ${pass.events.length} event${pass.events.length === 1 ? '' : 's'} [${pass.events.join(', ')}], ${pass.covered.length} covered`;
}
