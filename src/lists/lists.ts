/**
 * @module Lists: named groups of contacts a workspace mails (a newsletter, a product-updates list).
 * A list with `doubleOptIn` adds new members as `pending` until they confirm (the email channel
 * sends the confirmation and calls `setMemberStatus`). Names are unique per workspace.
 */
import type { Selectable } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Db } from '../store/store.js';
import type { ListsTable } from './tables.js';
import { uniqueField } from '../contacts/contacts.js';

export interface List {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  doubleOptIn: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ListInput {
  name: string;
  description?: string | null | undefined;
  doubleOptIn?: boolean | undefined;
}

export function toList(row: Selectable<ListsTable>): List {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    description: row.description,
    doubleOptIn: Boolean(row.double_opt_in),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function mapNameConflict<T>(work: Promise<T>, name: string | undefined): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (uniqueField(err, { name: 'name' }) !== null) throw new ConflictError(`a list named "${name}" already exists`, 'name');
    throw err;
  }
}

export async function createList(deps: ServiceDeps, workspaceId: string, input: ListInput): Promise<List> {
  const now = deps.clock.now();
  const row = {
    id: newId('lst', now),
    workspace_id: workspaceId,
    name: input.name,
    description: input.description ?? null,
    double_opt_in: input.doubleOptIn ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  // The unique index (workspace_id, name) decides; one statement, so no transaction is needed.
  const inserted = await mapNameConflict(deps.store.db.insertInto('lists').values(row).returningAll().executeTakeFirstOrThrow(), input.name);
  return toList(inserted);
}

export async function getList(deps: ServiceDeps, workspaceId: string, listId: string, db: Db = deps.store.db): Promise<List> {
  const row = await db.selectFrom('lists').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', listId).executeTakeFirst();
  if (!row) throw new NotFoundError('list', listId);
  return toList(row);
}

/** One page of lists in id order; fetches `limit + 1` rows so the caller can tell there is more. */
export async function listLists(deps: ServiceDeps, workspaceId: string, page: { limit: number; afterId?: string | undefined }): Promise<List[]> {
  let q = deps.store.db.selectFrom('lists').selectAll().where('workspace_id', '=', workspaceId);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return rows.map(toList);
}

export async function updateList(deps: ServiceDeps, workspaceId: string, listId: string, patch: Partial<ListInput>): Promise<List> {
  const set: { name?: string; description?: string | null; double_opt_in?: number; updated_at: number } = { updated_at: deps.clock.now() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.doubleOptIn !== undefined) set.double_opt_in = patch.doubleOptIn ? 1 : 0;
  const row = await mapNameConflict(deps.store.db.updateTable('lists').set(set).where('workspace_id', '=', workspaceId).where('id', '=', listId).returningAll().executeTakeFirst(), patch.name);
  if (!row) throw new NotFoundError('list', listId);
  return toList(row);
}

/** Deletes the list and its memberships (ON DELETE CASCADE). */
export async function deleteList(deps: ServiceDeps, workspaceId: string, listId: string): Promise<void> {
  const gone = await deps.store.db.deleteFrom('lists').where('workspace_id', '=', workspaceId).where('id', '=', listId).returning('id').executeTakeFirst();
  if (!gone) throw new NotFoundError('list', listId);
}
