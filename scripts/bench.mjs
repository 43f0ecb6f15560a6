// `npm run bench`: runs each benchmark in tests/bench/ (TypeScript, through tsx) and prints one JSON
// document with all figures. Benchmarks measure; they do not pass or fail.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(root, 'tests', 'bench');
const only = process.argv[2];
const results = {};
for (const file of readdirSync(dir).filter((name) => name.endsWith('.bench.ts')).sort()) {
  const name = file.replace(/\.bench\.ts$/, '');
  if (only && name !== only) continue;
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) {
    results[name] = { error: (run.stderr || run.stdout).trim().split('\n').slice(-5).join('\n') };
    continue;
  }
  const last = run.stdout.trim().split('\n').at(-1);
  results[name] = JSON.parse(last);
}
process.stdout.write(`${JSON.stringify({ machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, results }, null, 2)}\n`);
