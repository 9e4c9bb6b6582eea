/**
 * @module The direct mail worker task (registered in src/worker/tasks.ts; docs/mail.md "Sending").
 * Each tick:
 *
 *  1. claims the day's batches whose cut-off has come (and whose retry is due), a few at a time, with
 *     a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, BEGIN IMMEDIATE on SQLite): a batch still
 *     `building` becomes `ready`, so no piece joins it any more. A worker killed while holding one
 *     lets its lease run out and another takes the batch over;
 *  2. builds its files from the pieces on disk (./close-batch.ts, streamed) unless an earlier attempt
 *     did, and hands it to its provider (./deliver.ts): a print drop writes its `.done` marker last
 *     and does nothing when the marker exists, so a batch arrives exactly once however often this
 *     runs; Lob takes each piece under its message id as Idempotency-Key. A failure is retried with
 *     exponential backoff (the batch keeps `error`), and the batch `failed` after `maxAttempts`;
 *  3. pieces a print house took whose expected delivery date has come (in UTC) are `delivered` and
 *     record `mail.delivered`, which a journey waits for ("email two days after it lands"); Lob
 *     reports its own deliveries (./lob/events.ts).
 *
 * Returns the number of batches and pieces handled, so the worker goes on at once while there is work.
 */
import { sql } from 'kysely';
import type { AppDeps } from '../../core/app-deps.js';
import { backoffMs, type RetryOptions } from '../../core/retry.js';
import type { WorkerTask } from '../../worker/worker.js';
import { getProvider } from '../providers/providers.js';
import { buildDayBatchFiles } from './close-batch.js';
import { dateAfter, deliverBatch } from './deliver.js';
import { recordPieceEvent } from './piece-events.js';

/** A print house down for a day is retried for about a day (backoff doubling to an hour). */
export const MAIL_BATCH_RETRY: RetryOptions = { maxAttempts: 30, baseBackoffMs: 60_000, maxBackoffMs: 3_600_000 };

export interface MailTaskDeps extends Pick<AppDeps, 'store' | 'clock' | 'signals' | 'secretBox' | 'log'> {
  dataDir: string;
  allowPrivateOutbound?: boolean | undefined;
  leaseMs?: number | undefined;
  retry?: RetryOptions | undefined;
}

const BATCHES_PER_TICK = 2;
const LANDED_PER_TICK = 500;

interface ClaimedBatch {
  workspace_id: string;
  id: string;
  provider_id: string | null;
  attempts: number;
}

async function claimDue(deps: MailTaskDeps, now: number, leaseMs: number): Promise<ClaimedBatch[]> {
  const { store } = deps;
  // The same MATERIALIZED picking as src/broadcasts/claim.ts, so the LIMIT holds under SKIP LOCKED.
  const query = sql<ClaimedBatch>`
    WITH picked AS MATERIALIZED (
      SELECT workspace_id, id FROM mail_batches
      WHERE status IN ('building', 'ready') AND cutoff_at IS NOT NULL AND cutoff_at <= ${now}
        AND (next_attempt_at IS NULL OR next_attempt_at <= ${now})
        AND (lease_until IS NULL OR lease_until < ${now})
      ORDER BY cutoff_at
      LIMIT ${BATCHES_PER_TICK}
      ${store.adapter.skipLocked}
    )
    UPDATE mail_batches SET status = 'ready', lease_until = ${now + leaseMs}
    WHERE (workspace_id, id) IN (SELECT workspace_id, id FROM picked)
    RETURNING workspace_id, id, provider_id, attempts`;
  return store.adapter.claim(store.db, (fn) => store.transaction(fn), query);
}

async function settleFailure(deps: MailTaskDeps, b: ClaimedBatch, error: string, now: number, retry: RetryOptions): Promise<void> {
  const attempts = Number(b.attempts) + 1;
  const failed = attempts >= retry.maxAttempts;
  await deps.store.db
    .updateTable('mail_batches')
    .set({ attempts, error: error.slice(0, 500), lease_until: null, next_attempt_at: failed ? null : now + backoffMs(retry, attempts), ...(failed ? { status: 'failed' as const } : {}) })
    .where('workspace_id', '=', b.workspace_id)
    .where('id', '=', b.id)
    .execute();
  deps.log.warn({ batchId: b.id, attempts, error }, failed ? 'mail batch failed for good' : 'mail batch will be retried');
}

async function handle(deps: MailTaskDeps, b: ClaimedBatch, retry: RetryOptions): Promise<void> {
  const now = deps.clock.now();
  try {
    if (!b.provider_id) throw new Error('the batch has no provider');
    const provider = await getProvider(deps.store.db, deps.secretBox, b.workspace_id, 'mail', b.provider_id);
    await buildDayBatchFiles(deps, b.workspace_id, b.id);
    const r = await deliverBatch(deps, b.workspace_id, b.id, provider);
    if (r.status === 'retryable') return await settleFailure(deps, b, r.error, deps.clock.now(), retry);
    await deps.store.db.updateTable('mail_batches').set({ lease_until: null, next_attempt_at: null }).where('workspace_id', '=', b.workspace_id).where('id', '=', b.id).execute();
  } catch (err) {
    await settleFailure(deps, b, (err as Error).message, now, retry);
  }
}

/** Print-house pieces whose expected delivery date has come: delivered, with `mail.delivered`. */
export async function landPieces(deps: MailTaskDeps, now: number): Promise<number> {
  const today = dateAfter(now, 0);
  const due = await deps.store.db
    .selectFrom('mail_pieces as p')
    .innerJoin('mail_batches as b', (j) => j.onRef('b.workspace_id', '=', 'p.workspace_id').onRef('b.id', '=', 'p.batch_id'))
    .innerJoin('channel_providers as c', 'c.id', 'b.provider_id')
    .select(['p.workspace_id', 'p.id', 'p.batch_id', 'p.contact_id', 'p.message_id', 'p.kind'])
    .where('p.status', '=', 'submitted')
    .where('p.expected_delivery_date', '<=', today)
    .where('c.kind', 'in', ['print_dir', 'print_sftp'])
    .orderBy('p.expected_delivery_date')
    .limit(LANDED_PER_TICK)
    .execute();
  let landed = 0;
  for (const p of due) {
    const done = await deps.store.transaction(async (trx) => {
      const moved = await trx
        .updateTable('mail_pieces')
        .set({ status: 'delivered', updated_at: now })
        .where('workspace_id', '=', p.workspace_id)
        .where('id', '=', p.id)
        .where('status', '=', 'submitted')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      const ref = { workspaceId: p.workspace_id, id: p.id, batchId: p.batch_id, contactId: p.contact_id, messageId: p.message_id, kind: p.kind };
      await recordPieceEvent(deps, trx, ref, { name: 'mail.delivered', dedupe: `mail.delivered:${p.id}`, properties: { provider: 'print_house', expected: true }, now });
      if (p.message_id) await trx.updateTable('messages').set({ delivery_status: 'delivered', delivered_at: now }).where('id', '=', p.message_id).where('workspace_id', '=', p.workspace_id).execute();
      return true;
    });
    if (done) landed++;
  }
  return landed;
}

export function mailBatchTask(deps: MailTaskDeps): WorkerTask {
  const leaseMs = deps.leaseMs ?? 10 * 60_000;
  const retry = deps.retry ?? MAIL_BATCH_RETRY;
  return {
    name: 'mail-batches',
    async tick() {
      const now = deps.clock.now();
      const claimed = await claimDue(deps, now, leaseMs);
      for (const b of claimed) await handle(deps, b, retry);
      return claimed.length + (await landPieces(deps, deps.clock.now()));
    },
  };
}

export const mailTasks = (deps: AppDeps): WorkerTask => mailBatchTask({ ...deps, dataDir: deps.config.dataDir, allowPrivateOutbound: deps.config.allowPrivateOutbound });
