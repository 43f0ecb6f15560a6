/**
 * `loopstage import`, `loopstage cues list` and `loopstage export cues`: the cue list from a terminal
 * or a script, through the same CueService (and the same rules) as the UI.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readTextFile, writeFileAtomic } from '../../adapters/files/text-file.js';
import type { Cue } from '../../core/cues/cue.js';
import { LoopstageError } from '../../core/errors.js';
import type { CueFilter } from '../../core/cues/filter.js';
import { labelToPosition, parseFrameRate, position, positionToLabel } from '../../core/time/index.js';
import type { ExportFormat } from '../../engine/cues/cue-service.js';
import { IMPORT_FORMATS, type ImportFormat } from '../../engine/ports/cue-formats.js';
import { previewDto } from '../../host/api-handlers.js';
import { openCueSession } from '../../host/cue-session.js';
import type { CliCommand, CliIo } from '../io.js';
import { usageError } from './usage.js';

const FILTER_OPTIONS = {
  kind: { type: 'string' },
  character: { type: 'string' },
  reel: { type: 'string' },
  status: { type: 'string' },
  search: { type: 'string' },
} as const;

export const IMPORT_USAGE = `usage: loopstage import FILE --project DIR [--format csv|tsv|srt|vtt|edl|ptx|json]
                        [--map COLUMN=FIELD …] [--kind adr|foley] [--edl-events scenes|shots]
                        [--dry-run] [--json]
  Shows what the import will create, change and skip, then applies it in one transaction (one
  undo step). Re-importing an updated list merges by cue number. With errors nothing is imported.`;

export const CUES_USAGE = `usage: loopstage cues list --project DIR [--kind adr|foley] [--character NAME] [--reel NAME]
                           [--status todo|in_progress|done|omitted] [--search WORDS] [--json]
       loopstage cues renumber --project DIR [filters…]      (timeline order, from the scheme; one undo step)
       loopstage cues numbering --project DIR [--adr TEMPLATE] [--foley TEMPLATE]
  Numbering templates use {prefix} (the character's prefix), {reel} and {seq:NN}; the default is
  ADR {prefix}{reel}{seq:02} (R101) and Foley F{reel}{seq:03} (F1001).`;

export const EXPORT_USAGE = `usage: loopstage export cues --project DIR --format csv|tsv|json|pdf --out FILE [--sides CHARACTER]
                            [--kind …] [--character …] [--reel …] [--status …] [--search …] [--force]
  PDF: the ADR cue sheet, the Foley cue sheet (--kind foley, grouped by pass), or talent sides
  for one character (--sides NAME). An existing FILE is replaced only with --force.`;

function filterFrom(values: Record<string, unknown>, usage: string): CueFilter {
  const filter: { -readonly [K in keyof CueFilter]: CueFilter[K] } = {};
  if (values.kind !== undefined) {
    if (values.kind !== 'adr' && values.kind !== 'foley') throw usageError(`--kind is adr or foley, not "${String(values.kind)}".`, usage);
    filter.kind = values.kind;
  }
  if (values.status !== undefined) {
    if (!['todo', 'in_progress', 'done', 'omitted'].includes(String(values.status))) {
      throw usageError(`--status is todo, in_progress, done or omitted, not "${String(values.status)}".`, usage);
    }
    filter.status = values.status as CueFilter['status'];
  }
  for (const name of ['character', 'reel', 'search'] as const) if (typeof values[name] === 'string') filter[name] = values[name];
  return filter;
}

function requireProject(values: { project?: string | undefined }, io: CliIo, usage: string): string {
  if (!values.project) throw usageError('--project DIR is required.', usage);
  return path.resolve(io.cwd, values.project);
}

export const importCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      format: { type: 'string' },
      map: { type: 'string', multiple: true },
      kind: { type: 'string' },
      'edl-events': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw usageError('import takes one FILE.', IMPORT_USAGE);
  if (values.format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(values.format)) {
    throw usageError(`--format is one of ${IMPORT_FORMATS.join(', ')}, not "${values.format}".`, IMPORT_USAGE);
  }
  if (values.kind !== undefined && values.kind !== 'adr' && values.kind !== 'foley') throw usageError(`--kind is adr or foley, not "${values.kind}".`, IMPORT_USAGE);
  const edlEvents = values['edl-events'];
  if (edlEvents !== undefined && edlEvents !== 'scenes' && edlEvents !== 'shots') throw usageError(`--edl-events is scenes or shots, not "${edlEvents}".`, IMPORT_USAGE);
  const dir = requireProject(values, io, IMPORT_USAGE);
  const file = path.resolve(io.cwd, positionals[0]!);
  const { text, encoding } = await readTextFile(file);
  const session = await openCueSession(dir);
  try {
    const preview = await session.service.previewImport({
      fileName: path.basename(file),
      text,
      ...(values.format ? { format: values.format as ImportFormat } : {}),
      ...(values.map ? { mapping: values.map } : {}),
      ...(values.kind ? { kind: values.kind as 'adr' | 'foley' } : {}),
      ...(edlEvents ? { edlEvents } : {}),
    });
    const { plan } = preview;
    const errors = plan.issues.filter((i) => i.severity === 'error');
    const apply = plan.canApply && !values['dry-run'];
    if (apply) await session.service.applyImport(preview.id);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ...previewDto(preview), encoding, applied: apply })}\n`);
    } else {
      if (encoding !== 'utf-8') io.stdout.write(`Read ${path.basename(file)} as ${encoding}.\n`);
      if (preview.columns.length) {
        io.stdout.write(`Columns: ${preview.columns.map((c) => `${c.header} → ${c.field ?? '(ignored)'}`).join(', ')}\n`);
      }
      for (const issue of plan.issues) {
        io.stdout.write(`${issue.file}:${issue.line}${issue.column ? `:${issue.column}` : ''}: ${issue.severity}: ${issue.message} [${issue.code}]\n`);
      }
      for (const update of plan.updates) {
        io.stdout.write(`  change ${update.number}: ${update.changes.map((c) => `${c.field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join('; ')}\n`);
      }
      const verb = apply ? 'Imported' : values['dry-run'] && plan.canApply ? 'Would import' : 'Nothing imported';
      io.stdout.write(
        `${verb}: ${plan.creates.length} new, ${plan.updates.length} changed, ${plan.unchanged.length} unchanged` +
          `${plan.characters.length ? `, ${plan.characters.length} new characters` : ''}` +
          `${plan.scenes.create.length ? `, ${plan.scenes.create.length} new scenes` : ''}` +
          `${errors.length ? `; ${errors.length} error(s) must be fixed first` : ''}.\n`,
      );
    }
    if (!plan.canApply) {
      io.stderr.write(`loopstage: ${path.basename(file)} has ${errors.length} error(s), first at line ${errors[0]!.line}: ${errors[0]!.message} Nothing was imported.\n`);
      return 1;
    }
    return 0;
  } finally {
    await session.close();
  }
};

function label(samples: number, rate: string, sampleRate: number): string {
  return positionToLabel(position(samples), parseFrameRate(rate), sampleRate);
}

function cueRow(cue: Cue, rate: string, sampleRate: number): string {
  const text = cue.kind === 'adr' ? cue.lineText : cue.description || [cue.pass, cue.surface, cue.prop].filter(Boolean).join(' ');
  return [cue.number.padEnd(8), cue.kind.padEnd(5), (cue.character ?? '').padEnd(14), label(cue.in, rate, sampleRate), label(cue.out, rate, sampleRate), cue.status.padEnd(11), text.replace(/\s+/g, ' ')].join('  ');
}

export const cuesCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    io.stdout.write(`${CUES_USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'list' && sub !== 'renumber' && sub !== 'numbering') {
    throw usageError(`There is no "cues ${sub}"; the cues subcommands are list, renumber and numbering.`, CUES_USAGE);
  }
  const { values } = parseArgs({
    args: rest,
    options: { project: { type: 'string' }, json: { type: 'boolean', default: false }, adr: { type: 'string' }, foley: { type: 'string' }, ...FILTER_OPTIONS },
  });
  const filter = filterFrom(values, CUES_USAGE);
  const session = await openCueSession(requireProject(values, io, CUES_USAGE));
  try {
    if (sub === 'numbering') {
      const current = session.service.lists.numbering;
      const scheme = values.adr || values.foley
        ? await session.service.setNumbering({ adr: values.adr ?? current.adr, foley: values.foley ?? current.foley })
        : current;
      io.stdout.write(values.json ? `${JSON.stringify(scheme)}\n` : `ADR numbers: ${scheme.adr}\nFoley numbers: ${scheme.foley}\n`);
      return 0;
    }
    if (sub === 'renumber') {
      const event = await session.service.renumber(filter);
      io.stdout.write(`${event.label} (undo restores the old numbers).\n`);
      return 0;
    }
    const cues = session.service.list(filter);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ cues, characters: session.service.lists.characters }, null, 2)}\n`);
    } else {
      io.stdout.write(`${['Cue'.padEnd(8), 'Kind'.padEnd(5), 'Character'.padEnd(14), 'In'.padEnd(11), 'Out'.padEnd(11), 'Status'.padEnd(11), 'Line / event'].join('  ')}\n`);
      for (const cue of cues) io.stdout.write(`${cueRow(cue, session.info.frameRate, session.info.sampleRate)}\n`);
      io.stdout.write(`${cues.length} of ${session.service.list().length} cues.\n`);
    }
    return 0;
  } finally {
    await session.close();
  }
};

export const exportCommand: CliCommand = async (args, io) => {
  const [what, ...rest] = args;
  if (!what || what === '--help' || what === '-h' || rest.includes('--help')) {
    io.stdout.write(`${EXPORT_USAGE}\n`);
    return what ? 0 : 2;
  }
  if (what !== 'cues') throw usageError(`There is no "export ${what}"; export cues is what can be exported.`, EXPORT_USAGE);
  const { values } = parseArgs({
    args: rest,
    options: { project: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, sides: { type: 'string' }, force: { type: 'boolean', default: false }, ...FILTER_OPTIONS },
  });
  if (!values.format || !['csv', 'tsv', 'json', 'pdf'].includes(values.format)) throw usageError('--format is csv, tsv, json or pdf.', EXPORT_USAGE);
  if (!values.out) throw usageError('--out FILE is required.', EXPORT_USAGE);
  if (values.sides && values.format !== 'pdf') throw usageError('--sides makes talent sides, which are a PDF: add --format pdf.', EXPORT_USAGE);
  const filter = filterFrom(values, EXPORT_USAGE);
  const out = path.resolve(io.cwd, values.out);
  const session = await openCueSession(requireProject(values, io, EXPORT_USAGE));
  try {
    const file = await session.service.export({ format: values.format as ExportFormat, filter, ...(values.sides ? { sides: values.sides } : {}) });
    await writeFileAtomic(out, file.data, values.force);
    io.stdout.write(`Wrote ${out} (${file.data.byteLength} bytes).\n`);
    return 0;
  } finally {
    await session.close();
  }
};

export const CHARACTERS_USAGE = `usage: loopstage characters list --project DIR [--json]
       loopstage characters set NAME --project DIR [--name NEW] [--actor ACTOR] [--prefix P] [--colour C]`;

export const charactersCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    io.stdout.write(`${CHARACTERS_USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'list' && sub !== 'set') throw usageError(`There is no "characters ${sub}"; use list or set.`, CHARACTERS_USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { project: { type: 'string' }, json: { type: 'boolean', default: false }, name: { type: 'string' }, actor: { type: 'string' }, prefix: { type: 'string' }, colour: { type: 'string' } },
  });
  const session = await openCueSession(requireProject(values, io, CHARACTERS_USAGE));
  try {
    if (sub === 'set') {
      if (positionals.length !== 1) throw usageError('characters set takes the character\'s NAME.', CHARACTERS_USAGE);
      const character = session.service.lists.characters.find((c) => c.name.toLowerCase() === positionals[0]!.toLowerCase());
      if (!character) throw new LoopstageError('CHARACTER_NOT_FOUND', `There is no character "${positionals[0]}" in this project; \`loopstage characters list\` shows them.`);
      const patch = Object.fromEntries(Object.entries({ name: values.name, actor: values.actor, prefix: values.prefix, colour: values.colour }).filter(([, v]) => v !== undefined));
      if (!Object.keys(patch).length) throw usageError('Say what to set: --name, --actor, --prefix or --colour.', CHARACTERS_USAGE);
      await session.service.updateCharacter(character.id, patch);
    }
    const characters = session.service.lists.characters;
    if (values.json) io.stdout.write(`${JSON.stringify(characters, null, 2)}\n`);
    else for (const c of characters) io.stdout.write(`${c.name.padEnd(24)} ${c.prefix.padEnd(4)} ${c.actor}\n`);
    return 0;
  } finally {
    await session.close();
  }
};

export const REASONS_USAGE = `usage: loopstage reasons list --project DIR [--json]
       loopstage reasons add CODE LABEL --project DIR
       loopstage reasons rename CODE --project DIR [--code NEW] [--label LABEL]
       loopstage reasons remove CODE --project DIR      (cues lose it; undo gives it back)`;

export const reasonsCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    io.stdout.write(`${REASONS_USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (!['list', 'add', 'rename', 'remove'].includes(sub)) throw usageError(`There is no "reasons ${sub}"; use list, add, rename or remove.`, REASONS_USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { project: { type: 'string' }, json: { type: 'boolean', default: false }, code: { type: 'string' }, label: { type: 'string' } },
  });
  const session = await openCueSession(requireProject(values, io, REASONS_USAGE));
  try {
    const find = (code: string | undefined) => {
      const reason = session.service.lists.reasonCodes.find((r) => r.code.toLowerCase() === code?.toLowerCase());
      if (!reason) throw new LoopstageError('REASON_NOT_FOUND', `There is no reason code "${code ?? ''}" in this project; \`loopstage reasons list\` shows them.`);
      return reason;
    };
    if (sub === 'add') {
      if (positionals.length !== 2) throw usageError('reasons add takes CODE and LABEL.', REASONS_USAGE);
      await session.service.addReason(positionals[0]!, positionals[1]!);
    } else if (sub === 'rename') {
      const patch = Object.fromEntries(Object.entries({ code: values.code, label: values.label }).filter(([, v]) => v !== undefined));
      if (!Object.keys(patch).length) throw usageError('Say what to change: --code or --label.', REASONS_USAGE);
      await session.service.updateReason(find(positionals[0]).id, patch);
    } else if (sub === 'remove') {
      await session.service.removeReason(find(positionals[0]).id);
    }
    const reasons = session.service.lists.reasonCodes;
    if (values.json) io.stdout.write(`${JSON.stringify(reasons, null, 2)}\n`);
    else for (const r of reasons) io.stdout.write(`${r.code.padEnd(18)} ${r.label}\n`);
    return 0;
  } finally {
    await session.close();
  }
};

export const REELS_USAGE = `usage: loopstage reels list --project DIR [--json]
       loopstage reels set NAME --project DIR [--name NEW] [--number N] [--picture-version V] [--offset TIMECODE]`;

export const reelsCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    io.stdout.write(`${REELS_USAGE}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'list' && sub !== 'set') throw usageError(`There is no "reels ${sub}"; use list or set.`, REELS_USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { project: { type: 'string' }, json: { type: 'boolean', default: false }, name: { type: 'string' }, number: { type: 'string' }, 'picture-version': { type: 'string' }, offset: { type: 'string' } },
  });
  const session = await openCueSession(requireProject(values, io, REELS_USAGE));
  try {
    const rate = parseFrameRate(session.info.frameRate);
    if (sub === 'set') {
      const reel = session.service.lists.reels.find((r) => r.name.toLowerCase() === positionals[0]?.toLowerCase());
      if (!reel) throw new LoopstageError('REEL_NOT_FOUND', `There is no reel "${positionals[0] ?? ''}" in this project; \`loopstage reels list\` shows them.`);
      const patch: { name?: string; number?: number | null; pictureVersion?: string; offset?: number } = {};
      if (values.name !== undefined) patch.name = values.name;
      if (values.number !== undefined) {
        if (!/^\d{1,3}$/.test(values.number)) throw usageError(`--number is a reel number from 0 to 999, not "${values.number}".`, REELS_USAGE);
        patch.number = Number(values.number);
      }
      if (values['picture-version'] !== undefined) patch.pictureVersion = values['picture-version'];
      if (values.offset !== undefined) patch.offset = labelToPosition(values.offset, rate, session.info.sampleRate);
      if (!Object.keys(patch).length) throw usageError('Say what to set: --name, --number, --picture-version or --offset.', REELS_USAGE);
      await session.service.updateReel(reel.id, patch);
    }
    const reels = session.service.lists.reels;
    if (values.json) io.stdout.write(`${JSON.stringify(reels, null, 2)}\n`);
    else for (const r of reels) io.stdout.write(`${r.name.padEnd(16)} ${String(r.number ?? '').padEnd(4)} ${label(r.offset, session.info.frameRate, session.info.sampleRate)}  ${r.pictureVersion}\n`);
    return 0;
  } finally {
    await session.close();
  }
};
