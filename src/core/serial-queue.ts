/**
 * Runs async tasks one at a time, in the order they were given. A task that fails rejects its own
 * promise only; the tasks after it still run. Read-modify-write sequences (settings, file headers,
 * a database connection) go through one of these so that two callers never interleave.
 */
export class SerialQueue {
  /** Settles when the last task given has; never rejects. */
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
