/**
 * @module Group commit for the per-message writes of concurrent sends: writes queued while a commit
 * is in progress go together in the next transaction, so a batch of 100 sends pays a few commits
 * instead of 300. Each caller still gets its own result, after its write is committed.
 *
 * Why: SQLite runs with synchronous=FULL, and each autocommit write of a message record cost
 * ~1.5 ms (an fsync, measured with `npm run bench -- email`), blocking the event loop: 3 per
 * message capped the email channel at ~200 messages/s before any SMTP work. PostgreSQL pays a WAL
 * flush per commit the same way.
 *
 * A failed batch is retried write by write, each in its own transaction, so one bad write fails
 * only its own caller (the batch was rolled back, so nothing is applied twice).
 */
import type { Db, Store } from '../store/store.js';

export type GroupCommit = <T>(write: (trx: Db) => Promise<T>) => Promise<T>;

interface Pending {
  write: (trx: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export function groupCommit(store: Store): GroupCommit {
  let queue: Pending[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        const results = await store.transaction(async (trx) => {
          const out: unknown[] = [];
          for (const p of batch) out.push(await p.write(trx));
          return out;
        });
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch {
        for (const p of batch) await store.transaction((trx) => p.write(trx)).then(p.resolve, p.reject);
      }
    }
    flushing = false;
  }

  return <T>(write: (trx: Db) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      // Wait one turn of the event loop so the writes of sends that finish together share a commit.
      if (!flushing) {
        flushing = true;
        setImmediate(() => void flush());
      }
    });
}
