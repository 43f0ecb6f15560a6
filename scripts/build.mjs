// Builds everything `npm start`, the CLI and the tests run: the Node side (tsc), the Electron preload
// (electron/preload.cts compiles to CommonJS, as sandboxed preloads must be) and the UI (vite). Runs on `npm install` via `prepare`.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(label, command, args) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`build: ${label} failed\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`build: ${label} (${Math.round(performance.now() - started)} ms)\n`);
}

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run('node side', bin('tsc'), ['-p', 'tsconfig.build.json']);
run('ui', bin('vite'), ['build', '--logLevel', 'warn']);
