/**
 * @module Template databases for the test suite, in graphile-worker's manner: the migrations run
 * once per test run (test/global-setup.ts builds the templates), and each test file's database is
 * a copy: SQLite copies a migrated file, PostgreSQL runs `CREATE DATABASE … TEMPLATE`. A template
 * is named by a hash of the migration files, so a changed migration builds a new one, and it is
 * built under a temporary name and renamed when complete, so a run killed mid-build leaves nothing
 * a later run could take for a finished template.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/store.js';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../src/store/migrate.js';

/** Environment variables through which global setup hands the templates to the test workers. */
export const SQLITE_TEMPLATE_ENV = 'QATRA_TEST_SQLITE_TEMPLATE';
export const PG_TEMPLATE_ENV = 'QATRA_TEST_PG_TEMPLATE';

export function migrationsHash(): string {
  const h = crypto.createHash('sha256');
  for (const m of readMigrations(MIGRATIONS_DIR)) h.update(m.name).update('\0').update(m.sql).update('\0');
  return h.digest('hex').slice(0, 12);
}

/** A migrated SQLite file to copy; rebuilt per run (about 60 ms). Returns its path. */
export async function buildSqliteTemplate(): Promise<string> {
  const dir = path.join(os.tmpdir(), `qatra-template-${migrationsHash()}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const file = path.join(dir, 'qatra.db');
  const store = openStore({ sqliteFile: file });
  await migrate(store);
  // Closing the last connection checkpoints the WAL into the main file, so the file alone is whole.
  await store.close();
  return file;
}

/** A migrated PostgreSQL database on `baseUrl`'s server to clone; kept across runs while the migrations are unchanged. */
export async function buildPostgresTemplate(baseUrl: string): Promise<string> {
  const name = `qatra_tpl_${migrationsHash()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_b${crypto.randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    const store = openStore({ databaseUrl: withDatabase(baseUrl, building), pgPoolMax: 1 });
    try {
      await migrate(store);
    } finally {
      await store.close();
    }
    try {
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } catch (err) {
      // Another run finished the same template first: use theirs.
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
    return name;
  } finally {
    await admin.end();
  }
}

/** Creates database `name` as a copy of `template`, retrying while another clone holds the template. */
export async function cloneDatabase(admin: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (err) {
      // 55006: "source database is being accessed by other users" (a clone starting at the same instant).
      if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
  }
}

export function withDatabase(baseUrl: string, name: string): string {
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
