/**
 * What the kernel says about a process tree (/proc): CPU time and resident memory, read from outside
 * the processes measured, for benchmarks.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** `root` and every process descended from it that is alive now. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields) parents.set(Number(entry), Number(fields[1]));
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree].filter((pid) => parents.has(pid));
}

/** User + system CPU seconds a process has used so far (all its threads), or 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of /proc/PID/stat; `fields` starts at field 3.
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : 0;
}

/** Resident set size in bytes, or 0 once the process is gone. */
export function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export interface ProcessSample {
  /** performance.now() when taken. */
  readonly at: number;
  /** CPU seconds and resident bytes per pid in the tree. */
  readonly cpu: Map<number, number>;
  readonly rss: Map<number, number>;
}

/** Samples a process tree every `intervalMs` until stopped; the samples, oldest first. */
export function sampleTree(root: number, intervalMs: number): { samples: ProcessSample[]; stop(): void } {
  const samples: ProcessSample[] = [];
  const take = () => {
    const pids = processTree(root);
    samples.push({ at: performance.now(), cpu: new Map(pids.map((pid) => [pid, cpuSeconds(pid)])), rss: new Map(pids.map((pid) => [pid, residentBytes(pid)])) });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return { samples, stop: () => clearInterval(timer) };
}

/** CPU use of the tree between two samples, as a percentage of one core (processes alive in both). */
export function cpuPercent(from: ProcessSample, to: ProcessSample): number {
  let used = 0;
  for (const [pid, seconds] of to.cpu) {
    const before = from.cpu.get(pid);
    // A process that exited between listing and reading reads 0: it is not in the window.
    if (before !== undefined && seconds > 0) used += seconds - before;
  }
  return (used / ((to.at - from.at) / 1000)) * 100;
}
