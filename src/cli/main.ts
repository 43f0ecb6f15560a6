/** The `loopstage` command line: one engine, driven from a terminal or a script. */
import { isLoopstageError } from '../core/errors.js';
import { describeArgsError, isArgsError } from './args.js';
import { calibrateCommand } from './commands/calibrate.js';
import { charactersCommand, cuesCommand, exportCommand, importCommand, reasonsCommand, reelsCommand } from './commands/cues.js';
import { devicesCommand } from './commands/devices.js';
import { pictureCommand, synclogCommand } from './commands/picture.js';
import { projectCommand } from './commands/project.js';
import { beepsCommand, guideCommand, recordCommand } from './commands/record.js';
import { takesCommand } from './commands/takes.js';
import { logCommand } from './commands/log.js';
import { passCommand } from './commands/pass.js';
import { serveCommand } from './commands/serve.js';
import { tcCommand } from './commands/tc.js';
import type { CliCommand, CliIo } from './io.js';

const COMMANDS: Record<string, { run: CliCommand; summary: string }> = {
  tc: { run: tcCommand, summary: 'convert timecode, frames and timeline samples, one value per line from stdin' },
  project: { run: projectCommand, summary: 'create a project folder, or show a project\'s settings' },
  serve: { run: serveCommand, summary: 'serve the engine and its UI to a browser on 127.0.0.1' },
  devices: { run: devicesCommand, summary: 'list audio and MIDI devices' },
  calibrate: { run: calibrateCommand, summary: 'measure the audio interface\'s round-trip latency by loopback' },
  record: { run: recordCommand, summary: 'roll a cue with beeps and record a take, filed against the cue' },
  takes: { run: takesCommand, summary: 'list the takes recorded in a project, or mark one (circle, alt, rating, NG, note)' },
  pass: { run: passCommand, summary: 'create or list Foley passes (feet, props, cloth… over a scene, reel or selection)' },
  log: { run: logCommand, summary: 'show the session log (takes recorded, recovered, marked), or export it as CSV' },
  beeps: { run: beepsCommand, summary: 'show or set the beeps before each cue: count, frequency, length, spacing, level' },
  guide: { run: guideCommand, summary: 'add a guide track (WAV/BWF) placed on the timeline, or list them' },
  picture: { run: pictureCommand, summary: 'add a picture (probed, proxied when the browser cannot play it), or list them' },
  synclog: { run: synclogCommand, summary: 'the sync log of rolls played against picture: frame asked for and frame shown' },
  import: { run: importCommand, summary: 'import a cue list (CSV, TSV, SRT, WebVTT, EDL, Pro Tools text, JSON) into a project' },
  cues: { run: cuesCommand, summary: 'list a project\'s cues, filtered; renumber them; set the numbering scheme' },
  characters: { run: charactersCommand, summary: 'list characters, or set a character\'s name, actor, cue prefix or colour' },
  reels: { run: reelsCommand, summary: 'list reels, or set a reel\'s name, number, picture version or timeline offset' },
  reasons: { run: reasonsCommand, summary: 'the project\'s list of ADR reason codes: list, add, rename, remove' },
  export: { run: exportCommand, summary: 'export cues as CSV, TSV, JSON, or PDF cue sheets and talent sides' },
};

export const USAGE = `usage: loopstage <command> [options]

${Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(9)} ${summary}`).join('\n')}

Run \`loopstage <command> --help\` for a command's options.`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`loopstage: there is no command "${name}".\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (isLoopstageError(error)) {
      io.stderr.write(`loopstage: ${error.message}\n`);
      if (error.code === 'CLI_USAGE' && typeof error.details.usage === 'string') io.stderr.write(`${error.details.usage}\n`);
      if (args.includes('--json')) io.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
      return error.code === 'CLI_USAGE' ? 2 : 1;
    }
    if (isArgsError(error)) {
      io.stderr.write(`loopstage ${name}: ${describeArgsError(error)}; run \`loopstage ${name} --help\` for the options.\n`);
      return 2;
    }
    io.stderr.write(`loopstage: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}
