/**
 * @module Test backends. `backends()` lists SQLite always and PostgreSQL when
 * QATRA_TEST_DATABASE_URL is set; `freshDatabase(kind)` gives a migrated, empty database of its own
 * (a temp SQLite file, or a new PostgreSQL database) and a `drop()` to remove it. Under the suite's
 * global setup it is a copy of a template migrated once per run (test/templates.ts); elsewhere
 * (benchmarks, e2e) it migrates itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type DialectName, type Store } from '../src/store/store.js';
import { migrate } from '../src/store/migrate.js';
import { PG_TEMPLATE_ENV, SQLITE_TEMPLATE_ENV, cloneDatabase, withDatabase } from './templates.js';

export function backends(): DialectName[] {
  return process.env.QATRA_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDatabase {
  store: Store;
  /** For SQLite the file path; for PostgreSQL the URL of the new database. */
  url: string;
  /** Opens another, independent store on the same database (another "process"). */
  reopen(): Store;
  drop(): Promise<void>;
}

export interface FreshDatabaseOptions {
  /** PostgreSQL server to create the database on; default QATRA_TEST_DATABASE_URL. */
  baseUrl?: string | undefined;
  pgPoolMax?: number;
}

export async function freshDatabase(kind: DialectName, options: FreshDatabaseOptions = {}): Promise<TestDatabase> {
  const pgPoolMax = options.pgPoolMax ?? 5;
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-test-'));
    const file = path.join(dir, 'qatra.db');
    const template = process.env[SQLITE_TEMPLATE_ENV];
    if (template) fs.copyFileSync(template, file);
    const store = openStore({ sqliteFile: file });
    if (!template) await migrate(store);
    return {
      store,
      url: file,
      reopen: () => openStore({ sqliteFile: file }),
      async drop() {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = options.baseUrl || process.env.QATRA_TEST_DATABASE_URL;
  if (!base) throw new Error('QATRA_TEST_DATABASE_URL is not set');
  const name = `qatra_t_${randomBytes(6).toString('hex')}`;
  // A template only exists on the server global setup built it on.
  const template = base === process.env.QATRA_TEST_DATABASE_URL ? process.env[PG_TEMPLATE_ENV] : undefined;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    if (template) await cloneDatabase(admin, name, template);
    else await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(base, name);
  const store = openStore({ databaseUrl: url, pgPoolMax });
  if (!template) await migrate(store);
  return {
    store,
    url,
    reopen: () => openStore({ databaseUrl: url, pgPoolMax }),
    async drop() {
      await store.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
