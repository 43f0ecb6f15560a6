/**
 * The audio process's priority, read back from the kernel: as root every thread is raised (and the
 * threads started after it inherit that); as an ordinary user with no nice allowance it is refused,
 * and the process runs on and says what to allow.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs raiseAudioPriority in a fresh Node, starts a worker thread after it, and reports each thread's nice value. */
const PROBE = `
import { raiseAudioPriority, describePriority } from './src/adapters/audio/audio-priority.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
const outcome = raiseAudioPriority();
const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
await new Promise((resolve) => worker.once('online', resolve));
// Field 19 of /proc/<pid>/task/<tid>/stat is the nice value (fields counted after the command name).
const nice = readdirSync('/proc/self/task').map((tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
console.log(JSON.stringify({ outcome, said: describePriority(outcome), nice }));
process.exit(0);
`;

function probe(uid?: number) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    cwd: new URL('../..', import.meta.url).pathname,
    encoding: 'utf8',
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { outcome: { raised: boolean; nice?: number; reason?: string }; said: string; nice: number[] };
}

const root = process.getuid?.() === 0;

describe('the audio process priority', () => {
  it.runIf(root)('raises every thread, and a thread started afterwards starts raised', () => {
    const { outcome, said, nice } = probe();
    expect(outcome).toMatchObject({ raised: true, nice: -10 });
    expect(said).toMatch(/^audio process: priority raised to nice -10 \(\d+ threads\)$/);
    expect(nice.length).toBeGreaterThan(4);
    expect(new Set(nice)).toEqual(new Set([-10]));
  });

  it.runIf(root)('is refused for a user with no nice allowance, and says what to allow', () => {
    const { outcome, said, nice } = probe(65534);
    expect(outcome).toEqual({ raised: false, reason: 'EACCES' });
    expect(said).toMatch(/could not raise its priority \(EACCES\); under load the interface may drop out\. Allow your user a negative nice value/);
    expect(new Set(nice)).toEqual(new Set([0]));
  });
});
