/**
 * @module Retries of transactional API sends (`POST /api/messages/send`). A receipt or password
 * reset that meets a temporary failure (SMTP 4xx, connection refused) must not depend on the caller
 * retrying: the record stays `queued` with `retry_at` set, and the `message-retries` worker task
 * attempts it again with exponential backoff and jitter, with the same idempotency key (so the same
 * Message-ID, and never twice once sent), until it is sent, skipped, fails for good, or runs out of
 * attempts (then `failed`). Journey sends are retried by their runs instead (src/journeys/runtime).
 *
 * Claiming: a worker moves `retry_at` forward by a lease before attempting, in one UPDATE of the rows
 * a MATERIALIZED CTE picked FOR UPDATE SKIP LOCKED on PostgreSQL (src/journeys/runtime/claim.ts says why) (inside BEGIN IMMEDIATE on SQLite), so two
 * workers never pick the same row; one that dies leaves a `retry_at` that comes due again.
 */
import { sql } from 'kysely';
import type { AppDeps } from '../api/deps.js';
import type { Channel, SendResult } from '../channels/channel.js';
import { emailChannel } from '../channels/email/index.js';
import { toContact } from '../contacts/contact.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { backoffMs, type RetryOptions } from '../journeys/runtime/runtime.js';
import type { Db, Store } from '../store/store.js';
import type { WorkerTask } from '../worker/worker.js';
import { recordOutcome } from './records.js';

/** About an hour of attempts in all: 30 s, 1, 2, 4, 8, 16, 30 min (±20%). */
export const TRANSACTIONAL_RETRY: RetryOptions = { maxAttempts: 8, baseBackoffMs: 30_000, maxBackoffMs: 30 * 60_000 };
/** How long a claimed retry is held by its worker before another may take it over. */
const CLAIM_LEASE_MS = 5 * 60_000;

export interface SendRequestRecord {
  templateId: string;
  data?: JsonObject | undefined;
}

/**
 * After an attempt of a transactional send: schedule the next one when it was retryable (or give up
 * after the last attempt), and clear the schedule otherwise.
 */
export async function afterAttempt(db: Db, workspaceId: string, idempotencyKey: string, result: SendResult, request: SendRequestRecord, now: number, retry = TRANSACTIONAL_RETRY): Promise<void> {
  const byKey = db.updateTable('messages').set({ retry_at: null }).where('workspace_id', '=', workspaceId).where('idempotency_key', '=', idempotencyKey);
  // The common case (sent at the first attempt) costs one indexed no-op UPDATE, no read.
  if (result.status !== 'retryable') return void (await byKey.where('retry_at', 'is not', null).execute());
  const row = await db.selectFrom('messages').select(['id', 'attempts', 'status']).where('workspace_id', '=', workspaceId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  if (!row) return;
  if (row.status !== 'queued') return void (await byKey.execute());
  const attempts = Number(row.attempts);
  if (attempts >= retry.maxAttempts) {
    await recordOutcome(db, row.id, { status: 'failed', reason: `gave up after ${attempts} attempts: ${result.reason}` }, now);
    await db.updateTable('messages').set({ retry_at: null }).where('id', '=', row.id).execute();
    return;
  }
  const due = now + Math.max(backoffMs(retry, attempts), result.retryAfterMs ?? 0);
  await db.updateTable('messages').set({ retry_at: due, send_request: toJson(request as unknown as JsonObject) }).where('id', '=', row.id).execute();
}

interface DueRetry {
  id: string;
  workspace_id: string;
  contact_id: string;
  idempotency_key: string;
  send_request: unknown;
}

async function claimDueRetries(store: Store, now: number, limit: number): Promise<DueRetry[]> {
  const lock = store.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const query = sql<DueRetry>`
    WITH picked AS MATERIALIZED (SELECT id FROM messages WHERE retry_at <= ${now} ORDER BY retry_at LIMIT ${limit} ${lock})
    UPDATE messages SET retry_at = ${now + CLAIM_LEASE_MS}
    WHERE id IN (SELECT id FROM picked)
    RETURNING id, workspace_id, contact_id, idempotency_key, send_request`;
  if (store.dialect === 'postgres') return (await query.execute(store.db)).rows;
  return store.transaction(async (trx) => (await query.execute(trx)).rows);
}

/** Attempts every due retry of one claimed batch; returns how many it attempted. */
export async function retryDueSends(deps: Pick<AppDeps, 'store' | 'clock'>, channel: Channel, options: { batch: number; retry?: RetryOptions }): Promise<number> {
  const rows = await claimDueRetries(deps.store, deps.clock.now(), options.batch);
  const { db } = deps.store;
  for (const row of rows) {
    const request = fromJson<SendRequestRecord | null>(row.send_request);
    const contactRow = await db.selectFrom('contacts').selectAll().where('id', '=', row.contact_id).executeTakeFirst();
    if (!request || !contactRow) {
      await recordOutcome(db, row.id, { status: 'failed', reason: request ? 'contact deleted before the retry' : 'nothing recorded to retry' }, deps.clock.now());
      await db.updateTable('messages').set({ retry_at: null }).where('id', '=', row.id).execute();
      continue;
    }
    const result = await channel.send({
      workspaceId: row.workspace_id,
      contact: toContact(contactRow),
      idempotencyKey: row.idempotency_key,
      config: { template: request.templateId },
      context: request.data ? { data: request.data } : {},
      kind: 'transactional',
    });
    await afterAttempt(db, row.workspace_id, row.idempotency_key, result, request, deps.clock.now(), options.retry);
  }
  return rows.length;
}

/** The worker task (src/worker/tasks.ts). */
export function messageRetryTask(deps: AppDeps): WorkerTask {
  const channel = emailChannel(deps);
  return { name: 'message-retries', tick: () => retryDueSends(deps, channel, { batch: deps.config.worker.batchSize }) };
}
