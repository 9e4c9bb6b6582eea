/**
 * @module The worker's filter for archived workspaces (docs/workspaces.md): a condition true for a
 * row whose workspace is not archived, added to the claims of due sends (journey steps, broadcasts,
 * message retries), so an archived workspace's due work waits, untouched, until it is unarchived.
 *
 * A NOT EXISTS on the workspaces primary key per candidate row: the claims range-scan their due
 * indexes and stop at LIMIT, and workspaces is a small table. An archived workspace's due rows are
 * scanned and passed over on each claim (like a paused journey's runs), which is the price of
 * keeping its data as it was.
 */
import { sql, type RawBuilder } from 'kysely';

export function inActiveWorkspace(workspaceColumn: string): RawBuilder<boolean> {
  return sql<boolean>`NOT EXISTS (SELECT 1 FROM workspaces aw WHERE aw.id = ${sql.ref(workspaceColumn)} AND aw.archived_at IS NOT NULL)`;
}
