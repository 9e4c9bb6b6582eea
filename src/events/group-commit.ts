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
 * committed. Groups start on the next turn of the event loop (setImmediate), after the requests
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

  constructor(private options: GroupCommitOptions<J>) {}

  run(job: J): Promise<void> {
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
      group.push(this.queue.shift()!);
      weight += w;
    }
    return group;
  }
}
