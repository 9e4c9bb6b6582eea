import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Worker, type WorkerTask } from './worker.js';

const log = pino({ level: 'silent' });

/** A task handing back `work` items per tick until its backlog is gone, counting its ticks. */
function task(name: string, backlog: number): WorkerTask & { ticks: number; add(n: number): void } {
  let left = backlog;
  const t = {
    name,
    ticks: 0,
    add: (n: number) => void (left += n),
    async tick() {
      t.ticks++;
      const n = Math.min(left, 1);
      left -= n;
      return n;
    },
  };
  return t;
}

const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the worker loop', () => {
  it('works a busy task round after round while the idle tasks beside it rest for the poll interval, not asked every round', async () => {
    const busy = task('journeys', 300);
    const idle = Array.from({ length: 10 }, (_, i) => task(`idle${i}`, 0));
    const worker = new Worker([busy, ...idle], { pollIntervalMs: 60_000, shutdownTimeoutMs: 1_000, log });
    worker.start();
    await until(() => busy.ticks >= 301);
    await worker.stop();
    // 300 rounds of work: each idle task was asked once, then rested (before: 300 times each).
    for (const t of idle) expect(t.ticks).toBe(1);
  });

  it('wake() ends every rest: work that arrives for a resting task is taken at once, not after the poll interval', async () => {
    const a = task('a', 0);
    const b = task('b', 0);
    const worker = new Worker([a, b], { pollIntervalMs: 60_000, shutdownTimeoutMs: 1_000, log });
    worker.start();
    await until(() => a.ticks === 1 && b.ticks === 1);
    b.add(3);
    worker.wake();
    await until(() => b.ticks >= 4, 2_000);
    await worker.stop();
    expect(a.ticks).toBeLessThanOrEqual(2);
  });

  it('runOnce and drain still tick every task (tests drive the worker with a manual clock)', async () => {
    const a = task('a', 0);
    const b = task('b', 2);
    const worker = new Worker([a, b], { pollIntervalMs: 60_000, shutdownTimeoutMs: 1_000, log });
    expect(await worker.drain()).toBe(2);
    expect(a.ticks).toBe(3);
  });
});
