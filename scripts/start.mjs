// `npm start`: opens the demo project from cues/ in Electron where its binary can be had, otherwise
// serves the same UI on 127.0.0.1 and prints the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const demo = path.join(root, 'cues');
const cli = pathToFileURL(path.join(root, 'dist', 'src', 'cli', 'main.js')).href;
const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: root };

if (!existsSync(new URL(cli))) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const { runCli } = await import(cli);

if (!existsSync(path.join(demo, 'project.db'))) {
  const settings = JSON.parse(readFileSync(path.join(demo, 'project.json'), 'utf8'));
  const code = await runCli(
    ['project', 'create', demo, '--title', settings.title, '--rate', settings.frameRate,
      '--sample-rate', String(settings.sampleRate), '--start', settings.startTimecode],
    { ...io, stdout: devNull() },
  );
  if (code !== 0) process.exit(code);
  // The demo's cue lists: ADR lines and Foley events for the demo reel (cues/adr.csv, cues/foley.tsv).
  for (const [file, kind] of [['adr.csv', 'adr'], ['foley.tsv', 'foley']]) {
    const imported = await runCli(['import', path.join(demo, file), '--project', demo, '--kind', kind], { ...io, stdout: devNull() });
    if (imported !== 0) process.exit(imported);
  }
  // The demo's picture (made by scripts/make-demo-film.mjs from those lists); its sound is the guide track.
  const said = [];
  const picture = await runCli(['picture', 'add', path.join(demo, 'media', 'demo-reel1.mp4'), '--project', demo, '--guide'],
    { ...io, stdout: devNull(), stderr: { write: (text) => said.push(String(text)) } });
  if (picture !== 0) {
    console.error(`${said.join('').trim()}\nThe demo opens without its picture; add it later with \`loopstage picture add cues/media/demo-reel1.mp4 --project cues --guide\`.`);
  }
}

const electron = electronBinary();
if (electron.path) {
  const child = spawn(electron.path, [root, '--project', demo], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Electron is not available (${electron.reason}), so Loopstage serves its UI to your browser instead.`);
  const port = process.env.LOOPSTAGE_PORT ?? '7420';
  process.exitCode = await runCli(['serve', '--project', demo, '--port', port], io);
}

/** The Electron binary if it is installed or can be fetched now; otherwise why not. */
function electronBinary() {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && process.platform === 'linux') {
    return { path: null, reason: 'no display: DISPLAY is not set' };
  }
  const pkg = path.join(root, 'node_modules', 'electron');
  const binaryPath = () => {
    const file = path.join(pkg, 'path.txt');
    const binary = existsSync(file) && path.join(pkg, 'dist', readFileSync(file, 'utf8').trim());
    return binary && existsSync(binary) ? binary : null;
  };
  if (binaryPath()) return { path: binaryPath(), reason: null };
  // Electron 42+ fetches its binary on first launch; try once, briefly, quietly.
  const fetched = spawnSync(process.execPath, [path.join(pkg, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  return binaryPath() ? { path: binaryPath(), reason: null }
    : { path: null, reason: `its binary could not be downloaded${fetched.error ? ` (${fetched.error.message})` : ''}; are you offline?` };
}

function devNull() {
  return { write: () => true };
}
