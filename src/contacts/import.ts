/**
 * @module Contacts import: rows streamed from a CSV or NDJSON file, checked one by one, and upserted
 * in batches (one transaction and one multi-row statement per batch).
 *
 * - Columns (CSV): the headers `user_id`/`userId`, `email`, `phone`, `timezone`, `locale` are fields;
 *   `id`, `created_at`, `updated_at` (our own export's columns) are skipped; `attributes.NAME` and
 *   every other header is an attribute. A header may carry a type, `score:number`; so may a flag
 *   (`types`). Types: string (default), number, boolean, date (YYYY-MM-DD kept as written, an ISO
 *   8601 instant normalized to UTC), json. An empty cell leaves the field or attribute as it was.
 * - Identity: a row matches the contact with its userId, else the one with its email (a matched
 *   contact without a userId takes the row's). Matched contacts get fields overwritten and
 *   attributes merged; others are created. A row whose email belongs to another contact fails.
 * - Phones are stored as E.164; a national number is read in the workspace's SMS default country
 *   (./phone-input.ts), and one that cannot be read fails its row.
 * - Bad rows are reported with their line in the file and skipped; the good rows of the same batch
 *   are written. Two rows for the same person in one batch are applied in file order.
 */
import type { Readable } from 'node:stream';
import { parseIsoTime } from '../core/iso-time.js';
import { sql, type Insertable, type Selectable } from 'kysely';
import readline from 'node:readline';
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';
import type { ServiceDeps } from '../core/deps.js';
import { unescapeCsvCell } from '../core/csv.js';
import { NotFoundError, ValidationError, type FieldIssue } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromJson, toJson, type Json, type JsonObject } from '../core/json.js';
import type { Signal } from '../events/signals.js';
import { addMembers } from '../lists/memberships.js';
import type { ContactsTable } from './tables.js';
import type { Db } from '../store/store.js';
import { contactCreateBody } from './schemas.js';
import { normalizeEmail } from './contact.js';
import { isValidTimeZone } from '../core/time-zone.js';
import { uniqueField } from './contacts.js';
import { phoneReader } from './phone-input.js';

export const CONTACT_FIELDS = ['userId', 'email', 'phone', 'timezone', 'locale'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'json'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export type ColumnTarget = { kind: 'field'; field: ContactField } | { kind: 'attribute'; name: string; type: AttributeType } | { kind: 'ignore' };

export interface ColumnOptions {
  /** column → `userId|email|phone|timezone|locale` or `attributes.NAME`. */
  map?: Record<string, string>;
  ignore?: string[];
  /** column → attribute type. */
  types?: Record<string, AttributeType>;
}

/** One good row, ready to upsert. `line` is where it starts in the file (1-based). */
export interface ImportRecord {
  line: number;
  userId?: string;
  email?: string;
  phone?: string;
  timezone?: string;
  locale?: string;
  attributes: JsonObject;
}

export type RowResult = { ok: true; record: ImportRecord } | { ok: false; line: number; reason: string };

const FIELD_ALIASES: Record<string, ContactField> = {
  user_id: 'userId',
  userid: 'userId',
  email: 'email',
  phone: 'phone',
  timezone: 'timezone',
  time_zone: 'timezone',
  locale: 'locale',
};
const EXPORT_ONLY = new Set(['id', 'created_at', 'updated_at', 'createdat', 'updatedat']);
export const ATTR_PREFIX = 'attributes.';

/** `score:number` → { name: 'score', type: 'number' }; a suffix that is not a type stays in the name. */
export function splitHeader(header: string): { name: string; type?: AttributeType } {
  const m = /^(.*):(string|number|boolean|date|json)$/.exec(header);
  return m ? { name: m[1]!, type: m[2] as AttributeType } : { name: header };
}

/** What a header means without flags. */
export function defaultTarget(name: string, type: AttributeType | undefined): ColumnTarget {
  if (name === '') return { kind: 'ignore' };
  if (name.startsWith(ATTR_PREFIX) && name.length > ATTR_PREFIX.length) return { kind: 'attribute', name: name.slice(ATTR_PREFIX.length), type: type ?? 'string' };
  const field = type === undefined ? FIELD_ALIASES[name.toLowerCase()] : undefined;
  if (field) return { kind: 'field', field };
  if (type === undefined && EXPORT_ONLY.has(name.toLowerCase())) return { kind: 'ignore' };
  return { kind: 'attribute', name, type: type ?? 'string' };
}

function parseTarget(to: string, type: AttributeType | undefined): ColumnTarget | null {
  if (to.startsWith(ATTR_PREFIX) && to.length > ATTR_PREFIX.length) return { kind: 'attribute', name: to.slice(ATTR_PREFIX.length), type: type ?? 'string' };
  const field = (CONTACT_FIELDS as readonly string[]).includes(to) ? (to as ContactField) : FIELD_ALIASES[to.toLowerCase()];
  return field ? { kind: 'field', field } : null;
}

/** Decides what each column of `header` becomes; throws one ValidationError listing every problem. */
export function planColumns(header: string[], options: ColumnOptions = {}): ColumnTarget[] {
  const issues: FieldIssue[] = [];
  const cols = header.map((h) => splitHeader(h.trim()));
  const targets = cols.map((c) => defaultTarget(c.name, c.type));
  const find = (col: string, flag: string): number => {
    let i = cols.findIndex((c) => c.name === col);
    if (i < 0) i = header.findIndex((h) => h.trim() === col);
    if (i < 0) issues.push({ path: flag, message: `no column "${col}" in the header (${header.join(',')})` });
    return i;
  };
  for (const [col, to] of Object.entries(options.map ?? {})) {
    const i = find(col, '--map');
    if (i < 0) continue;
    const target = parseTarget(to, cols[i]!.type);
    if (target) targets[i] = target;
    else issues.push({ path: '--map', message: `${col}=${to}: the target must be userId, email, phone, timezone, locale or attributes.NAME` });
  }
  for (const col of options.ignore ?? []) {
    const i = find(col, '--ignore');
    if (i >= 0) targets[i] = { kind: 'ignore' };
  }
  for (const [col, type] of Object.entries(options.types ?? {})) {
    const i = find(col, `--${type}`);
    const t = targets[i];
    if (t === undefined) continue;
    if (t.kind === 'attribute') targets[i] = { ...t, type };
    else issues.push({ path: `--${type}`, message: `column "${col}" is ${t.kind === 'field' ? `the ${t.field} field` : 'ignored'}, not an attribute` });
  }
  const seen = new Map<string, string>();
  targets.forEach((t, i) => {
    const key = t.kind === 'field' ? t.field : t.kind === 'attribute' ? ATTR_PREFIX + t.name : null;
    if (key === null) return;
    const other = seen.get(key);
    if (other !== undefined) issues.push({ path: 'header', message: `columns "${other}" and "${header[i]}" both map to ${key}` });
    seen.set(key, header[i]!);
  });
  if (!seen.has('userId') && !seen.has('email')) issues.push({ path: 'header', message: 'no userId or email column (name one with --map COLUMN=email)' });
  if (issues.length > 0) throw new ValidationError(issues);
  return targets;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, y: true, n: false, '1': true, '0': false };

/** A cell as an attribute value of `type`, or an error message. */
export function convertCell(raw: string, type: AttributeType): { value: Json } | { error: string } {
  const text = raw.trim();
  switch (type) {
    case 'string':
      return { value: raw };
    case 'number':
      return NUMBER.test(text) && Number.isFinite(Number(text)) ? { value: Number(text) } : { error: `${JSON.stringify(raw)} is not a number` };
    case 'boolean': {
      const b = BOOLEANS[text.toLowerCase()];
      return b === undefined ? { error: `${JSON.stringify(raw)} is not a boolean (true/false, yes/no, 1/0)` } : { value: b };
    }
    case 'date': {
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (day) {
        const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
        if (d.getUTCMonth() === Number(day[2]) - 1 && d.getUTCDate() === Number(day[3])) return { value: text };
      } else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text) && parseIsoTime(text) !== null) {
        return { value: new Date(parseIsoTime(text)!).toISOString() };
      }
      return { error: `${JSON.stringify(raw)} is not a date (YYYY-MM-DD or ISO 8601)` };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) as Json };
      } catch {
        return { error: `${JSON.stringify(raw)} is not valid JSON` };
      }
  }
}

/** Checks the fields with the API's own rules (schemas.ts), so an import accepts what the API accepts. */
export function toRecord(line: number, fields: Partial<Record<ContactField, string>>, attributes: JsonObject): RowResult {
  // Time zones are checked first so the reason names them (isValidTimeZone is cached).
  const { timezone, ...rest } = fields;
  if (timezone !== undefined && !isValidTimeZone(timezone)) {
    return { ok: false, line, reason: `invalid timezone ${JSON.stringify(timezone)}: must be an IANA time zone such as Asia/Riyadh` };
  }
  const parsed = contactCreateBody.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const value = fields[field as ContactField];
    const shown = JSON.stringify(value ?? '');
    const reason = `invalid ${field} ${shown}: ${issue.message}`;
    return { ok: false, line, reason };
  }
  const f = parsed.data;
  if (f.userId === undefined && f.email === undefined) return { ok: false, line, reason: 'no userId or email' };
  const record: ImportRecord = { line, attributes };
  if (f.userId !== undefined) record.userId = f.userId;
  if (f.email !== undefined) record.email = normalizeEmail(f.email);
  if (f.phone !== undefined) record.phone = f.phone;
  if (timezone !== undefined) record.timezone = timezone;
  if (f.locale !== undefined) record.locale = f.locale;
  return { ok: true, record };
}

export function csvRowToRecord(values: string[], targets: ColumnTarget[], line: number): RowResult {
  if (values.length !== targets.length) return { ok: false, line, reason: `expected ${targets.length} columns, got ${values.length}` };
  const fields: Partial<Record<ContactField, string>> = {};
  const attributes: JsonObject = {};
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const raw = values[i]!;
    if (t.kind === 'ignore' || raw.trim() === '') continue;
    if (t.kind === 'field') {
      fields[t.field] = raw.trim();
      continue;
    }
    const cell = convertCell(raw, t.type);
    if ('error' in cell) return { ok: false, line, reason: `${t.name}: ${cell.error}` };
    setKey(attributes, t.name, cell.value);
  }
  return toRecord(line, fields, attributes);
}

/**
 * Streams a CSV: the first non-empty record is the header. Line numbers are tracked in parse order
 * (`on_record` and `skip` run synchronously while parsing), since the consumer may lag behind.
 */
export async function* readCsv(input: Readable, options: ColumnOptions = {}): AsyncGenerator<RowResult> {
  let prevEnd = 0;
  const skipped: RowResult[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_record: (values: string[], ctx: InfoRecord) => {
      const line = prevEnd + 1;
      prevEnd = ctx.lines;
      // Empty lines are skipped here rather than by csv-parse so that every line passes through.
      return values.length === 1 && values[0] === '' ? null : { values, line };
    },
  } as Options);
  parser.on('skip', (err: CsvError & { lines?: number }) => {
    skipped.push({ ok: false, line: prevEnd + 1, reason: `malformed CSV: ${err.message.split(/ at line \d+/)[0]!.toLowerCase()}` });
    prevEnd = err.lines ?? prevEnd + 1;
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let targets: ColumnTarget[] | null = null;
  for await (const row of parser as AsyncIterable<{ values: string[]; line: number }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    // Our export escapes formula-like cells (../core/csv.ts); taking the escape off keeps the round trip.
    const values = row.values.map(unescapeCsvCell);
    if (targets === null) targets = planColumns(values, options);
    else yield csvRowToRecord(values, targets, row.line);
  }
  while (skipped.length > 0) yield skipped.shift()!;
  if (targets === null) throw ValidationError.at('header', 'the file is empty: the first line must name the columns');
}

/** Streams NDJSON: one contact object per line, in the shape `contacts export --format ndjson` writes. */
export async function* readNdjson(input: Readable): AsyncGenerator<RowResult> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (let text of lines) {
    line++;
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    if (text.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      yield { ok: false, line, reason: 'not valid JSON' };
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      yield { ok: false, line, reason: 'expected a JSON object' };
      continue;
    }
    const o = obj as Record<string, unknown>;
    const fields: Partial<Record<ContactField, string>> = {};
    let bad: string | null = null;
    for (const field of CONTACT_FIELDS) {
      const value = field === 'userId' ? (o.userId ?? o.user_id) : o[field];
      if (value === undefined || value === null || value === '') continue;
      if (typeof value === 'string') fields[field] = value;
      else bad ??= `${field} must be a string`;
    }
    const attrs = o.attributes ?? {};
    if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) bad ??= 'attributes must be an object';
    if (bad !== null) {
      yield { ok: false, line, reason: bad };
      continue;
    }
    const attributes: JsonObject = {};
    for (const [k, v] of Object.entries(attrs as JsonObject)) if (v !== null) setKey(attributes, k, v);
    yield toRecord(line, fields, attributes);
  }
}

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

// ---- writing ------------------------------------------------------------------------------------

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

/** Rows per INSERT statement: 10 parameters each stays far below SQLite's and pg's limits. */
const STATEMENT_ROWS = 1000;

/** Sets a key even when it is `__proto__`, which plain assignment would treat as the prototype. */
export function setKey(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

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
    const { attributes, ...rest } = row;
    index({ row: rest, attrs: fromJson<JsonObject>(attributes) ?? {}, isNew: false, changed: new Set() });
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
      .values(dirty.slice(i, i + STATEMENT_ROWS).map((w) => ({ ...w.row, attributes: toJson(w.attrs) })))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          user_id: eb.ref('excluded.user_id'),
          email: eb.ref('excluded.email'),
          phone: eb.ref('excluded.phone'),
          timezone: eb.ref('excluded.timezone'),
          locale: eb.ref('excluded.locale'),
          attributes: eb.ref('excluded.attributes') as never,
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
