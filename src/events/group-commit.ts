/**
 * @module Group commit: requests that arrive while others are being written are written together,
 * in one transaction, so one commit (one fsync, one round of statements) acknowledges many requests.
 *
 * Why: SQLite with synchronous=FULL syncs the WAL on every commit (about 2.5 ms on the bench
 * machine's disk, during which better-sqlite3 blocks the event loop) and serialises all writes, so
 * one transaction per 100-event request capped ingestion near 4,500 events/s. On PostgreSQL the cost
 * is statements: ~7 round trips per request; a group of 8 requests needs the same 7.
 *
 * A group is written by `commit(jobs)`. When that fails, the group's jobs are written again one by
 * one (each alone in its own transaction), so a request that cannot be stored fails alone and never
 * takes its neighbours down with it. Every job is resolved only after the transaction holding it
 * committed. What waits is bounded (`bounds`): past the bound a job is refused at once rather than
 * queued without limit while the store falls behind. Groups start on the next turn of the event loop (setImmediate), after the requests
 * already read from the sockets have been queued; up to `parallel` groups are written at once, the
 * queue shared out between them (otherwise the first writer would take everything and the others idle).
 */

export interface GroupCommitOptions<J> {
  /** Writes the jobs in one transaction; resolves after it committed. */
  commit: (jobs: J[]) => Promise<void>;
  /** Size of a job (e.g. its number of calls), to bound a group. */
  weight: (job: J) => number;
  maxWeight: number;
  /** Groups written at the same time (1 for SQLite, whose writes are serialised anyway). */
  parallel: number;
  /**
   * Bounds on the weight waiting to be written (taken into a group no longer counts): past either,
   * `run` rejects at once with `refuse(…)` and the job is never written. `key` shares the queue out
   * (e.g. per workspace), so one caller's flood is refused before it crowds out the others.
   */
  bounds?: {
    maxQueued: number;
    maxQueuedPerKey: number;
    key: (job: J) => string;
    refuse: (scope: 'all' | 'key', queued: number) => Error;
  };
}

interface Pending<J> {
  job: J;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter<J> {
  private queue: Pending<J>[] = [];
  private running = 0;
  private scheduled = false;
  private queuedWeight = 0;
  private queuedByKey = new Map<string, number>();

  constructor(private options: GroupCommitOptions<J>) {}

  /** Weight waiting to be written, in all and for one key. */
  queued(key?: string): number {
    return key === undefined ? this.queuedWeight : (this.queuedByKey.get(key) ?? 0);
  }

  run(job: J): Promise<void> {
    const bounds = this.options.bounds;
    const weight = this.options.weight(job);
    if (bounds) {
      const key = bounds.key(job);
      const mine = this.queuedByKey.get(key) ?? 0;
      // A job alone is always admitted when nothing of its key waits, however heavy (else a request
      // larger than the bound could never be stored).
      if (mine > 0 && mine + weight > bounds.maxQueuedPerKey) return Promise.reject(bounds.refuse('key', mine));
      if (this.queuedWeight > 0 && this.queuedWeight + weight > bounds.maxQueued) return Promise.reject(bounds.refuse('all', this.queuedWeight));
      this.queuedByKey.set(key, mine + weight);
    }
    this.queuedWeight += weight;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.scheduled && this.running < this.options.parallel) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.startWriters();
        });
      }
    });
  }

  private startWriters(): void {
    while (this.running < this.options.parallel && this.queue.length > 0) {
      this.running++;
      void this.writer().finally(() => {
        this.running--;
        if (this.queue.length > 0) this.startWriters();
      });
    }
  }

  private async writer(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.take();
      try {
        await this.options.commit(group.map((p) => p.job));
        for (const p of group) p.resolve();
      } catch (err) {
        if (group.length === 1) {
          group[0]!.reject(err);
          continue;
        }
        for (const p of group) {
          try {
            await this.options.commit([p.job]);
            p.resolve();
          } catch (e) {
            p.reject(e);
          }
        }
      }
    }
  }

  /** The next group: a fair share of the queue for the writers not busy yet, bounded by weight. */
  private take(): Pending<J>[] {
    const idle = this.options.parallel - this.running + 1;
    const share = Math.ceil(this.queue.length / Math.max(1, idle));
    const group: Pending<J>[] = [];
    let weight = 0;
    while (this.queue.length > 0 && group.length < share) {
      const w = this.options.weight(this.queue[0]!.job);
      if (group.length > 0 && weight + w > this.options.maxWeight) break;
      const taken = this.queue.shift()!;
      group.push(taken);
      weight += w;
      this.unqueue(taken.job, w);
    }
    return group;
  }

  private unqueue(job: J, weight: number): void {
    this.queuedWeight -= weight;
    const bounds = this.options.bounds;
    if (!bounds) return;
    const key = bounds.key(job);
    const left = (this.queuedByKey.get(key) ?? 0) - weight;
    if (left > 0) this.queuedByKey.set(key, left);
    else this.queuedByKey.delete(key);
  }
}
