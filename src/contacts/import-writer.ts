/**
 * @module Contacts import, the writer: checked records upserted in batches (one transaction and one
 * multi-row statement per batch), for `qatra contacts import` and the web app's import jobs
 * (./import-jobs.ts).
 *
 * - Identity: a row matches the contact with its userId, else the one with its email (a matched
 *   contact without a userId takes the row's). Matched contacts get fields overwritten and
 *   attributes merged; others are created. A row whose email belongs to another contact fails.
 * - Phones are stored as E.164; a national number is read in the workspace's SMS default country
 *   (./phone-input.ts), and one that cannot be read fails its row.
 * - Bad rows are reported with their line in the file and skipped; the good rows of the same batch
 *   are written. Two rows for the same person in one batch are applied in file order.
 *
 * Reads `store.dialect` for one thing: ANALYZE on PostgreSQL as the import grows the table
 * (keepStatistics: a 500-key lookup took 124 ms with stale statistics, 5.8 ms after).
 */
import { sql, type Insertable, type Selectable } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Signal } from '../events/signals.js';
import { addMembers } from '../lists/memberships.js';
import type { ContactsTable } from './tables.js';
import type { Db } from '../store/store.js';
import { uniqueField } from './contacts.js';
import { phoneReader } from './phone-input.js';
import { CONTACT_FIELDS, type ContactField, type ImportRecord, type RowResult, setKey } from './import-mapping.js';

/** `--list` takes an id or a name. */
export async function resolveList(deps: ServiceDeps, workspaceId: string, idOrName: string): Promise<string> {
  const row = await deps.store.db
    .selectFrom('lists')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy('id')
    .executeTakeFirst();
  if (!row) throw new NotFoundError('list', idOrName);
  return row.id;
}

export interface ImportStats {
  /** Rows read (good and bad). */
  rows: number;
  /** Rows that created a contact. */
  created: number;
  /** Rows that changed a contact that already existed (or was created earlier in the file). */
  updated: number;
  /** Rows that matched a contact and changed nothing. */
  unchanged: number;
  failed: number;
}

export interface ImportOptions {
  workspaceId: string;
  rows: AsyncIterable<RowResult>;
  /** Rows per transaction (default 500): one commit, one lookup per key column and one upsert each. */
  batchSize?: number;
  /** Adds every imported contact to this list as `subscribed` (existing memberships are left alone). */
  listId?: string | undefined;
  onFailure(line: number, reason: string): void;
  /** Called after each committed batch. */
  onProgress?(stats: ImportStats): void;
}

export async function importContacts(deps: ServiceDeps, options: ImportOptions): Promise<ImportStats> {
  const stats: ImportStats = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  const size = options.batchSize ?? 500;
  let batch: ImportRecord[] = [];
  const statistics = await keepStatistics(deps);
  const flush = async () => {
    if (batch.length === 0) return;
    const outcome = await writeBatchOrRows(deps, options.workspaceId, batch, options.listId);
    await statistics(outcome.created);
    stats.created += outcome.created;
    stats.updated += outcome.updated;
    stats.unchanged += outcome.unchanged;
    stats.failed += outcome.failures.length;
    for (const f of outcome.failures) options.onFailure(f.line, f.reason);
    batch = [];
    options.onProgress?.(stats);
  };
  const readPhone = phoneReader(deps.store.db, options.workspaceId);
  for await (const row of options.rows) {
    stats.rows++;
    const phone = row.ok && row.record.phone !== undefined ? await readPhone(row.record.phone) : null;
    if (row.ok && phone !== null && !phone.ok) {
      stats.failed++;
      options.onFailure(row.record.line, `invalid phone ${JSON.stringify(row.record.phone)}: ${phone.reason}`);
    } else if (row.ok) {
      if (phone?.ok) row.record.phone = phone.e164;
      batch.push(row.record);
    } else {
      stats.failed++;
      options.onFailure(row.line, row.reason);
    }
    if (batch.length >= size) await flush();
  }
  await flush();
  return stats;
}

/**
 * PostgreSQL plans each batch's lookups from the table's statistics. While an import grows the table
 * from empty they are stale, the planner scans the whole workspace for every batch, and the import
 * turns quadratic (EXPLAIN ANALYZE of one 500-key lookup at 100,000 contacts: 124 ms with stale
 * statistics, 5.8 ms after ANALYZE). So, as PostgreSQL advises after bulk loads, we ANALYZE whenever
 * the import has doubled the table: about log2(n) times.
 */
async function keepStatistics(deps: ServiceDeps): Promise<(created: number) => Promise<void>> {
  if (deps.store.dialect !== 'postgres') return async () => {};
  const stats = await sql<{ n: number }>`SELECT GREATEST(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = 'contacts'::regclass`.execute(deps.store.db);
  let known = Number(stats.rows[0]?.n ?? 0);
  let since = 0;
  return async (created) => {
    since += created;
    if (since < Math.max(1000, known)) return;
    await sql`ANALYZE contacts`.execute(deps.store.db);
    known += since;
    since = 0;
  };
}

interface Outcome {
  created: number;
  updated: number;
  unchanged: number;
  failures: { line: number; reason: string }[];
}

/** A contact as the batch is building it: the stored row (or a new one) plus what the rows changed. */
interface Working {
  row: Omit<Insertable<ContactsTable>, 'attributes'> & { user_id: string | null; email: string | null };
  attrs: JsonObject;
  /** The postal address as JSON text (null: none). */
  address: string | null;
  isNew: boolean;
  changed: Set<string>;
}

const COLUMN: Record<ContactField, 'user_id' | 'email' | 'phone' | 'timezone' | 'locale'> = {
  userId: 'user_id',
  email: 'email',
  phone: 'phone',
  timezone: 'timezone',
  locale: 'locale',
};

/** Rows per INSERT statement: 11 parameters each stays far below SQLite's and pg's limits. */
const STATEMENT_ROWS = 1000;

/**
 * Writes one batch in one transaction. If a unique index still refuses it (another process took
 * an email meanwhile, or two rows swap emails), the batch is retried row by row so that only the
 * rows in conflict fail.
 */
async function writeBatchOrRows(deps: ServiceDeps, workspaceId: string, records: ImportRecord[], listId: string | undefined): Promise<Outcome> {
  try {
    return await deps.store.transaction((trx) => writeBatch(deps, trx, workspaceId, records, listId));
  } catch (err) {
    if (uniqueField(err, {}) === null) throw err;
  }
  const total: Outcome = { created: 0, updated: 0, unchanged: 0, failures: [] };
  for (const record of records) {
    try {
      const one = await deps.store.transaction((trx) => writeBatch(deps, trx, workspaceId, [record], listId));
      total.created += one.created;
      total.updated += one.updated;
      total.unchanged += one.unchanged;
      total.failures.push(...one.failures);
    } catch (err) {
      if (uniqueField(err, {}) === null) throw err;
      total.failures.push({ line: record.line, reason: 'its userId or email was taken by another contact during the import' });
    }
  }
  return total;
}

async function loadExisting(deps: ServiceDeps, trx: Db, workspaceId: string, records: ImportRecord[]): Promise<Selectable<ContactsTable>[]> {
  const byId = new Map<string, Selectable<ContactsTable>>();
  const keys = { user_id: new Set<string>(), email: new Set<string>() };
  for (const r of records) {
    if (r.userId !== undefined) keys.user_id.add(r.userId);
    if (r.email !== undefined) keys.email.add(r.email);
  }
  for (const column of ['user_id', 'email'] as const) {
    if (keys[column].size === 0) continue;
    // Lock the matched rows so a concurrent writer cannot lose our attribute merge.
    const q = deps.store.adapter.lockRows(
      trx
        .selectFrom('contacts')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(column, 'in', [...keys[column]]),
    );
    for (const row of await q.execute()) byId.set(row.id, row);
  }
  return [...byId.values()];
}

/** Applies one row to a contact; true when something changed. */
function apply(target: Working, record: ImportRecord, byUser: Map<string, Working>, byEmail: Map<string, Working>): boolean {
  let changed = false;
  for (const field of CONTACT_FIELDS) {
    const value = record[field];
    const column = COLUMN[field];
    if (value === undefined || target.row[column] === value) continue;
    if (field === 'email') {
      if (target.row.email !== null) byEmail.delete(target.row.email);
      byEmail.set(value, target);
    }
    if (field === 'userId') byUser.set(value, target);
    target.row[column] = value;
    target.changed.add(field);
    changed = true;
  }
  for (const [key, value] of Object.entries(record.attributes)) {
    if (Object.prototype.hasOwnProperty.call(target.attrs, key) && toJson(target.attrs[key]) === toJson(value)) continue;
    setKey(target.attrs, key, value);
    target.changed.add(`attributes.${key}`);
    changed = true;
  }
  if (record.address !== undefined && toJson(record.address) !== target.address) {
    target.address = toJson(record.address);
    target.changed.add('address');
    changed = true;
  }
  return changed;
}

async function writeBatch(deps: ServiceDeps, trx: Db, workspaceId: string, records: ImportRecord[], listId: string | undefined): Promise<Outcome> {
  const now = deps.clock.now();
  const out: Outcome = { created: 0, updated: 0, unchanged: 0, failures: [] };
  const byUser = new Map<string, Working>();
  const byEmail = new Map<string, Working>();
  const touched = new Map<string, Working>();
  const index = (w: Working) => {
    if (w.row.user_id !== null) byUser.set(w.row.user_id, w);
    if (w.row.email !== null) byEmail.set(w.row.email, w);
  };
  for (const row of await loadExisting(deps, trx, workspaceId, records)) {
    const { attributes, postal_address, ...rest } = row;
    const address = fromJson(postal_address) ?? null;
    index({ row: rest, attrs: fromJson<JsonObject>(attributes) ?? {}, address: address === null ? null : toJson(address), isNew: false, changed: new Set() });
  }
  for (const record of records) {
    let target = record.userId !== undefined ? byUser.get(record.userId) : undefined;
    const holder = record.email !== undefined ? byEmail.get(record.email) : undefined;
    if (target === undefined && holder !== undefined) {
      // Matching by email: a contact that already has another userId is someone else.
      if (record.userId === undefined || holder.row.user_id === null) target = holder;
    }
    if (holder !== undefined && holder !== target) {
      const who = holder.row.user_id === null ? '' : ` (userId "${holder.row.user_id}")`;
      out.failures.push({ line: record.line, reason: `email "${record.email}" belongs to another contact${who}` });
      continue;
    }
    if (target === undefined) {
      const id = newId('ct', now);
      const w: Working = {
        row: {
          id,
          workspace_id: workspaceId,
          user_id: record.userId ?? null,
          email: record.email ?? null,
          phone: record.phone ?? null,
          timezone: record.timezone ?? null,
          locale: record.locale ?? null,
          created_at: now,
          updated_at: now,
        },
        attrs: record.attributes,
        address: record.address === undefined ? null : toJson(record.address),
        isNew: true,
        changed: new Set(),
      };
      index(w);
      touched.set(id, w);
      out.created++;
      continue;
    }
    touched.set(target.row.id, target);
    if (apply(target, record, byUser, byEmail)) {
      target.row.updated_at = now;
      out.updated++;
    } else out.unchanged++;
  }

  const dirty = [...touched.values()].filter((w) => w.isNew || w.changed.size > 0);
  for (let i = 0; i < dirty.length; i += STATEMENT_ROWS) {
    // One multi-row upsert per chunk: new contacts are inserted, changed ones overwritten with the
    // merged state computed above (their rows are locked, so nothing else changed them meanwhile).
    await trx
      .insertInto('contacts')
      .values(
        // `search_text` is generated by the database (migration 000040): a row read back with selectAll
        // carries it, and writing it is refused, so it is left out of what is written.
        dirty.slice(i, i + STATEMENT_ROWS).map((w) => {
          const { search_text: _generated, ...row } = w.row as typeof w.row & { search_text?: unknown };
          return { ...row, attributes: toJson(w.attrs), postal_address: w.address };
        }),
      )
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          user_id: eb.ref('excluded.user_id'),
          email: eb.ref('excluded.email'),
          phone: eb.ref('excluded.phone'),
          timezone: eb.ref('excluded.timezone'),
          locale: eb.ref('excluded.locale'),
          attributes: eb.ref('excluded.attributes') as never,
          postal_address: eb.ref('excluded.postal_address') as never,
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  const signals: Signal[] = dirty.map((w) =>
    w.isNew ? { kind: 'contact_created', workspaceId, contactId: w.row.id } : { kind: 'contact_updated', workspaceId, contactId: w.row.id, changed: [...w.changed] },
  );
  await deps.signals.emit(trx, signals, now);
  if (listId !== undefined && touched.size > 0) {
    await addMembers(deps, workspaceId, listId, { contactIds: [...touched.keys()], status: 'subscribed', source: 'import' }, trx);
  }
  return out;
}
