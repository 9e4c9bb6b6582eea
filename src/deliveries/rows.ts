/**
 * @module The hot writes of deliveries, by hand like src/journeys/runtime/bulk.ts (which says what
 * they measured): one statement inserts every pending delivery of a batch, one settles every
 * channel answer. The rows travel as one JSON parameter (PostgreSQL `jsonb_to_recordset`, SQLite
 * `json_each`).
 */
import { sql } from 'kysely';
import type { DialectName, Db } from '../store/store.js';
import type { DeliveryStatus } from './tables.js';

export interface DeliveryRow {
  id: string;
  workspace_id: string;
  idempotency_key: string;
  /** Null for deliveries that are not a journey's (broadcasts). */
  run_id: string | null;
  journey_id: string | null;
  node_id: string | null;
  contact_id: string;
  channel: string;
  kind: string;
  now: number;
}

/** Inserts pending deliveries; an existing key is kept as it is. Returns the keys inserted now. */
export async function insertDeliveryRows(trx: Db, dialect: DialectName, rows: readonly DeliveryRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const json = JSON.stringify(rows);
  if (dialect === 'postgres') {
    const res = await sql<{ idempotency_key: string }>`
      INSERT INTO deliveries (id, workspace_id, idempotency_key, run_id, journey_id, node_id, contact_id, channel, kind, status, attempts, created_at, updated_at)
      SELECT v.id, v.workspace_id, v.idempotency_key, v.run_id, v.journey_id, v.node_id, v.contact_id, v.channel, v.kind, 'pending', 0, v.now, v.now
      FROM jsonb_to_recordset(${json}::jsonb) AS v(id text, workspace_id text, idempotency_key text, run_id text, journey_id text, node_id text, contact_id text, channel text, kind text, now bigint)
      ON CONFLICT DO NOTHING
      RETURNING idempotency_key`.execute(trx);
    return new Set(res.rows.map((r) => r.idempotency_key));
  }
  const res = await sql<{ idempotency_key: string }>`
    INSERT INTO deliveries (id, workspace_id, idempotency_key, run_id, journey_id, node_id, contact_id, channel, kind, status, attempts, created_at, updated_at)
    SELECT value ->> 'id', value ->> 'workspace_id', value ->> 'idempotency_key', value ->> 'run_id', value ->> 'journey_id',
      value ->> 'node_id', value ->> 'contact_id', value ->> 'channel', value ->> 'kind', 'pending', 0, value ->> 'now', value ->> 'now'
    FROM json_each(${json}) WHERE true
    ON CONFLICT DO NOTHING
    RETURNING idempotency_key`.execute(trx);
  return new Set(res.rows.map((r) => r.idempotency_key));
}

export interface DeliverySettlement {
  ws: string;
  key: string;
  status: DeliveryStatus;
  pid: string | null;
  error: string | null;
  sent_at: number | null;
}

/** Records channel answers on pending deliveries (attempts + 1). */
export async function settleDeliveries(trx: Db, dialect: DialectName, now: number, settlements: readonly DeliverySettlement[]): Promise<void> {
  if (settlements.length === 0) return;
  const json = JSON.stringify(settlements);
  if (dialect === 'postgres') {
    await sql`
      UPDATE deliveries AS d SET status = v.status, attempts = d.attempts + 1, provider_message_id = v.pid, error = v.error,
        sent_at = v.sent_at, updated_at = ${now}::bigint
      FROM jsonb_to_recordset(${json}::jsonb) AS v(ws text, key text, status text, pid text, error text, sent_at bigint)
      WHERE d.workspace_id = v.ws AND d.idempotency_key = v.key AND d.status = 'pending'`.execute(trx);
    return;
  }
  await sql`
    UPDATE deliveries AS d SET status = v.status, attempts = d.attempts + 1, provider_message_id = v.pid, error = v.error,
      sent_at = v.sent_at, updated_at = ${now}
    FROM (SELECT value ->> 'ws' AS ws, value ->> 'key' AS key, value ->> 'status' AS status, value ->> 'pid' AS pid,
            value ->> 'error' AS error, value ->> 'sent_at' AS sent_at
          FROM json_each(${json})) AS v
    WHERE d.workspace_id = v.ws AND d.idempotency_key = v.key AND d.status = 'pending'`.execute(trx);
}
