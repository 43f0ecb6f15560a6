import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../src/core/serial-queue.js';

describe('SerialQueue', () => {
  it('runs tasks one at a time in the order given, even when an earlier one is slower', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    const task = (name: string, ticks: number) => async () => {
      events.push(`${name} start`);
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([queue.run(task('a', 5)), queue.run(task('b', 0)), queue.run(task('c', 2))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('rejects only the task that failed; the next one still runs', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('disk full');
    });
    const next = queue.run(async () => 'ran');
    await expect(failed).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('ran');
  });
});
