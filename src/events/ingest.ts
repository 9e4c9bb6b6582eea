/**
 * @module Ingestion: stores a request's calls as events, all in one transaction, and returns only
 * after it committed (so an acknowledged call is durable). Per request, whatever its size:
 *
 *   1. one SELECT of the request's messageIds already stored: a replayed call has no effect at all
 *      (no contact change, no signal), and answers 200 like the first time;
 *   2. identity resolution in bulk (src/contacts/identity.ts);
 *   3. one multi-row INSERT … ON CONFLICT (workspace_id, message_id) DO NOTHING RETURNING, which also
 *      absorbs a concurrent request carrying the same messageId; only returned rows are new and get
 *      an `event` signal.
 *
 * On PostgreSQL two concurrent requests may race to create the same contact or to merge one another
 * uses (unique or foreign-key violation, deadlock). Nothing of the losing transaction is kept, so it
 * is simply run again, up to three times.
 */
import type { ServiceDeps } from '../core/deps.js';
import type { JsonObject } from '../core/json.js';
import { toJson } from '../core/json.js';
import { resolveContacts } from '../contacts/identity.js';
import type { Db, DialectName } from '../store/store.js';
import type { Call } from './call.js';
import { emitSignals, type Signal } from './signals.js';
import { insertEvents } from './insert-events.js';

/** Rows per INSERT statement: 500 rows x 9 parameters stays far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_INSERT = 500;
const RETRIED_PG_CODES = new Set(['23505', '23503', '40P01', '40001']);
const ATTEMPTS = 3;

export interface IngestResult {
  /** Calls stored now (not duplicates). */
  stored: number;
  duplicates: number;
}

export async function ingest(deps: ServiceDeps, workspaceId: string, calls: readonly Call[], receivedAt: number): Promise<IngestResult> {
  if (calls.length === 0) return { stored: 0, duplicates: 0 };
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.store.transaction((trx) => ingestIn(trx, deps.store.dialect, workspaceId, calls, receivedAt));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const retry = deps.store.dialect === 'postgres' && typeof code === 'string' && RETRIED_PG_CODES.has(code);
      if (!retry || attempt >= ATTEMPTS) throw err;
    }
  }
}

async function ingestIn(trx: Db, dialect: DialectName, workspaceId: string, calls: readonly Call[], receivedAt: number): Promise<IngestResult> {
  const fresh = await withoutStored(trx, workspaceId, calls);
  if (fresh.length === 0) return { stored: 0, duplicates: calls.length };
  const contactIds = await resolveContacts(trx, workspaceId, fresh, receivedAt);
  const signals: Signal[] = [];
  for (let start = 0; start < fresh.length; start += ROWS_PER_INSERT) {
    const chunk = fresh.slice(start, start + ROWS_PER_INSERT);
    const rows = chunk.map((c, k) => ({
      workspaceId,
      contactId: contactIds[start + k]!,
      type: c.type,
      name: c.name,
      properties: toJson(c.properties),
      context: toJson(c.context),
      messageId: c.messageId,
      timestamp: c.timestamp,
      receivedAt,
    }));
    const inserted = await insertEvents(trx, dialect, rows);
    if (inserted.length === 0) continue;
    const byMessage = new Map(chunk.map((c, k) => [c.messageId, k]));
    for (const row of inserted) {
      const k = byMessage.get(row.message_id)!;
      const call = chunk[k]!;
      signals.push({
        kind: 'event',
        event: {
          id: row.id,
          workspaceId,
          contactId: contactIds[start + k]!,
          type: call.type,
          name: call.name,
          properties: call.properties as JsonObject,
          timestamp: call.timestamp,
          receivedAt,
        },
      });
    }
  }
  await emitSignals(trx, signals, receivedAt);
  return { stored: signals.length, duplicates: calls.length - signals.length };
}

/** The calls whose messageId is neither stored yet nor repeated earlier in the same request. */
async function withoutStored(trx: Db, workspaceId: string, calls: readonly Call[]): Promise<Call[]> {
  const ids = [...new Set(calls.map((c) => c.messageId))];
  const stored = new Set<string>();
  for (let start = 0; start < ids.length; start += ROWS_PER_INSERT) {
    const rows = await trx
      .selectFrom('events')
      .select('message_id')
      .where('workspace_id', '=', workspaceId)
      .where('message_id', 'in', ids.slice(start, start + ROWS_PER_INSERT))
      .execute();
    for (const r of rows) stored.add(r.message_id);
  }
  const fresh: Call[] = [];
  for (const c of calls) {
    if (stored.has(c.messageId)) continue;
    stored.add(c.messageId);
    fresh.push(c);
  }
  return fresh;
}
