import { describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from './store.js';

describe('the SQLite statement cache', () => {
  it('reuses the prepared statement of the same SQL, and evicts the least recently used past its size', () => {
    const db = new BetterSqlite3(':memory:');
    const cached = withStatementCache(db, 2);
    const a = cached.prepare('SELECT 1 AS a');
    expect(cached.prepare('SELECT 1 AS a')).toBe(a);
    const b = cached.prepare('SELECT 2 AS b');
    cached.prepare('SELECT 1 AS a'); // a is now the most recent
    cached.prepare('SELECT 3 AS c'); // evicts b
    expect(cached.prepare('SELECT 1 AS a')).toBe(a);
    expect(cached.prepare('SELECT 2 AS b')).not.toBe(b);
    db.close();
  });

  it('a statement still being iterated (a streamed read) is not handed out again: the query gets its own', () => {
    const db = new BetterSqlite3(':memory:');
    db.exec('CREATE TABLE t (n integer); INSERT INTO t VALUES (1), (2), (3);');
    const cached = withStatementCache(db);
    const sqlText = 'SELECT n FROM t ORDER BY n';
    const streaming = cached.prepare(sqlText) as BetterSqlite3.Statement;
    const seen: number[] = [];
    for (const row of streaming.iterate() as Iterable<{ n: number }>) {
      const inner = cached.prepare(sqlText) as BetterSqlite3.Statement;
      expect(inner).not.toBe(streaming);
      expect((inner.all() as { n: number }[]).map((r) => r.n)).toEqual([1, 2, 3]);
      seen.push(row.n);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(cached.prepare(sqlText)).toBe(streaming);
    db.close();
  });
});
