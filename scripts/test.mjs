// `npm test`: lint (layers included), type checks, a fresh build, then every test tier that runs on
// this machine — unit, integration (real SQLite, the audio rig), end-to-end (Chromium) — and a
// closing line `N passed, N failed, N skipped` with counts per tier.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extra = process.argv.slice(2);

function step(label, command, args) {
  const started = performance.now();
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  process.stdout.write(`== ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  return result.status === 0;
}

const checks = [
  step('lint (eslint, with the layer rule)', bin('eslint'), ['.']),
  step('type check (tsc)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
  step('type check (svelte-check)', bin('svelte-check'), ['--tsconfig', './tsconfig.ui.json', '--fail-on-warnings', '--output', 'human']),
  step('build', process.execPath, [path.join(root, 'scripts', 'build.mjs')]),
];

mkdirSync(path.join(root, '.test-output'), { recursive: true });
const report = path.join(root, '.test-output', 'vitest.json');
const testsOk = step('tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);

const tiers = {};
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  for (const file of results.testResults) {
    const tier = path.relative(path.join(root, 'tests'), file.name).split(path.sep)[0];
    tiers[tier] ??= { passed: 0, failed: 0, skipped: 0 };
    for (const test of file.assertionResults) {
      const bucket = test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped';
      tiers[tier][bucket]++;
    }
    // A file that failed to load has no assertions but must count as a failure.
    if (file.status === 'failed' && file.assertionResults.every((test) => test.status !== 'failed')) tiers[tier].failed++;
  }
  for (const tier of Object.values(tiers)) {
    passed += tier.passed;
    failed += tier.failed;
    skipped += tier.skipped;
  }
} catch (error) {
  process.stdout.write(`could not read the test report: ${error.message}\n`);
  failed++;
}
const failedChecks = checks.filter((ok) => !ok).length;
process.stdout.write('\nBy tier:\n');
for (const [tier, counts] of Object.entries(tiers)) {
  process.stdout.write(`  ${tier.padEnd(12)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
}
if (failedChecks) process.stdout.write(`  checks       ${failedChecks} of ${checks.length} failed (lint, types, build)\n`);
process.stdout.write(`${passed} passed, ${failed + failedChecks} failed, ${skipped} skipped\n`);
process.exit(failed + failedChecks === 0 && testsOk ? 0 : 1);
