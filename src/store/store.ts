/**
 * @module A Store is the database handle every service takes: a Kysely instance over either the
 * embedded SQLite file (better-sqlite3) or PostgreSQL (pg), plus the few things that differ.
 * Locking and claiming go through `store.adapter` (./adapter.ts); callers branch on
 * `store.dialect` only in hand-written hot queries, which say why.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import { postgresAdapter, sqliteAdapter, type StoreAdapter } from './adapter.js';

export type DialectName = StoreAdapter['name'];
export type Db = Kysely<Database>;

export interface Store {
  readonly db: Db;
  readonly dialect: DialectName;
  /** Locks and claims, the backend's way (./adapter.ts). */
  readonly adapter: StoreAdapter;
  /** Human-readable location, for start-up messages (never includes a password). */
  readonly location: string;
  /**
   * Runs `fn` in one transaction. On SQLite it starts with BEGIN IMMEDIATE so that several
   * processes sharing the file queue on the write lock instead of failing on a lock upgrade.
   */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `postgres://…`, or undefined for SQLite. */
  databaseUrl?: string | undefined;
  /** SQLite file path, used when databaseUrl is undefined. */
  sqliteFile?: string;
  pgPoolMax?: number;
}

export function openStore(options: OpenStoreOptions): Store {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.pgPoolMax ?? 10);
  if (!options.sqliteFile) throw new Error('openStore: sqliteFile or databaseUrl is required');
  return openSqlite(options.sqliteFile);
}

function openSqlite(file: string): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we acknowledge it (an acknowledged event survives power loss).
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    db,
    dialect: 'sqlite',
    adapter: sqliteAdapter,
    location: file,
    async transaction(fn) {
      // Kysely's SQLite driver has one connection behind a mutex: `connection()` holds it for the
      // whole callback, so no other query of this process interleaves with the transaction.
      return db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (err) {
          if (database.inTransaction) await sql`ROLLBACK`.execute(conn);
          throw err;
        }
      });
    },
    ping: () => ping(db),
    async close() {
      await db.destroy();
    },
  };
}

/** Prepared statements kept per process (an LRU over the SQL text). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew (`db.prepare(sql)` per execution); preparing is
 * parsing and planning the SQL, which for our short hot statements costs as much as running them
 * (bench/store-statements.ts measures both). This keeps the prepared statements in an LRU keyed by
 * the SQL text. A statement still being iterated (a streamed export) is `busy`: such a query gets a
 * fresh statement instead of the shared one.
 */
export function withStatementCache(database: BetterSqlite3.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = database.prepare(text);
      if (!hit) {
        cache.set(text, stmt);
        if (cache.size > size) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
  };
}

async function ping(db: Db): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** bigint and numeric come back as JS numbers: our bigints are epoch ms and counters, far below 2^53. */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === 20 || oid === 1700) return (v) => (v === null ? null : Number(v));
  return pg.types.getTypeParser(oid, format as 'text');
}

function openPostgres(url: string, max: number): Store {
  const pool = new pg.Pool({ connectionString: url, max, types: { getTypeParser: typeParser as never } });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // The same for a client that is checked out but between queries (inside a transaction, or held
  // while a worker talks to SMTP): pg emits the server's "terminating connection" as an 'error'
  // event with no listener attached, which would kill the process. With this listener the client
  // is merely dead: its next query fails (the caller retries), and the pool drops it on release.
  // Found by test/faults/postgres-restart.test.ts.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  return {
    db,
    dialect: 'postgres',
    adapter: postgresAdapter,
    location: `postgres://${u.host}${u.pathname}`,
    transaction: (fn) => db.transaction().execute(fn),
    ping: () => ping(db),
    async close() {
      await db.destroy();
    },
  };
}
