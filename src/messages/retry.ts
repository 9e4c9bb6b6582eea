/**
 * @module Retries of transactional API sends (`POST /api/messages/send`). A receipt or password
 * reset that meets a temporary failure (SMTP 4xx, connection refused) must not depend on the caller
 * retrying: the record stays `queued` with `retry_at` set, and the `message-retries` worker task
 * attempts it again with exponential backoff and jitter, with the same idempotency key (so the same
 * Message-ID, and never twice once sent), until it is sent, skipped, fails for good, or runs out of
 * attempts (then `failed`). Journey sends are retried by their runs instead (src/journeys/runtime).
 *
 * The attempts go through the one send-once dispatch of journeys and broadcasts
 * (src/deliveries/dispatch.ts), the claimed batch at once, one batch per channel.
 *
 * Claiming: a worker moves `retry_at` forward by a lease before attempting, in one UPDATE of the rows
 * a MATERIALIZED CTE picked FOR UPDATE SKIP LOCKED on PostgreSQL (src/journeys/runtime/claim.ts says why) (inside BEGIN IMMEDIATE on SQLite), so two
 * workers never pick the same row; one that dies leaves a `retry_at` that comes due again.
 */
import { sql } from 'kysely';
import type { AppDeps } from '../core/app-deps.js';
import type { SendResult } from '../channels/channel.js';
import { createChannelRegistry, type ChannelRegistry } from '../channels/registry.js';
import { dispatch, type Dispatch } from '../deliveries/dispatch.js';
import { toContact, type Contact } from '../contacts/contact.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { backoffMs, type RetryOptions } from '../core/retry.js';
import type { Db, Store } from '../store/store.js';
import type { WorkerTask } from '../worker/worker.js';
import { inActiveWorkspace } from '../workspaces/archived.js';
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
  if (result.deferred) {
    // Held by a throttle or a domain backing off: not an attempt, so the claim's count is taken back.
    await db
      .updateTable('messages')
      .set((eb) => ({ retry_at: now + (result.retryAfterMs ?? 0), attempts: eb('attempts', '-', 1), send_request: toJson(request as unknown as JsonObject) }))
      .where('id', '=', row.id)
      .where('attempts', '>', 0)
      .execute();
    return;
  }
  const attempts = Number(row.attempts);
  if (attempts >= retry.maxAttempts) {
    await recordOutcome(db, row.id, { status: 'failed', reason: `gave up after ${attempts} attempts: ${result.reason}` }, now);
    await db.updateTable('messages').set({ retry_at: null }).where('id', '=', row.id).execute();
    return;
  }
  const due = now + Math.max(backoffMs(retry, attempts), result.retryAfterMs ?? 0);
  await db
    .updateTable('messages')
    .set({ retry_at: due, send_request: toJson(request as unknown as JsonObject) })
    .where('id', '=', row.id)
    .execute();
}

interface DueRetry {
  id: string;
  workspace_id: string;
  channel: string;
  contact_id: string;
  idempotency_key: string;
  send_request: unknown;
}

async function claimDueRetries(store: Store, now: number, limit: number): Promise<DueRetry[]> {
  const query = sql<DueRetry>`
    WITH picked AS MATERIALIZED (SELECT id FROM messages WHERE retry_at <= ${now} AND ${inActiveWorkspace('messages.workspace_id')} ORDER BY retry_at LIMIT ${limit} ${store.adapter.skipLocked})
    UPDATE messages SET retry_at = ${now + CLAIM_LEASE_MS}
    WHERE id IN (SELECT id FROM picked)
    RETURNING id, workspace_id, channel, contact_id, idempotency_key, send_request`;
  return store.adapter.claim(store.db, store.transaction, query);
}

/** Attempts every due retry of one claimed batch; returns how many it attempted. */
export async function retryDueSends(deps: Pick<AppDeps, 'store' | 'clock'>, channels: ChannelRegistry, options: { batch: number; retry?: RetryOptions }): Promise<number> {
  const rows = await claimDueRetries(deps.store, deps.clock.now(), options.batch);
  const { db } = deps.store;
  const contacts = new Map<string, Contact>();
  const ids = [...new Set(rows.map((r) => r.contact_id))];
  if (ids.length > 0) for (const c of await db.selectFrom('contacts').selectAll().where('id', 'in', ids).execute()) contacts.set(c.id, toContact(c));
  const attempts: { row: DueRetry; request: SendRequestRecord; send: Dispatch }[] = [];
  for (const row of rows) {
    const request = fromJson<SendRequestRecord | null>(row.send_request);
    const contact = contacts.get(row.contact_id);
    if (!request || !contact) {
      await recordOutcome(db, row.id, { status: 'failed', reason: request ? 'contact deleted before the retry' : 'nothing recorded to retry' }, deps.clock.now());
      await db.updateTable('messages').set({ retry_at: null }).where('id', '=', row.id).execute();
      continue;
    }
    const send: Dispatch = {
      channel: row.channel,
      request: {
        workspaceId: row.workspace_id,
        contact,
        idempotencyKey: row.idempotency_key,
        config: { template: request.templateId },
        context: request.data ? { data: request.data } : {},
        kind: 'transactional',
      },
    };
    attempts.push({ row, request, send });
  }
  const results = await dispatch(
    db,
    channels,
    attempts.map((a) => a.send),
  );
  for (const [i, { row, request }] of attempts.entries()) {
    await afterAttempt(db, row.workspace_id, row.idempotency_key, results[i]!, request, deps.clock.now(), options.retry);
  }
  return rows.length;
}

/** The worker task (src/worker/tasks.ts). */
export function messageRetryTask(deps: AppDeps): WorkerTask {
  const channels = createChannelRegistry(deps);
  return { name: 'message-retries', tick: () => retryDueSends(deps, channels, { batch: deps.config.worker.batchSize }) };
}
