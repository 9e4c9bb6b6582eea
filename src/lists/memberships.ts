/**
 * @module List memberships: which contacts are on which list, and with what status.
 *
 * - `subscribed`: on the list and mailed. Becoming subscribed (added to a single opt-in list, or a
 *   pending member confirming) emits `list_joined`, which may start a signup journey.
 * - `pending`: added to a double opt-in list, waiting for confirmation (the email channel confirms).
 * - `unsubscribed`: left the list; kept so that re-adding in bulk cannot silently resubscribe them.
 *
 * Bulk adds are all-or-nothing: every contact id must belong to the workspace, or nothing changes.
 */
import type { Selectable } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Signal } from '../events/signals.js';
import type { Db } from '../store/store.js';
import type { ListMembershipsTable, MembershipStatus } from './tables.js';
import { inTransaction } from '../contacts/contacts.js';
import { getList, toList, type List } from './lists.js';

export interface Membership {
  listId: string;
  contactId: string;
  status: MembershipStatus;
  source: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AddMembersResult {
  /** Contacts that were not on the list before, in request order. */
  added: string[];
  /** Contacts already on the list (any status); their membership is left as it was. */
  unchanged: string[];
  status: MembershipStatus;
}

/** Bulk statements are cut into chunks this size to stay far below both drivers' parameter limits. */
const CHUNK = 500;

function toMembership(row: Selectable<ListMembershipsTable>): Membership {
  return {
    listId: row.list_id,
    contactId: row.contact_id,
    status: row.status,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export async function addMembers(
  deps: ServiceDeps,
  workspaceId: string,
  listId: string,
  input: { contactIds: string[]; status?: 'subscribed' | 'pending' | undefined; source?: string | null | undefined },
  trx?: Db,
): Promise<AddMembersResult> {
  return inTransaction(deps, trx, async (db) => {
    const list = await getList(deps, workspaceId, listId, db);
    const status = input.status ?? (list.doubleOptIn ? 'pending' : 'subscribed');
    const known = new Set<string>();
    for (const part of chunks([...new Set(input.contactIds)])) {
      const rows = await db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', part).execute();
      for (const r of rows) known.add(r.id);
    }
    const issues = input.contactIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `contactIds.${i}`, message: `no contact ${id} in this workspace` }]));
    if (issues.length > 0) throw new ValidationError(issues.slice(0, 100));

    const now = deps.clock.now();
    const added = new Set<string>();
    for (const part of chunks([...known])) {
      const rows = await db
        .insertInto('list_memberships')
        .values(part.map((contactId) => ({ list_id: listId, contact_id: contactId, workspace_id: workspaceId, status, source: input.source ?? null, created_at: now, updated_at: now })))
        .onConflict((oc) => oc.columns(['list_id', 'contact_id']).doNothing())
        .returning('contact_id')
        .execute();
      for (const r of rows) added.add(r.contact_id);
    }
    const order = [...new Set(input.contactIds)];
    if (status === 'subscribed') {
      const signals: Signal[] = order.filter((id) => added.has(id)).map((contactId) => ({ kind: 'list_joined', workspaceId, contactId, listId }));
      await deps.signals.emit(db, signals, now);
    }
    return { added: order.filter((id) => added.has(id)), unchanged: order.filter((id) => !added.has(id)), status };
  });
}

/**
 * Sets an existing member's status (confirming a double opt-in, unsubscribing, resubscribing).
 * Emits `list_joined` when the member becomes subscribed.
 */
export async function setMemberStatus(
  deps: ServiceDeps,
  workspaceId: string,
  listId: string,
  contactId: string,
  input: { status: MembershipStatus; source?: string | null | undefined },
  trx?: Db,
): Promise<Membership> {
  return inTransaction(deps, trx, async (db) => {
    const now = deps.clock.now();
    const before = await deps.store.adapter
      .lockRows(db.selectFrom('list_memberships').select('status').where('workspace_id', '=', workspaceId).where('list_id', '=', listId).where('contact_id', '=', contactId))
      .executeTakeFirst();
    if (!before) throw new NotFoundError('membership', `${listId}/${contactId}`);
    const set = input.source === undefined ? { status: input.status, updated_at: now } : { status: input.status, source: input.source, updated_at: now };
    const row = await db.updateTable('list_memberships').set(set).where('list_id', '=', listId).where('contact_id', '=', contactId).returningAll().executeTakeFirstOrThrow();
    if (input.status === 'subscribed' && before.status !== 'subscribed') {
      await deps.signals.emit(db, [{ kind: 'list_joined', workspaceId, contactId, listId }], now);
    }
    return toMembership(row);
  });
}

export async function removeMember(deps: ServiceDeps, workspaceId: string, listId: string, contactId: string): Promise<void> {
  const gone = await deps.store.db
    .deleteFrom('list_memberships')
    .where('workspace_id', '=', workspaceId)
    .where('list_id', '=', listId)
    .where('contact_id', '=', contactId)
    .returning('contact_id')
    .executeTakeFirst();
  if (!gone) throw new NotFoundError('membership', `${listId}/${contactId}`);
}

/** One page of a list's members in contact id order (`limit + 1` rows to detect more). */
export async function listMembers(
  deps: ServiceDeps,
  workspaceId: string,
  listId: string,
  page: { limit: number; afterContactId?: string | undefined; status?: MembershipStatus | undefined },
): Promise<Membership[]> {
  await getList(deps, workspaceId, listId);
  let q = deps.store.db.selectFrom('list_memberships').selectAll().where('workspace_id', '=', workspaceId).where('list_id', '=', listId);
  if (page.afterContactId !== undefined) q = q.where('contact_id', '>', page.afterContactId);
  if (page.status !== undefined) q = q.where('status', '=', page.status);
  const rows = await q
    .orderBy('contact_id')
    .limit(page.limit + 1)
    .execute();
  return rows.map(toMembership);
}

/** Every list a contact is on (any status), with the list itself. */
export async function listsOfContact(deps: ServiceDeps, workspaceId: string, contactId: string): Promise<(Membership & { list: List })[]> {
  const contact = await deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!contact) throw new NotFoundError('contact', contactId);
  const rows = await deps.store.db
    .selectFrom('list_memberships as m')
    .innerJoin('lists as l', 'l.id', 'm.list_id')
    .selectAll('m')
    .select([
      'l.id as l_id',
      'l.workspace_id as l_workspace_id',
      'l.name as l_name',
      'l.description as l_description',
      'l.double_opt_in as l_double_opt_in',
      'l.created_at as l_created_at',
      'l.updated_at as l_updated_at',
    ])
    .where('m.workspace_id', '=', workspaceId)
    .where('m.contact_id', '=', contactId)
    .orderBy('m.list_id')
    .execute();
  return rows.map((r) => ({
    ...toMembership(r),
    list: toList({
      id: r.l_id,
      workspace_id: r.l_workspace_id,
      name: r.l_name,
      description: r.l_description,
      double_opt_in: r.l_double_opt_in,
      created_at: r.l_created_at,
      updated_at: r.l_updated_at,
    }),
  }));
}
