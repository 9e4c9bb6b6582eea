/**
 * @module One batch of due runs, the heart of the scheduler.
 *
 *  1. Claim up to `batchSize` due runs (lease; ./claim.ts).
 *  2. Prepare: walk each run in memory (./prepare.ts, ./walk.ts) until it waits, ends, or reaches a
 *     message.
 *  3. Transaction A: write every walk (run moved, step rows, effects). Runs stopped at a message keep
 *     their lease, and their delivery row (pending, deterministic key) is inserted here — committed
 *     BEFORE any channel is called (docs/standards.md §2).
 *  4. Dispatch: the one send-once path of journeys, broadcasts and retries (src/deliveries/dispatch.ts)
 *     calls the channels, one batch per channel, except for deliveries already `sent` by an earlier
 *     attempt.
 *  5. Transaction B: settle the deliveries, write the message steps and walk on from them
 *     (./after-send.ts); a retryable failure reschedules the same step with backoff (other runs are not held up), and after
 *     `maxAttempts` (or a permanent failure) the run is errored with the reason.
 * A worker killed anywhere in between leaves leases that expire; the next claimer redoes only what
 * was not committed, and the step log's unique key stops any step from being recorded twice.
 *
 * `store.dialect` only travels through here to the batched statements of ./bulk.ts and
 * src/deliveries/rows.ts (measured there).
 */
import type { SendRequest } from '../../channels/channel.js';
import { dispatch, type Dispatch } from '../../deliveries/dispatch.js';
import { settleDeliveries } from '../../deliveries/rows.js';
import { settlement } from '../../deliveries/statuses.js';
import { claimDueRuns } from './claim.js';
import { toRun } from './run.js';
import { commitBatch, type CommitItem } from './writer.js';
import { deliveryKey, recordDeliveries } from './deliveries.js';
import { afterSend } from './after-send.js';
import { prepareBatch, type Prepared } from './prepare.js';
import { claimToken, type JourneyRuntime } from './runtime.js';

/** A prepared run stopped at a message node: what its channel is handed. */
function toDispatch(p: Prepared): Dispatch {
  const send = p.result.send!;
  const request: SendRequest = {
    workspaceId: p.run.workspaceId,
    contact: p.ctx!.contact,
    idempotencyKey: deliveryKey(p.run.id, send.nodeId, send.visit),
    config: send.config,
    kind: send.messageKind,
    context: { journeyId: p.run.journeyId, journeyVersion: p.version, runId: p.run.id, nodeId: send.nodeId, trigger: p.run.trigger, event: p.run.event, data: p.run.data },
  };
  return { channel: send.channel, request };
}

/** Claims and processes one batch of due runs; returns how many runs it handled. */
export async function processDueRuns(rt: JourneyRuntime): Promise<number> {
  const now = rt.clock.now();
  const token = claimToken(rt);
  const leaseUntil = now + rt.config.worker.leaseMs;
  const rows = await claimDueRuns(rt.store, token, now, rt.config.worker.leaseMs, rt.config.worker.batchSize);
  if (rows.length === 0) return 0;
  const prepared = await prepareBatch(rt, rows.map(toRun), now);

  // Transaction A: every walk; deliveries recorded before any send.
  const sending: Prepared[] = [];
  let fresh = new Set<string>();
  await rt.store.transaction(async (trx) => {
    const items: CommitItem[] = prepared.map((p) => ({
      run: p.run,
      expectVisit: p.run.visit,
      patch: p.result.patch,
      steps: p.result.steps,
      effects: p.result.effects,
      keepLease: p.result.send !== null,
      version: p.version,
      doc: p.ctx?.doc ?? null,
    }));
    const moved = await commitBatch(trx, { dialect: rt.store.dialect, signals: rt.signals }, token, now, leaseUntil, items);
    for (const p of prepared) if (p.result.send && moved.has(p.run.id)) sending.push(p);
    fresh = await recordDeliveries(
      trx,
      rt.store.dialect,
      sending.map((p) => ({ run: p.run, send: p.result.send! })),
      now,
    );
  });
  if (sending.length === 0) return rows.length;

  const results = await dispatch(rt.store.db, rt.channels, sending.map(toDispatch), fresh);

  // Transaction B: settle deliveries, record the message steps and walk on.
  const after = sending.map((p, i) => ({ p, i, ...afterSend(rt, p, p.result.send!, results[i]!, now) }));
  const walks = await Promise.all(after.map((a) => a.item));
  await rt.store.transaction(async (trx) => {
    const items: CommitItem[] = after.map(({ p }, k) => ({
      run: p.run,
      expectVisit: p.result.send!.visit,
      patch: walks[k]!.patch,
      steps: walks[k]!.steps,
      effects: walks[k]!.effects,
      keepLease: false,
      version: p.version,
      doc: p.ctx?.doc ?? null,
    }));
    const moved = await commitBatch(trx, { dialect: rt.store.dialect, signals: rt.signals }, token, now, leaseUntil, items);
    const settlements = after
      .filter(({ p }) => moved.has(p.run.id))
      .map(({ p, i, final }) => settlement(p.run.workspaceId, deliveryKey(p.run.id, p.result.send!.nodeId, p.result.send!.visit), results[i]!, final, now));
    await settleDeliveries(trx, rt.store.dialect, now, settlements);
  });
  return rows.length;
}
