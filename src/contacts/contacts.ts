/**
 * @module Contacts service for the management API and other domains: create, read, patch, delete and
 * list contacts of one workspace. Every change emits its signal inside the changing transaction.
 *
 * Uniqueness: userId and (normalized) email are unique per workspace. We check first to answer with
 * the field path; the unique indexes catch the race two concurrent writers would otherwise win, and
 * `uniqueField` maps that error to the same ConflictError.
 */
import { sql } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { toJson, type Json, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';
import { normalizeEmail, toContact, type Contact } from './contact.js';
import { emailKey } from '../core/email-address.js';
import { contactCreateBody, contactPatchBody, type ContactCreateInput, type ContactPatchInput } from './schemas.js';
import { parseOrThrow } from '../core/parse.js';
import { phoneReader, readPhoneOrThrow } from './phone-input.js';

export interface ContactFilter {
  limit: number;
  /** Exclusive lower bound on id (from the cursor). */
  afterId?: string | undefined;
  email?: string | undefined;
  userId?: string | undefined;
  listId?: string | undefined;
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
  attributes?: Record<string, string>;
}

/** Runs `fn` in the caller's transaction when given one, else in a new one. */
export function inTransaction<T>(deps: ServiceDeps, trx: Db | undefined, fn: (trx: Db) => Promise<T>): Promise<T> {
  return trx ? fn(trx) : deps.store.transaction(fn);
}

/** The API field a unique-index violation is about, or null when `err` is not one. */
export function uniqueField(err: unknown, columns: Record<string, string>): string | null {
  const e = err as { code?: string; message?: string; detail?: string; constraint?: string };
  const unique = e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
  if (!unique) return null;
  const text = `${e.constraint ?? ''} ${e.detail ?? ''} ${e.message ?? ''}`;
  for (const [column, field] of Object.entries(columns)) if (text.includes(column)) return field;
  return '';
}

const CONTACT_UNIQUE = { user_id: 'userId', email: 'email' };

function withoutNulls(attrs: Record<string, Json> | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== null) out[k] = v;
  return out;
}

async function assertUnique(trx: Db, workspaceId: string, values: { userId?: string | null; email?: string | null }, exceptId?: string) {
  for (const [field, column, value] of [
    ['userId', 'user_id', values.userId],
    ['email', 'email', values.email],
  ] as const) {
    if (value === undefined || value === null) continue;
    let q = trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where(column, '=', value);
    if (exceptId) q = q.where('id', '!=', exceptId);
    const clash = await q.executeTakeFirst();
    if (clash) throw new ConflictError(`contact ${clash.id} already has this ${field}`, field);
  }
}

function hasIdentifier(c: { userId?: string | null; email?: string | null; phone?: string | null }): boolean {
  return Boolean(c.userId || c.email || c.phone);
}

async function mapUnique<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const field = uniqueField(err, CONTACT_UNIQUE);
    if (field !== null) throw new ConflictError(`another contact already has this ${field || 'value'}`, field);
    throw err;
  }
}

export async function createContact(deps: ServiceDeps, workspaceId: string, input: ContactCreateInput, trx?: Db): Promise<Contact> {
  const body = parseOrThrow(contactCreateBody, input);
  if (!hasIdentifier(body)) throw ValidationError.at('', 'a contact needs at least one of userId, email or phone');
  if (body.phone !== undefined) body.phone = await readPhoneOrThrow(phoneReader(trx ?? deps.store.db, workspaceId), body.phone, 'phone');
  const now = deps.clock.now();
  const row = {
    id: newId('ct', now),
    workspace_id: workspaceId,
    user_id: body.userId ?? null,
    email: body.email === undefined ? null : normalizeEmail(body.email),
    phone: body.phone ?? null,
    timezone: body.timezone ?? null,
    locale: body.locale ?? null,
    attributes: toJson(withoutNulls(body.attributes)),
    postal_address: body.address === undefined ? null : toJson(body.address),
    created_at: now,
    updated_at: now,
  };
  return mapUnique(
    inTransaction(deps, trx, async (db) => {
      await assertUnique(db, workspaceId, { userId: row.user_id, email: row.email });
      const inserted = await db.insertInto('contacts').values(row).returningAll().executeTakeFirstOrThrow();
      await deps.signals.emit(db, [{ kind: 'contact_created', workspaceId, contactId: row.id }], now);
      return toContact(inserted);
    }),
  );
}

export async function getContact(deps: ServiceDeps, workspaceId: string, contactId: string, db: Db = deps.store.db): Promise<Contact> {
  // An erased contact's anonymised row (src/privacy/erase.ts) is no longer a contact to the API.
  const row = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', contactId).where('erased_at', 'is', null).executeTakeFirst();
  if (!row) throw new NotFoundError('contact', contactId);
  return toContact(row);
}

/** Partial update: omitted fields stay, `null` clears; attributes merge shallowly (`null` removes one). */
export async function updateContact(deps: ServiceDeps, workspaceId: string, contactId: string, input: ContactPatchInput, trx?: Db): Promise<Contact> {
  const patch = parseOrThrow(contactPatchBody, input);
  if (typeof patch.phone === 'string') patch.phone = await readPhoneOrThrow(phoneReader(trx ?? deps.store.db, workspaceId), patch.phone, 'phone');
  return mapUnique(
    inTransaction(deps, trx, async (db) => {
      // Lock the row so two concurrent attribute merges cannot lose each other's keys.
      const row = await deps.store.adapter
        .lockRows(db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', contactId).where('erased_at', 'is', null))
        .executeTakeFirst();
      if (!row) throw new NotFoundError('contact', contactId);
      const before = toContact(row);
      const next = {
        userId: patch.userId === undefined ? before.userId : patch.userId,
        email: patch.email === undefined ? before.email : patch.email === null ? null : normalizeEmail(patch.email),
        phone: patch.phone === undefined ? before.phone : patch.phone,
        timezone: patch.timezone === undefined ? before.timezone : patch.timezone,
        locale: patch.locale === undefined ? before.locale : patch.locale,
      };
      if (!hasIdentifier(next)) throw ValidationError.at('', 'a contact needs at least one of userId, email or phone');
      const changed: string[] = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== before[k]);
      const address = patch.address === undefined ? (before.address ?? null) : patch.address;
      if (toJson(address) !== toJson(before.address ?? null)) changed.push('address');
      const attrs: JsonObject = { ...before.attributes };
      for (const [name, value] of Object.entries(patch.attributes ?? {})) {
        const had = Object.prototype.hasOwnProperty.call(attrs, name);
        if (value === null) {
          if (had) {
            delete attrs[name];
            changed.push(`attributes.${name}`);
          }
        } else if (!had || toJson(attrs[name]) !== toJson(value)) {
          attrs[name] = value;
          changed.push(`attributes.${name}`);
        }
      }
      if (changed.length === 0) return before;
      await assertUnique(db, workspaceId, { userId: changed.includes('userId') ? next.userId : null, email: changed.includes('email') ? next.email : null }, contactId);
      const now = deps.clock.now();
      const updated = await db
        .updateTable('contacts')
        .set({
          user_id: next.userId,
          email: next.email,
          phone: next.phone,
          timezone: next.timezone,
          locale: next.locale,
          attributes: toJson(attrs),
          postal_address: address === null ? null : toJson(address),
          updated_at: now,
        })
        .where('id', '=', contactId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await deps.signals.emit(db, [{ kind: 'contact_updated', workspaceId, contactId, changed }], now);
      return toContact(updated);
    }),
  );
}

/** Deletes the contact; memberships, consent and anonymous ids go with it (ON DELETE CASCADE). */
export async function deleteContact(deps: ServiceDeps, workspaceId: string, contactId: string, trx?: Db): Promise<void> {
  await inTransaction(deps, trx, async (db) => {
    const gone = await db.deleteFrom('contacts').where('workspace_id', '=', workspaceId).where('id', '=', contactId).returning('id').executeTakeFirst();
    if (!gone) throw new NotFoundError('contact', contactId);
    await deps.signals.emit(db, [{ kind: 'contact_deleted', workspaceId, contactId }], deps.clock.now());
  });
}

/** One page of contacts in id order (ids sort by creation time), `limit + 1` rows to detect more. */
export async function listContacts(deps: ServiceDeps, workspaceId: string, filter: ContactFilter): Promise<Contact[]> {
  const db = deps.store.db;
  if (filter.listId !== undefined) {
    const list = await db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('id', '=', filter.listId).executeTakeFirst();
    if (!list) throw new NotFoundError('list', filter.listId);
  }
  let q = db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('erased_at', 'is', null);
  if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
  // A filter may look for a legacy value that does not parse: emailKey falls back to lower case.
  if (filter.email !== undefined) q = q.where('email', '=', emailKey(filter.email));
  if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
  if (filter.createdAfter !== undefined) q = q.where('created_at', '>=', filter.createdAfter);
  if (filter.createdBefore !== undefined) q = q.where('created_at', '<', filter.createdBefore);
  if (filter.listId !== undefined) {
    const listId = filter.listId;
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('list_memberships as m').select('m.contact_id').whereRef('m.contact_id', '=', 'contacts.id').where('m.list_id', '=', listId)));
  }
  for (const [name, value] of Object.entries(filter.attributes ?? {})) {
    // Scalars compare as their text, booleans as 'true'/'false' on both backends.
    q = q.where(sql<boolean>`${deps.store.adapter.jsonText('attributes', name)} = ${value}`);
  }
  const rows = await q
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
  return rows.map(toContact);
}
