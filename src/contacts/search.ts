/**
 * @module Contact search (GET /api/contacts/search): words of a query that must each appear in the
 * contact's name, email, user id or phone (contacts.search_text, migrations/000040.sql), plus
 * attribute, list and saved-segment filters; pages in id order (keyset) with the total count.
 *
 * Plans (100,000 contacts; `npm run bench -- contacts-search`, docs/web.md): PostgreSQL answers the
 * words from the trigram GIN index (bitmap scan, then a sort of the matches); SQLite scans
 * contacts_search (workspace_id, id, search_text) in id order from the cursor and tests the text in
 * the index, so a page stops after `limit + 1` matches and the count never reads the table.
 */
import { CompiledQuery, sql, type Compilable, type SelectQueryBuilder } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import type { Database } from '../store/schema.js';
import { toContact, type Contact } from './contact.js';
import { containsPattern, searchWords } from './search-text.js';

export interface ContactSearch {
  q?: string | undefined;
  attributes?: Record<string, string>;
  listId?: string | undefined;
  segmentId?: string | undefined;
  limit: number;
  afterId?: string | undefined;
}

export interface ContactSearchResult {
  /** `limit + 1` rows at most: the extra one tells that there is a next page. */
  rows: Contact[];
  total: number;
}

type ContactsQuery = SelectQueryBuilder<Database, 'contacts', object>;

function filtered(deps: ServiceDeps, workspaceId: string, search: ContactSearch): ContactsQuery {
  let q: ContactsQuery = deps.store.db.selectFrom('contacts').where('workspace_id', '=', workspaceId).where('erased_at', 'is', null);
  for (const word of searchWords(search.q ?? '')) {
    q = q.where(sql<boolean>`search_text LIKE ${containsPattern(word)} ESCAPE '\\'`);
  }
  for (const [name, value] of Object.entries(search.attributes ?? {})) {
    q = q.where(sql<boolean>`${deps.store.adapter.jsonText('attributes', name)} = ${value}`);
  }
  const { listId, segmentId } = search;
  if (listId !== undefined) {
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('list_memberships as m').select('m.contact_id').whereRef('m.contact_id', '=', 'contacts.id').where('m.list_id', '=', listId)));
  }
  if (segmentId !== undefined) {
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('segment_members as s').select('s.contact_id').whereRef('s.contact_id', '=', 'contacts.id').where('s.segment_id', '=', segmentId)));
  }
  return q;
}

async function assertOwned(deps: ServiceDeps, workspaceId: string, search: ContactSearch): Promise<void> {
  const db = deps.store.db;
  if (search.listId !== undefined) {
    const list = await db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('id', '=', search.listId).executeTakeFirst();
    if (!list) throw new NotFoundError('list', search.listId);
  }
  if (search.segmentId !== undefined) {
    const seg = await db.selectFrom('segments').select('id').where('workspace_id', '=', workspaceId).where('id', '=', search.segmentId).executeTakeFirst();
    if (!seg) throw new NotFoundError('segment', search.segmentId);
  }
}

/**
 * Runs a query over contacts; on SQLite through contacts_search by name (INDEXED BY), because the
 * planner otherwise scans the table and computes the virtual search_text of every row (migration
 * 000040: 6-8 s against 0.3 s for a count at 100,000 contacts on the busy shared machine).
 */
async function run<R>(deps: ServiceDeps, query: Compilable<R>): Promise<R[]> {
  const compiled = query.compile();
  if (deps.store.dialect !== 'sqlite') return (await deps.store.db.executeQuery(compiled)).rows;
  const text = compiled.sql.replace(/^select (.*?) from "contacts" where /, 'select $1 from "contacts" INDEXED BY contacts_search where ');
  if (text === compiled.sql) throw new Error('contact search: unexpected query shape');
  return (await deps.store.db.executeQuery(CompiledQuery.raw(text, [...compiled.parameters]))).rows as R[];
}

/** One page of matching contacts in id order and how many match in all. */
export async function searchContacts(deps: ServiceDeps, workspaceId: string, search: ContactSearch): Promise<ContactSearchResult> {
  await assertOwned(deps, workspaceId, search);
  const base = filtered(deps, workspaceId, search);
  let page = base.selectAll();
  if (search.afterId !== undefined) page = page.where('id', '>', search.afterId);
  const [rows, count] = await Promise.all([run(deps, page.orderBy('id').limit(search.limit + 1)), run(deps, base.select(sql<number | string>`count(*)`.as('n')))]);
  return { rows: rows.map(toContact), total: Number(count[0]?.n ?? 0) };
}
