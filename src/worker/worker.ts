/**
 * @module The worker loop.
 *
 * A worker runs a fixed list of tasks. A task's `tick()` claims up to one batch of due work from the
 * database, does it, and returns how many items it handled; claims are leases in the database, so a
 * worker that dies simply lets its leases expire and another worker takes the work over.
 *
 * States:
 *  - running: call every task's tick in turn. A task whose tick handled nothing rests for
 *    `pollIntervalMs` (its own rest: while the journeys task works through a backlog round after
 *    round, the dozen idle tasks beside it are not asked again each round, each ask being a claim
 *    query). If a round handled anything, start the next round at once (with the tasks not
 *    resting); if it handled nothing, sleep until the first rest ends, or until `wake()` is called
 *    (e.g. by the API after it stored an event that may trigger a journey), which ends every rest.
 *  - failing: a tick threw. We log it and sleep with exponential backoff (capped at 30 s) before the
 *    next round; when the database is down this is how we wait for it to come back without spinning.
 *  - stopping: `stop()` was called. No new tick starts; the tick in flight is allowed to finish (we
 *    MUST let it finish, or its claimed items stay leased until the lease expires), bounded by
 *    `shutdownTimeoutMs`, after which `stop()` resolves anyway.
 */
import type { Logger } from 'pino';

export interface WorkerTask {
  readonly name: string;
  /** Claims and processes up to one batch of due work; returns the number of items handled. */
  tick(): Promise<number>;
}

export interface WorkerOptions {
  pollIntervalMs: number;
  shutdownTimeoutMs: number;
  log: Logger;
}

export class Worker {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private failures = 0;
  /** When each resting task may be ticked again (performance.now() milliseconds). */
  private readonly restUntil = new Map<WorkerTask, number>();

  constructor(
    private readonly tasks: WorkerTask[],
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Ends the current sleep and every task's rest early: there may be new work. */
  wake(): void {
    this.restUntil.clear();
    this.wakeUp?.();
  }

  /** Stops taking new work and waits (bounded) for the work in flight. Returns true if it drained. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    this.wake();
    if (!this.loop) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.shutdownTimeoutMs);
    });
    const drained = await Promise.race([this.loop.then(() => true as const), timeout]);
    clearTimeout(timer);
    return drained;
  }

  /** Runs one round of every task now (tests drive the worker this way with a manual clock). */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (const task of this.tasks) {
      if (this.stopping) break;
      handled += await task.tick();
    }
    return handled;
  }

  /** Runs rounds until one handles nothing (tests: "drain everything that is due now"). */
  async drain(maxRounds = 10_000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) return total;
    }
    throw new Error(`worker did not go idle within ${maxRounds} rounds`);
  }

  /** One round of the loop: the tasks not resting; one that handled nothing rests. */
  private async round(): Promise<number> {
    let handled = 0;
    for (const task of this.tasks) {
      if (this.stopping) break;
      if ((this.restUntil.get(task) ?? 0) > performance.now()) continue;
      const n = await task.tick();
      handled += n;
      if (n === 0) this.restUntil.set(task, performance.now() + this.options.pollIntervalMs);
      else this.restUntil.delete(task);
    }
    return handled;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let handled = 0;
      try {
        handled = await this.round();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        this.options.log.error({ err, failures: this.failures }, 'worker round failed; backing off');
      }
      if (this.stopping) break;
      if (handled > 0) continue;
      const firstRestEnds = Math.min(...this.restUntil.values()) - performance.now();
      const idle = this.restUntil.size === 0 ? this.options.pollIntervalMs : Math.max(0, Math.min(this.options.pollIntervalMs, firstRestEnds));
      const wait = this.failures > 0 ? Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7)) : idle;
      await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
