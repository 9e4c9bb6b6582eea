/**
 * @module Contacts export: every contact of a workspace, streamed in id order in keyset pages (never
 * all in memory), as CSV or NDJSON. `contacts import` reads both back (round trip).
 *
 * - CSV: `id,user_id,email,phone,timezone,locale,created_at,updated_at`, then one column per
 *   attribute key. A first pass over the attributes discovers the keys and their JSON types, so the
 *   header can carry the type the import needs to give each value back: `plan`, `score:number`,
 *   `vip:boolean`, and `tags:json` for objects, arrays, mixed types or empty strings. A key that
 *   would read as a field (`email`) is written `attributes.email`. Times are ISO 8601 UTC. An empty
 *   cell means the contact has no such attribute. Every cell, header included, goes through
 *   `safeCsvCell` (../core/csv.ts): text a spreadsheet would run as a formula gets a leading `'`,
 *   which the import takes off again.
 * - NDJSON: one contact per line in the API's shape (times in epoch ms); one pass.
 *
 * Both passes read one snapshot (a read-only REPEATABLE READ transaction on PostgreSQL, a deferred
 * transaction on SQLite's WAL), so a contact written during the export cannot bring a key the header
 * lacks, and writers are never blocked.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Selectable } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { ServiceDeps } from '../core/deps.js';
import { safeCsvCell } from '../core/csv.js';
import { fromJson, type Json, type JsonObject } from '../core/json.js';
import type { ContactsTable } from './tables.js';
import type { Db } from '../store/store.js';
import { toContact } from './contact.js';
import { ATTR_PREFIX, defaultTarget, splitHeader, type AttributeType } from './import-mapping.js';

export type ExportFormat = 'csv' | 'ndjson';

export interface ExportOptions {
  workspaceId: string;
  format: ExportFormat;
  out: Writable;
  pageSize?: number;
}

export const FIXED_COLUMNS = ['id', 'user_id', 'email', 'phone', 'timezone', 'locale', 'created_at', 'updated_at'];

export async function exportContacts(deps: ServiceDeps, options: ExportOptions): Promise<{ contacts: number }> {
  const pageSize = options.pageSize ?? 1000;
  return deps.store.adapter.snapshot(deps.store.db, async (db) => {
    let contacts = 0;
    if (options.format === 'ndjson') {
      for await (const rows of pages(db, options.workspaceId, pageSize)) {
        contacts += rows.length;
        await write(options.out, rows.map((r) => JSON.stringify(toContact(r)) + '\n').join(''));
      }
      return { contacts };
    }
    const columns = await discoverAttributes(db, options.workspaceId, pageSize);
    await write(options.out, stringify([[...FIXED_COLUMNS, ...columns.map((c) => c.header)].map(safeCsvCell)]));
    for await (const rows of pages(db, options.workspaceId, pageSize)) {
      contacts += rows.length;
      await write(options.out, stringify(rows.map((r) => csvRow(r, columns))));
    }
    return { contacts };
  });
}

async function* pages(db: Db, workspaceId: string, pageSize: number): AsyncGenerator<Selectable<ContactsTable>[]> {
  let after: string | undefined;
  for (;;) {
    let q = db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('erased_at', 'is', null);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(pageSize).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

interface AttributeColumn {
  key: string;
  type: AttributeType;
  header: string;
}

type Kind = 'string' | 'number' | 'boolean' | 'other';

function kindOf(value: Json): Kind {
  if (typeof value === 'string') return value === '' ? 'other' : 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'other';
}

/** First pass: every attribute key in the workspace (sorted) and the one type that reads all its values back. */
async function discoverAttributes(db: Db, workspaceId: string, pageSize: number): Promise<AttributeColumn[]> {
  const kinds = new Map<string, Set<Kind>>();
  let after: string | undefined;
  for (;;) {
    let q = db.selectFrom('contacts').select(['id', 'attributes']).where('workspace_id', '=', workspaceId).where('erased_at', 'is', null);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(pageSize).execute();
    for (const row of rows) {
      for (const [key, value] of Object.entries(fromJson<JsonObject>(row.attributes) ?? {})) {
        if (value === null) continue;
        let set = kinds.get(key);
        if (!set) kinds.set(key, (set = new Set()));
        set.add(kindOf(value));
      }
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1]!.id;
  }
  return [...kinds.keys()].sort().map((key) => {
    const set = kinds.get(key)!;
    const only = set.size === 1 ? [...set][0]! : 'other';
    const type: AttributeType = only === 'other' ? 'json' : only;
    return { key, type, header: headerFor(key, type) };
  });
}

/** The header the import maps back to attribute `key` of `type`. */
export function headerFor(key: string, type: AttributeType): string {
  const target = defaultTarget(key, undefined);
  const plain = target.kind === 'attribute' && target.name === key && splitHeader(key).type === undefined;
  const name = plain ? key : ATTR_PREFIX + key;
  return type === 'string' && splitHeader(name).type === undefined ? name : `${name}:${type}`;
}

function csvRow(row: Selectable<ContactsTable>, columns: AttributeColumn[]): string[] {
  const attrs = fromJson<JsonObject>(row.attributes) ?? {};
  const cells = [row.id, row.user_id ?? '', row.email ?? '', row.phone ?? '', row.timezone ?? '', row.locale ?? '', new Date(row.created_at).toISOString(), new Date(row.updated_at).toISOString()];
  for (const c of columns) {
    const value = Object.prototype.hasOwnProperty.call(attrs, c.key) ? attrs[c.key] : null;
    if (value === null || value === undefined) cells.push('');
    else if (c.type === 'json') cells.push(JSON.stringify(value));
    else cells.push(String(value));
  }
  return cells.map(safeCsvCell);
}

/** Writes with backpressure; rejects when the stream fails (a closed pipe, a full disk). */
async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}
