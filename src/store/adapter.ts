/**
 * @module What differs between the backends for locking and claiming, in the manner of Kysely's
 * DialectAdapter: a few capabilities and small methods, so that services state what they need
 * ("claim these rows", "lock this row", "serialise migrators") instead of testing the backend.
 *
 * PostgreSQL has row locks: a claim's picking subquery takes `FOR UPDATE SKIP LOCKED`, so concurrent
 * workers never wait on each other's rows (graphile-worker's getJobs does the same), and a
 * read-then-write takes `FOR UPDATE`. SQLite has one writer at a time: `Store.transaction` starts
 * with BEGIN IMMEDIATE, which already excludes every other writer, so the clauses are empty there
 * and a claim statement runs inside such a transaction instead.
 *
 * Also here: what else a plain service would otherwise test the backend for (a read snapshot, keyed
 * locks, a JSON attribute as text, where the data lives). Hand-written hot queries whose SQL differs
 * throughout still read `store.dialect`, each saying why.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

/** The database handle (the same type as store.ts's `Db`, written out so that store.ts alone imports this file). */
type Db = Kysely<Database>;

export interface StoreAdapter {
  /** The backend: store.ts's `DialectName` is this type. */
  readonly name: 'sqlite' | 'postgres';
  /** Rows can be locked by a statement (FOR UPDATE); false where the whole database has one writer. */
  readonly rowLocks: boolean;
  /** Ends a claim's picking SELECT: `FOR UPDATE SKIP LOCKED`, or nothing. */
  readonly skipLocked: RawBuilder<unknown>;
  /** Ends a SELECT whose rows the transaction goes on to change: `FOR UPDATE`, or nothing. */
  readonly forUpdate: RawBuilder<unknown>;
  /** The query builder's form of `forUpdate`. */
  lockRows<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Runs one claiming statement (a SELECT … skipLocked picking rows that the same statement marks as
   * taken): as it is where rows lock, else inside `transaction` (BEGIN IMMEDIATE) so that two
   * claimers cannot read the same free rows.
   */
  claim<T>(db: Db, transaction: <R>(fn: (trx: Db) => Promise<R>) => Promise<R>, query: RawBuilder<T>): Promise<T[]>;
  /** Called first in each migration's transaction: two migrators then apply migrations one after the other. */
  migrationLock(trx: Db): Promise<void>;
  /**
   * The same lock held by a connection outside any transaction (a non-transactional migration on
   * PostgreSQL: a session advisory lock) until the function it answers is called; null where
   * migrations only ever run in transactions (SQLite).
   */
  migrationSessionLock: ((conn: Db) => Promise<() => Promise<void>>) | null;
  /**
   * Serialises the transactions that name one of the same keys, until they end: advisory locks taken in
   * sorted order (so two transactions never wait for each other's second key), or nothing where the
   * store's transaction (BEGIN IMMEDIATE) already excludes every other writer.
   */
  lockKeys(trx: Db, keys: readonly bigint[]): Promise<void>;
  /** Runs `fn` in a read-only transaction that sees one snapshot throughout (REPEATABLE READ on PostgreSQL; any SQLite transaction in WAL mode). */
  snapshot<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T>;
  /** A top-level key of a JSON column as text, booleans spelled `true`/`false` on both (SQLite's json_extract gives 1/0). */
  jsonText(column: string, key: string): RawBuilder<string | null>;
  /** The data is a file in the data directory, not a server. */
  readonly embedded: boolean;
}

const byOrder = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** The key of the advisory lock migrators take on PostgreSQL (any constant of our own). */
const MIGRATION_LOCK_KEY = 7457227;

export const postgresAdapter: StoreAdapter = {
  name: 'postgres',
  rowLocks: true,
  skipLocked: sql`FOR UPDATE SKIP LOCKED`,
  forUpdate: sql`FOR UPDATE`,
  lockRows: (q) => q.forUpdate(),
  claim: async (db, _transaction, query) => (await query.execute(db)).rows,
  async migrationLock(trx) {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
  },
  async migrationSessionLock(conn) {
    await sql`SELECT pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    return async () => {
      await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    };
  },
  async lockKeys(trx, keys) {
    for (const key of [...keys].sort(byOrder)) await sql`SELECT pg_advisory_xact_lock(${key.toString()}::bigint)`.execute(trx);
  },
  snapshot: (db, fn) => db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn),
  jsonText: (column, key) => sql<string | null>`(${sql.ref(column)} ->> ${key}::text)`,
  embedded: false,
};

export const sqliteAdapter: StoreAdapter = {
  name: 'sqlite',
  rowLocks: false,
  skipLocked: sql``,
  forUpdate: sql``,
  lockRows: (q) => q,
  claim: (_db, transaction, query) => transaction(async (trx) => (await query.execute(trx)).rows),
  // BEGIN IMMEDIATE already holds the database's one write lock for the whole migration.
  migrationLock: async () => {},
  migrationSessionLock: null,
  lockKeys: async () => {},
  snapshot: (db, fn) => db.transaction().execute(fn),
  jsonText: (column, key) => {
    const path = `$."${key}"`;
    return sql<string | null>`(CASE json_type(${sql.ref(column)}, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(${sql.ref(column)}, ${path}) AS TEXT) END)`;
  },
  embedded: true,
};
