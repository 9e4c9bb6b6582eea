/**
 * @module A scan of EVERY column of EVERY table (read from the catalog, so a table added tomorrow is
 * scanned too) for a string, case-insensitively, with each value cast to text (JSON included).
 *
 * A test kit, not a service: it reads `store.dialect` because each backend lists its columns in its
 * own catalog (information_schema vs sqlite_master) and casts to text its own way.
 */
import { sql } from 'kysely';
import type { Store } from '../store/store.js';

export interface Hit {
  table: string;
  column: string;
  rows: number;
}

async function columns(store: Store): Promise<Array<{ table: string; column: string }>> {
  if (store.dialect === 'postgres') {
    const r = await sql<{ table: string; column: string }>`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`.execute(store.db);
    return r.rows;
  }
  const r = await sql<{ table: string; column: string }>`SELECT m.name AS "table", p.name AS "column" FROM sqlite_master m, pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`.execute(store.db);
  return r.rows;
}

const q = (name: string) => sql.raw(`"${name.replace(/"/g, '""')}"`);

/** Where `needle` occurs (case-insensitively) in the database; [] when nowhere. */
export async function findInDatabase(store: Store, needle: string): Promise<Hit[]> {
  const hits: Hit[] = [];
  const lower = needle.toLowerCase();
  for (const { table, column } of await columns(store)) {
    const where = store.dialect === 'postgres' ? sql`position(${lower} in lower(${q(column)}::text)) > 0` : sql`instr(lower(CAST(${q(column)} AS TEXT)), ${lower}) > 0`;
    const r = await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${q(table)} WHERE ${where}`.execute(store.db);
    const rows = Number(r.rows[0]?.n ?? 0);
    if (rows > 0) hits.push({ table, column, rows });
  }
  return hits;
}
