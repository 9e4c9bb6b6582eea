/**
 * @module Pieces made together are stored together: the pipeline delivers a send batch's messages
 * concurrently and the printer hands back 25 pieces at once (./render-queue.ts), so their additions
 * to the day's batch arrive together too. They are held until `batchSize` have come or none has come
 * for `quietMs` (../../core/micro-batch.ts), then written in one transaction (`addToDayBatches`,
 * ./day-batch.ts: one INSERT of the pieces, one UPDATE of each batch row) instead of one transaction
 * per piece, each taking the batch row's lock in turn. Each caller gets its own stored piece; when
 * the transaction fails every caller of that write gets the error (its message stays queued and is
 * retried).
 */
import { microBatcher } from '../../core/micro-batch.js';
import { addToDayBatches, type DayBatchDeps, type DayPieceInput, type StoredPiece } from './day-batch.js';

export type DayBatchWrite = (input: DayPieceInput) => Promise<StoredPiece>;

export function dayBatchWriter(deps: DayBatchDeps & { clock: { now(): number } }, options: { batchSize?: number | undefined; quietMs?: number | undefined } = {}): DayBatchWrite {
  return microBatcher(async (inputs: DayPieceInput[]) => (await addToDayBatches(deps, inputs, deps.clock.now())).map((s) => s.piece), {
    batchSize: options.batchSize ?? 100,
    quietMs: options.quietMs ?? 5,
  });
}
