/**
 * @module Helpers for the tests that pin a hot query's plan (the statement must use its index on
 * both backends, also on tables PostgreSQL has not analyzed): the plan as text, and a row source
 * of the numbers 1..n to fill a table in one statement.
 */
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { Db, DialectName } from '../src/store/store.js';

/** EXPLAIN (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) of the query, one plan line per row. */
export async function explain(db: Db, kind: DialectName, query: CompiledQuery): Promise<string> {
  const prefix = kind === 'postgres' ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ';
  const rows = await db.executeQuery<Record<string, unknown>>({ ...query, sql: prefix + query.sql });
  return rows.rows.map((r) => String(r['QUERY PLAN'] ?? r.detail)).join('\n');
}

/** `SELECT n` for n = 1..count, as a subquery: `FROM (${numbers(kind, 100)}) AS s`. */
export function numbers(kind: DialectName, count: number): RawBuilder<unknown> {
  return kind === 'postgres'
    ? sql`SELECT g AS n FROM generate_series(1, ${sql.lit(count)}) g`
    : sql`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${sql.lit(count)}) SELECT n FROM s`;
}
