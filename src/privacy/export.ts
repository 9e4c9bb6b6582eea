/**
 * @module A contact's data export (GDPR Art. 15 and 20, docs/standards.md §17): everything Qatra holds about
 * one contact, as one JSON document written in chunks.
 *
 * Each section is read in keyset pages (`pageSize` rows per query, 500 by default) and written
 * as it is read, so a contact with 100,000 events costs one page of memory, not 100,000 rows. We do NOT
 * hold a transaction open while the client reads: on SQLite the store has one connection behind a
 * mutex, and a slow download would stall every other request. The document is therefore not a
 * snapshot: data written during the export may or may not appear in it.
 *
 * Keys are the API's camelCase; JSON columns are decoded; times are epoch ms. Form submissions are not
 * stored as such: a signup shows up as attributes, a list membership and consent-history rows with
 * source `form:<id>` (docs/privacy.md).
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import { toContact, type Contact } from '../contacts/contact.js';
import { suppressionsOf } from '../suppression/suppressions.js';

type Row = Record<string, unknown>;
type Key = string | number;

/** One section: a page of rows after `after` (exclusive), in key order. */
interface Section {
  name: string;
  json?: string[];
  key: string;
  /** Rows per query when not the caller's (the outbox holds whole mails). */
  pageSize?: number;
  page(db: Db, c: Contact, after: Key | undefined, limit: number): Promise<Row[]>;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
/** Columns that are bookkeeping of the runtime, not data about the person. */
const OMIT = new Set(['workspace_id', 'claimed_by', 'lease_until']);

function shape(row: Row, json: string[] = []): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (OMIT.has(k)) continue;
    out[camel(k)] = json.includes(k) ? fromJson(v) : v;
  }
  return out;
}

const SECTIONS: Section[] = [
  {
    name: 'anonymousIds',
    key: 'anonymous_id',
    page: (db, c, after, limit) => {
      let q = db.selectFrom('contact_anonymous_ids').select(['anonymous_id', 'created_at']).where('contact_id', '=', c.id);
      if (after !== undefined) q = q.where('anonymous_id', '>', String(after));
      return q.orderBy('anonymous_id').limit(limit).execute();
    },
  },
  {
    // A contact has one row per channel and topic: few, so one "page" keyed by the pair.
    name: 'consent',
    key: 'channel',
    page: async (db, c, after) =>
      after !== undefined ? [] : db.selectFrom('consents').select(['channel', 'topic', 'status', 'source', 'updated_at']).where('contact_id', '=', c.id).orderBy('channel').orderBy('topic').execute(),
  },
  {
    name: 'consentHistory',
    key: 'id',
    page: (db, c, after, limit) => {
      let q = db.selectFrom('consent_history').selectAll().where('contact_id', '=', c.id);
      if (after !== undefined) q = q.where('id', '>', Number(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
  {
    name: 'listMemberships',
    key: 'list_id',
    page: (db, c, after, limit) => {
      let q = db
        .selectFrom('list_memberships as m')
        .innerJoin('lists as l', 'l.id', 'm.list_id')
        .select(['m.list_id', 'l.name as list_name', 'm.status', 'm.source', 'm.created_at', 'm.updated_at'])
        .where('m.contact_id', '=', c.id);
      if (after !== undefined) q = q.where('m.list_id', '>', String(after));
      return q.orderBy('m.list_id').limit(limit).execute();
    },
  },
  {
    name: 'segmentMemberships',
    key: 'segment_id',
    page: (db, c, after, limit) => {
      let q = db
        .selectFrom('segment_members as m')
        .innerJoin('segments as s', 's.id', 'm.segment_id')
        .select(['m.segment_id', 's.name as segment_name', 'm.entered_at'])
        .where('m.contact_id', '=', c.id);
      if (after !== undefined) q = q.where('m.segment_id', '>', String(after));
      return q.orderBy('m.segment_id').limit(limit).execute();
    },
  },
  {
    name: 'events',
    key: 'id',
    json: ['properties', 'context'],
    page: (db, c, after, limit) => {
      let q = db.selectFrom('events').selectAll().where('contact_id', '=', c.id);
      if (after !== undefined) q = q.where('id', '>', Number(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
  {
    name: 'messages',
    key: 'id',
    json: ['links'],
    page: (db, c, after, limit) => {
      let q = db.selectFrom('messages').selectAll().where('contact_id', '=', c.id);
      if (after !== undefined) q = q.where('id', '>', String(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
  {
    name: 'outbox',
    key: 'id',
    pageSize: 50,
    json: ['headers'],
    page: (db, c, after, limit) => {
      let q = db
        .selectFrom('outbox')
        .select(['id', 'message_id', 'from_address', 'to_address', 'subject', 'text_body', 'html_body', 'headers', 'created_at'])
        .where('workspace_id', '=', c.workspaceId)
        .where('message_id', 'in', db.selectFrom('messages').select('id').where('contact_id', '=', c.id));
      if (after !== undefined) q = q.where('id', '>', Number(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
  {
    name: 'journeyRuns',
    key: 'id',
    json: ['wait_filters', 'trigger_props', 'event_props', 'data'],
    page: (db, c, after, limit) => {
      let q = db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', c.workspaceId).where('contact_id', '=', c.id);
      if (after !== undefined) q = q.where('id', '>', String(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
  {
    name: 'journeySteps',
    key: 'id',
    json: ['detail'],
    page: (db, c, after, limit) => {
      const runs = db.selectFrom('journey_runs').select('id').where('workspace_id', '=', c.workspaceId).where('contact_id', '=', c.id);
      let q = db.selectFrom('journey_steps').selectAll().where('run_id', 'in', runs);
      if (after !== undefined) q = q.where('id', '>', Number(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
  {
    name: 'deliveries',
    key: 'id',
    page: (db, c, after, limit) => {
      let q = db.selectFrom('deliveries').selectAll().where('workspace_id', '=', c.workspaceId).where('contact_id', '=', c.id);
      if (after !== undefined) q = q.where('id', '>', String(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
  {
    name: 'suppressions',
    key: 'address',
    page: async (db, c, after) => {
      if (after !== undefined) return [];
      const found = await Promise.all([c.email, c.phone].filter((a): a is string => Boolean(a)).map((a) => suppressionsOf(db, c.workspaceId, a)));
      return found.flat().map((s) => ({ address: s.address, reason: s.reason, source: s.source, detail: s.detail, created_at: s.createdAt }));
    },
  },
  {
    name: 'unsubscribeFeedback',
    key: 'id',
    page: (db, c, after, limit) => {
      let q = db.selectFrom('unsubscribe_feedback').selectAll().where('workspace_id', '=', c.workspaceId).where('contact_id', '=', c.id);
      if (after !== undefined) q = q.where('id', '>', Number(after));
      return q.orderBy('id').limit(limit).execute();
    },
  },
];

export const EXPORT_SECTIONS = SECTIONS.map((s) => s.name);

/** The contact to export (404 for an unknown or erased one), read before any byte is sent. */
export async function exportableContact(deps: ServiceDeps, workspaceId: string, contactId: string): Promise<Contact> {
  const row = await deps.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', contactId).where('erased_at', 'is', null).executeTakeFirst();
  if (!row) throw new NotFoundError('contact', contactId);
  return toContact(row);
}

/** The export document in chunks (one per page), for a stream with backpressure. */
export async function* exportChunks(deps: ServiceDeps, contact: Contact, options: { pageSize?: number } = {}): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? 500;
  const db = deps.store.db;
  yield `{"exportedAt":${deps.clock.now()},"contact":${JSON.stringify(contact)}`;
  for (const s of SECTIONS) {
    yield `,${JSON.stringify(s.name)}:[`;
    let after: Key | undefined;
    let first = true;
    const size = s.pageSize ?? pageSize;
    for (;;) {
      const rows = await s.page(db, contact, after, size);
      if (rows.length === 0) break;
      yield (first ? '' : ',') + rows.map((r) => JSON.stringify(shape(r, s.json))).join(',');
      first = false;
      after = rows[rows.length - 1]![s.key] as Key;
      if (rows.length < size) break;
    }
    yield ']';
  }
  yield '}\n';
}
