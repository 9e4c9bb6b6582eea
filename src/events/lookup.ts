/**
 * @module The first statement of a group's ingestion, written by hand: which of the calls'
 * messageIds are already stored (replays), and the contacts of their userIds, in ONE statement
 * (UNION ALL of the two index lookups). On PostgreSQL that is one round trip where there were two;
 * identity resolution (src/contacts/identity.ts) takes the contacts as `knownUsers`.
 *
 * The contacts of replayed calls are read too: harmless (they are only candidates for resolution)
 * and rare. Lists are one parameter each (`unnest($n::text[])`, `json_each(?)`), so the text is constant.
 *
 * On PostgreSQL each key is probed through a LATERAL … LIMIT 1 on the unique index, a plan that does
 * not depend on statistics. `workspace_id = $1 AND message_id = ANY($2)` did: on a table not analyzed
 * yet (a fresh install, or the first minute of a backfill) the planner guessed the workspace matched
 * 0.5% of the rows and read ALL of them through a bitmap scan, 18 ms per group at 100k events, the
 * largest share of the database's CPU in the ingest bench (pg_stat_statements: 140 µs per event).
 */
import { CompiledQuery } from 'kysely';
import type { ContactRow } from '../contacts/contact.js';
import type { Db, DialectName } from '../store/store.js';

const POSTGRES = `SELECT e.message_id, NULL::text AS id, NULL::text AS user_id, NULL::text AS email, NULL::text AS phone,
  NULL::text AS timezone, NULL::text AS locale, NULL::jsonb AS attributes, NULL::bigint AS created_at
FROM unnest($2::text[]) AS k(id)
CROSS JOIN LATERAL (SELECT message_id FROM events WHERE workspace_id = $1 AND message_id = k.id LIMIT 1) AS e
UNION ALL
SELECT NULL, c.id, c.user_id, c.email, c.phone, c.timezone, c.locale, c.attributes, c.created_at
FROM unnest($3::text[]) AS k(id)
CROSS JOIN LATERAL (SELECT * FROM contacts WHERE workspace_id = $1 AND user_id = k.id LIMIT 1) AS c`;

const SQLITE = `SELECT e.message_id, NULL AS id, NULL AS user_id, NULL AS email, NULL AS phone,
  NULL AS timezone, NULL AS locale, NULL AS attributes, NULL AS created_at
FROM events e WHERE e.workspace_id = ? AND e.message_id IN (SELECT value FROM json_each(?))
UNION ALL
SELECT NULL, c.id, c.user_id, c.email, c.phone, c.timezone, c.locale, c.attributes, c.created_at
FROM contacts c WHERE c.workspace_id = ? AND c.user_id IN (SELECT value FROM json_each(?))`;

type Row = { message_id: string | null } & { [K in keyof ContactRow]: ContactRow[K] | null };

export interface Lookup {
  /** The messageIds among the asked ones that are already stored in the workspace. */
  stored: Set<string>;
  /** The workspace's contacts with one of the asked user ids. */
  users: ContactRow[];
}

export async function storedAndKnown(trx: Db, dialect: DialectName, workspaceId: string, messageIds: readonly string[], userIds: readonly string[]): Promise<Lookup> {
  const query = storedAndKnownQuery(dialect, workspaceId, messageIds, userIds);
  const stored = new Set<string>();
  const users: ContactRow[] = [];
  for (const row of (await trx.executeQuery<Row>(query)).rows) {
    if (row.message_id !== null) stored.add(row.message_id);
    else users.push(row as ContactRow);
  }
  return { stored, users };
}

/** The statement of `storedAndKnown` (its plan is tested). */
export function storedAndKnownQuery(dialect: DialectName, workspaceId: string, messageIds: readonly string[], userIds: readonly string[]): CompiledQuery {
  return dialect === 'postgres'
    ? CompiledQuery.raw(POSTGRES, [workspaceId, messageIds, userIds])
    : CompiledQuery.raw(SQLITE, [workspaceId, JSON.stringify(messageIds), workspaceId, JSON.stringify(userIds)]);
}
