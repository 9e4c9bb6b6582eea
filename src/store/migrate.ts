/**
 * @module Forward-only numbered SQL migrations (`migrations/000001.sql`, …), one set for both
 * backends. Each is applied in one transaction that first inserts its own row into
 * `qatra_migrations`, so two migrators racing cannot both apply it (the loser's insert conflicts
 * and its transaction rolls back). The adapter's migration lock also serialises migrators (an
 * advisory lock on PostgreSQL; BEGIN IMMEDIATE already does it on SQLite).
 *
 * A file whose first line is `--@nontransactional` is applied on PostgreSQL outside a transaction,
 * statement by statement, for what cannot run inside one (`CREATE INDEX CONCURRENTLY`: an index on a
 * big table built without stopping its writers, docs/scaling.md): under the same lock held by the
 * session, its row written after its last statement, so a migrator that dies midway applies the
 * whole file again; its statements must therefore be idempotent (`IF NOT EXISTS`), and an index a
 * failed concurrent build left INVALID (which `IF NOT EXISTS` would keep) is dropped concurrently
 * first. On SQLite such a file runs in one transaction like any other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db, DialectName, Store } from './store.js';
import { ConflictError } from '../core/errors.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

const MACROS: Record<DialectName, Record<string, string>> = {
  postgres: { json: 'jsonb', serial: 'bigserial PRIMARY KEY' },
  sqlite: { json: 'text', serial: 'integer PRIMARY KEY AUTOINCREMENT' },
};

export function renderMigration(text: string, dialect: DialectName): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = MACROS[dialect][name];
    if (value === undefined) throw new Error(`unknown migration macro {{${name}}}`);
    return value;
  });
}

export interface MigrationFile {
  id: number;
  name: string;
  sql: string;
}

const NON_TRANSACTIONAL = /^\s*--@nontransactional\s*\n/;

/** The name of the index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] <name>` builds, or null. */
export function concurrentIndexName(statement: string): string | null {
  return /^create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?"?(\w+)"?\s/i.exec(statement.trim())?.[1] ?? null;
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{6}\.sql$/.test(f))
    .sort()
    .map((f) => ({ id: Number(f.slice(0, 6)), name: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/**
 * Splits a migration into statements (our migrations keep `;` out of literals). A block between a
 * line `--@postgres` (or `--@sqlite`) and a line `--@end` is ONE statement sent as it is, and only to
 * that backend: for what has no portable spelling, such as triggers, whose bodies hold `;`.
 */
export function statements(text: string, dialect: DialectName): string[] {
  const out: string[] = [];
  let plain: string[] = [];
  let block: { dialect: string; lines: string[] } | null = null;
  const flush = () => {
    out.push(
      ...plain
        .filter((line) => !line.trimStart().startsWith('--'))
        .join('\n')
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    plain = [];
  };
  for (const line of text.split('\n')) {
    const marker = /^--@(postgres|sqlite|end)\s*$/.exec(line.trim())?.[1];
    if (block) {
      if (marker !== 'end') block.lines.push(line);
      else {
        if (block.dialect === dialect) out.push(block.lines.join('\n').trim());
        block = null;
      }
    } else if (marker === 'postgres' || marker === 'sqlite') {
      flush();
      block = { dialect: marker, lines: [] };
    } else if (marker === 'end') throw new Error('migration: --@end without --@postgres or --@sqlite');
    else plain.push(line);
  }
  if (block) throw new Error(`migration: --@${block.dialect} block without --@end`);
  flush();
  return out;
}

/** Applies the migrations not applied yet; `files` defaults to all of migrations/ (a test may stop short of the newest). */
export async function migrate(store: Store, now = Date.now(), files: readonly MigrationFile[] = readMigrations()): Promise<string[]> {
  const lock = (trx: Db) => store.adapter.migrationLock(trx);
  // Under the lock too: two concurrent CREATE TABLE IF NOT EXISTS on PostgreSQL can both find no
  // table and the second then fails on the catalog's unique index (pg_type_typname_nsp_index).
  await store.transaction(async (trx) => {
    await lock(trx);
    await sql`CREATE TABLE IF NOT EXISTS qatra_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`.execute(trx);
  });
  await refuseNewerDatabase(store.db, files);
  const applied: string[] = [];
  for (const m of files) {
    const sessionLock = store.adapter.migrationSessionLock;
    if (sessionLock && NON_TRANSACTIONAL.test(m.sql)) {
      if (await applyOutsideTransaction(store, sessionLock, m, now)) applied.push(m.name);
      continue;
    }
    const done = await store.transaction(async (trx) => {
      await lock(trx);
      const inserted = await trx
        .insertInto('qatra_migrations')
        .values({ id: m.id, name: m.name, applied_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      for (const stmt of statements(renderMigration(m.sql, store.dialect), store.dialect)) await sql.raw(stmt).execute(trx);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}

/** A `--@nontransactional` file on one connection under the session lock (the module's header says why). */
async function applyOutsideTransaction(store: Store, sessionLock: (conn: Db) => Promise<() => Promise<void>>, m: MigrationFile, now: number): Promise<boolean> {
  return store.db.connection().execute(async (conn) => {
    const unlock = await sessionLock(conn);
    try {
      const done = await conn.selectFrom('qatra_migrations').select('id').where('id', '=', m.id).executeTakeFirst();
      if (done) return false;
      for (const stmt of statements(renderMigration(m.sql, store.dialect), store.dialect)) {
        const index = concurrentIndexName(stmt);
        if (index !== null) {
          const invalid = await sql<{ n: number }>`SELECT 1 AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relname = ${index} AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid`.execute(conn);
          if (invalid.rows.length > 0) await sql.raw(`DROP INDEX CONCURRENTLY IF EXISTS "${index}"`).execute(conn);
        }
        await sql.raw(stmt).execute(conn);
      }
      await conn.insertInto('qatra_migrations').values({ id: m.id, name: m.name, applied_at: now }).execute();
      return true;
    } finally {
      await unlock();
    }
  });
}

/**
 * A database a newer Qatra migrated (a row in qatra_migrations this code has no file for) is not
 * run against: this code would write rows without the columns the newer schema expects, and a
 * worker of the old version beside workers of the new one would do so silently.
 */
async function refuseNewerDatabase(db: Db, files: readonly MigrationFile[]): Promise<void> {
  const newer = newerMigrations(await db.selectFrom('qatra_migrations').select(['id', 'name']).orderBy('id').execute(), files);
  if (newer) throw new ConflictError(`the database was migrated by a newer Qatra (${newer}); run the newer version, or restore a backup taken before the upgrade (docs/operations.md)`);
}

/**
 * Whether a database's applied migrations include one this version has no file for, in words
 * ("it has migration 000031_x, this version knows up to 000026_y"), or null. Also asked of a backup
 * before it is restored (src/backups/sqlite.ts).
 */
export function newerMigrations(applied: readonly { id: number; name: string }[], files: readonly MigrationFile[] = readMigrations()): string | null {
  const known = new Set(files.map((m) => m.id));
  const newer = applied.filter((r) => !known.has(r.id)).sort((x, y) => x.id - y.id);
  if (newer.length === 0) return null;
  const ours = files.length ? files[files.length - 1]!.name : 'none';
  return `it has migration ${newer[newer.length - 1]!.name}, this version knows up to ${ours}`;
}
