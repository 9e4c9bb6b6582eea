/**
 * @module The contacts of a list of keys (user ids, emails, anonymous ids, or contact ids a verified click
 * id named: src/browser/click-id.ts) in one workspace: the
 * lookups of identity resolution, run for every ingested group. The list is ONE parameter, so the
 * statement text is constant (a 100-value IN list made every text different, and preparing them cost
 * ~1 ms per request on SQLite).
 *
 * PostgreSQL probes each key through a LATERAL … LIMIT 1 on the workspace's unique index, a plan
 * that does not depend on statistics. `workspace_id = $1 AND user_id = ANY($2)` did: on a table not
 * analyzed yet (a fresh install, the first minute of a backfill) the planner guessed the workspace
 * matched 0.5% of the rows and read all of them through a bitmap scan. SQLite's planner takes the
 * unique index for `IN (SELECT value FROM json_each(?))` either way.
 */
import { CompiledQuery } from 'kysely';
import type { Db, DialectName } from '../store/store.js';
import type { ContactRow } from './contact.js';

export type ContactKey = 'user_id' | 'email' | 'anonymous_id' | 'id';

const COLUMNS = 'id, user_id, email, phone, timezone, locale, attributes, created_at';
const C_COLUMNS = COLUMNS.split(', ')
  .map((c) => `c.${c}`)
  .join(', ');

const POSTGRES: Record<ContactKey, string> = {
  user_id: `SELECT k.v AS key, ${C_COLUMNS} FROM unnest($2::text[]) AS k(v)
CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM contacts WHERE workspace_id = $1 AND user_id = k.v LIMIT 1) AS c`,
  email: `SELECT k.v AS key, ${C_COLUMNS} FROM unnest($2::text[]) AS k(v)
CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM contacts WHERE workspace_id = $1 AND email = k.v LIMIT 1) AS c`,
  anonymous_id: `SELECT k.v AS key, ${C_COLUMNS} FROM unnest($2::text[]) AS k(v)
CROSS JOIN LATERAL (SELECT contact_id FROM contact_anonymous_ids WHERE workspace_id = $1 AND anonymous_id = k.v LIMIT 1) AS a
CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM contacts WHERE id = a.contact_id) AS c`,
  id: `SELECT k.v AS key, ${C_COLUMNS} FROM unnest($2::text[]) AS k(v)
CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM contacts WHERE id = k.v AND workspace_id = $1 LIMIT 1) AS c`,
};

const SQLITE: Record<ContactKey, string> = {
  user_id: `SELECT user_id AS key, ${COLUMNS} FROM contacts WHERE workspace_id = ? AND user_id IN (SELECT value FROM json_each(?))`,
  email: `SELECT email AS key, ${COLUMNS} FROM contacts WHERE workspace_id = ? AND email IN (SELECT value FROM json_each(?))`,
  anonymous_id: `SELECT a.anonymous_id AS key, ${C_COLUMNS} FROM contact_anonymous_ids a JOIN contacts c ON c.id = a.contact_id
WHERE a.workspace_id = ? AND a.anonymous_id IN (SELECT value FROM json_each(?))`,
  // `+workspace_id`: the primary key, not a workspace index, finds the rows.
  id: `SELECT id AS key, ${COLUMNS} FROM contacts WHERE +workspace_id = ? AND id IN (SELECT value FROM json_each(?))`,
};

/** The workspace's contacts holding one of the values, each with the value it was found by (`key`). */
export async function contactsByKeys(trx: Db, dialect: DialectName, workspaceId: string, key: ContactKey, values: readonly string[]): Promise<(ContactRow & { key: string })[]> {
  if (values.length === 0) return [];
  return (await trx.executeQuery<ContactRow & { key: string }>(contactsByKeysQuery(dialect, workspaceId, key, values))).rows;
}

/** The statement of `contactsByKeys` (its plan is tested). */
export function contactsByKeysQuery(dialect: DialectName, workspaceId: string, key: ContactKey, values: readonly string[]): CompiledQuery {
  return dialect === 'postgres' ? CompiledQuery.raw(POSTGRES[key], [workspaceId, values]) : CompiledQuery.raw(SQLITE[key], [workspaceId, JSON.stringify(values)]);
}
