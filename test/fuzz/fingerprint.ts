/**
 * @module A fingerprint of everything a database holds: every table's rows, hashed. Two equal
 * fingerprints mean no request in between stored, changed or deleted anything; the fuzz tests take
 * one before and after each rejected request.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.js';

/** Tables that change without any request (bookkeeping of the migrator). */
const IGNORED = new Set(['qatra_migrations', 'sqlite_sequence']);
/**
 * Columns any authenticated request may write, refused or not: when a key was last used
 * (src/keys/keys.ts, at most once a minute). A record of the caller, not a change it made.
 */
const IGNORED_COLUMNS: Record<string, string[]> = { api_keys: ['last_used_at'] };

export async function tableNames(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(store.db)
      : await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`.execute(store.db);
  return rows.rows.map((r) => r.name).filter((n) => !IGNORED.has(n));
}

export interface Fingerprint {
  hash: string;
  /** Row count per table, to say what changed when two fingerprints differ. */
  counts: Record<string, number>;
}

export async function fingerprint(store: Store, tables: string[]): Promise<Fingerprint> {
  const h = createHash('sha256');
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t)}`.execute(store.db);
    // Row order is not guaranteed without ORDER BY: hash each row, then the sorted row hashes.
    const skip = IGNORED_COLUMNS[t] ?? [];
    const each = rows.rows
      .map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !skip.includes(k))))
      .map((r) =>
        createHash('sha1')
          .update(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
          .digest('hex'),
      )
      .sort();
    h.update(`${t}:${each.join(',')};`);
    counts[t] = rows.rows.length;
  }
  return { hash: h.digest('hex'), counts };
}
