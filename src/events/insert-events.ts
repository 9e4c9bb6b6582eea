/**
 * @module The hot query of ingestion, written by hand: all of a group's events in one INSERT …
 * ON CONFLICT (workspace_id, message_id) DO NOTHING RETURNING id, message_id, with the rows passed as
 * arrays (PostgreSQL: unnest of one array per column) or as one JSON array (SQLite: json_each), so the
 * statement text is constant and short.
 *
 * Measured on the 2-core bench machine (SQLite, 100-row batches): Kysely's multi-row insert builder
 * spent ~1.5 ms per batch compiling the 900-parameter statement and better-sqlite3 about 1 ms more
 * preparing it, as much as SQLite spent executing it; both costs are gone with a constant statement.
 */
import { CompiledQuery } from 'kysely';
import type { DialectName, Db } from '../store/store.js';

export interface EventRow {
  contactId: string;
  type: string;
  name: string;
  /** JSON text. */
  properties: string;
  /** JSON text. */
  context: string;
  messageId: string;
  timestamp: number;
  receivedAt: number;
}

const POSTGRES = `INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
SELECT $1, u.c, u.t, u.n, u.p::jsonb, u.x::jsonb, u.m, u.ts, u.r
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[]) AS u(c, t, n, p, x, m, ts, r)
ON CONFLICT (workspace_id, message_id) DO NOTHING
RETURNING id, message_id`;

// `WHERE true` is needed: without it SQLite would read ON CONFLICT as a join constraint.
const SQLITE = `INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
SELECT ?, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7
FROM json_each(?) WHERE true
ON CONFLICT (workspace_id, message_id) DO NOTHING
RETURNING id, message_id`;

/** Inserts the rows; returns the ones that were new (a messageId already stored is skipped). */
export async function insertEvents(
  trx: Db,
  dialect: DialectName,
  workspaceId: string,
  rows: readonly EventRow[],
): Promise<{ id: number; message_id: string }[]> {
  let query: CompiledQuery;
  if (dialect === 'postgres') {
    query = CompiledQuery.raw(POSTGRES, [
      workspaceId,
      rows.map((r) => r.contactId),
      rows.map((r) => r.type),
      rows.map((r) => r.name),
      rows.map((r) => r.properties),
      rows.map((r) => r.context),
      rows.map((r) => r.messageId),
      rows.map((r) => r.timestamp),
      rows.map((r) => r.receivedAt),
    ]);
  } else {
    const tuples = rows.map((r) => [r.contactId, r.type, r.name, r.properties, r.context, r.messageId, r.timestamp, r.receivedAt]);
    query = CompiledQuery.raw(SQLITE, [workspaceId, JSON.stringify(tuples)]);
  }
  const result = await trx.executeQuery<{ id: number; message_id: string }>(query);
  return result.rows;
}
