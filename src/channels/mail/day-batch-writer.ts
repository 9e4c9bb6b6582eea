/**
 * @module Pieces made together are stored together: the pipeline delivers a send batch's messages
 * concurrently and the printer hands back 25 pieces at once (./render-queue.ts), so their additions
 * to the day's batch arrive together too. They are held until `batchSize` have come or none has come
 * for `quietMs`, then written in one transaction (`addToDayBatches`, ./day-batch.ts: one INSERT of
 * the pieces, one UPDATE of each batch row) instead of one transaction per piece, each taking the
 * batch row's lock in turn. Each caller gets its own stored piece; when the transaction fails every
 * caller of that write gets the error (its message stays queued and is retried).
 */
import { addToDayBatches, type DayBatchDeps, type DayPieceInput, type StoredPiece } from './day-batch.js';

export type DayBatchWrite = (input: DayPieceInput) => Promise<StoredPiece>;

export function dayBatchWriter(deps: DayBatchDeps & { clock: { now(): number } }, options: { batchSize?: number; quietMs?: number } = {}): DayBatchWrite {
  const batchSize = options.batchSize ?? 100;
  const quietMs = options.quietMs ?? 5;
  let waiting: { input: DayPieceInput; resolve: (p: StoredPiece) => void; reject: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = waiting;
    waiting = [];
    addToDayBatches(
      deps,
      batch.map((w) => w.input),
      deps.clock.now(),
    ).then(
      (stored) => batch.forEach((w, i) => w.resolve(stored[i]!.piece)),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  };
  return (input) =>
    new Promise<StoredPiece>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      if (waiting.length >= batchSize) return flush();
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, quietMs);
    });
}
