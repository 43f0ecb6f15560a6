/**
 * Raises the audio process above ordinary work, as JACK and PulseAudio do for theirs: on a busy
 * machine (a browser decoding picture, a transcode) a callback thread at the default priority misses
 * its deadline, the interface over- or underruns, and PortAudio pads the input with silence, which
 * moves the timeline against the device. A raised nice value is what an audio user is usually
 * allowed (the audio group's limits); where it is refused the process runs on, and says so.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Tried in order. Above ordinary work, but below the sound server (PulseAudio's main loop runs at
 * -11 and carries our stream's data): a client above its server starves the very thread it waits
 * on (at -15, one full test run saw the rig stall and lose frames in recorder tests that had passed
 * before; not yet measured apart from the other changes of that run).
 */
const NICE_LEVELS = [-10, -5] as const;

export type PriorityOutcome = { readonly raised: true; readonly nice: number; readonly threads: number } | { readonly raised: false; readonly reason: string };

/**
 * On Linux a nice value belongs to a thread, and threads started later inherit it from the thread
 * that starts them: every thread now running is raised, so the libuv pool and PortAudio's callback
 * thread, which start later, begin raised too.
 */
export function raiseAudioPriority(): PriorityOutcome {
  const threads = currentThreads();
  let reason = '';
  for (const nice of NICE_LEVELS) {
    try {
      for (const thread of threads) setPriority(thread, nice);
      return { raised: true, nice, threads: threads.length };
    } catch (error) {
      // Node reports these as ERR_SYSTEM_ERROR with the OS's code (EACCES) in `info`.
      const failure = error as NodeJS.ErrnoException & { info?: { code?: string } };
      reason = failure.info?.code ?? failure.code ?? String(error);
    }
  }
  return { raised: false, reason };
}

/** This process's thread ids (Linux), or 0 for "this process" where threads are not listed. */
function currentThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((id) => Number.isInteger(id) && id > 0);
  } catch {
    return [0];
  }
}

export function describePriority(outcome: PriorityOutcome): string {
  return outcome.raised
    ? `audio process: priority raised to nice ${outcome.nice} (${outcome.threads} threads)`
    : `audio process: could not raise its priority (${outcome.reason}); under load the interface may drop out. Allow your user a negative nice value (the audio group's limits in /etc/security/limits.d) to avoid it.`;
}
