/**
 * @module The first statement of a group's ingestion, written by hand: which of the calls'
 * messageIds are already stored (replays), and the contacts of their userIds, in ONE statement
 * (UNION ALL of the two index lookups). On PostgreSQL that is one round trip where there were two;
 * identity resolution (src/contacts/identity.ts) takes the contacts as `knownUsers`.
 *
 * The contacts of replayed calls are read too: harmless (they are only candidates for resolution)
 * and rare. Lists are one parameter each (`= ANY($n::text[])`, `json_each(?)`), so the text is constant.
 */
import { CompiledQuery } from 'kysely';
import type { ContactRow } from '../contacts/identity.js';
import type { Db, DialectName } from '../store/store.js';

const POSTGRES = `SELECT e.message_id, NULL::text AS id, NULL::text AS user_id, NULL::text AS email, NULL::text AS phone,
  NULL::text AS timezone, NULL::text AS locale, NULL::jsonb AS attributes, NULL::bigint AS created_at
FROM events e WHERE e.workspace_id = $1 AND e.message_id = ANY($2::text[])
UNION ALL
SELECT NULL, c.id, c.user_id, c.email, c.phone, c.timezone, c.locale, c.attributes, c.created_at
FROM contacts c WHERE c.workspace_id = $1 AND c.user_id = ANY($3::text[])`;

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
  const query = dialect === 'postgres'
    ? CompiledQuery.raw(POSTGRES, [workspaceId, messageIds, userIds])
    : CompiledQuery.raw(SQLITE, [workspaceId, JSON.stringify(messageIds), workspaceId, JSON.stringify(userIds)]);
  const stored = new Set<string>();
  const users: ContactRow[] = [];
  for (const row of (await trx.executeQuery<Row>(query)).rows) {
    if (row.message_id !== null) stored.add(row.message_id);
    else users.push(row as ContactRow);
  }
  return { stored, users };
}
