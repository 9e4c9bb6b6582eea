import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { migrate, readMigrations, renderMigration, statements } from './migrate.js';

describe.each(backends())('migrations on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it('records every numbered migration once and applies nothing the second time', async () => {
    const rows = await t.store.db.selectFrom('qatra_migrations').select(['id', 'name']).orderBy('id').execute();
    expect(rows.map((r) => r.name)).toEqual(readMigrations().map((m) => m.name));
    expect(await migrate(t.store)).toEqual([]);
  });

  // Two SQLite connections in one process would block each other synchronously (better-sqlite3), so
  // the race runs where two connections are truly concurrent.
  it.runIf(kind === 'postgres')('two migrators racing apply each migration exactly once', async () => {
    await sql`DROP TABLE qatra_migrations`.execute(t.store.db);
    await sql`DROP SCHEMA public CASCADE`.execute(t.store.db);
    await sql`CREATE SCHEMA public`.execute(t.store.db);
    const other = t.reopen();
    try {
      const [a, b] = await Promise.all([migrate(t.store), migrate(other)]);
      expect([...a, ...b].sort()).toEqual(readMigrations().map((m) => m.name));
    } finally {
      await other.close();
    }
  });
});

describe('migration macros', () => {
  it('render per dialect and reject unknown macros', () => {
    expect(renderMigration('a {{json}} b {{serial}}', 'postgres')).toBe('a jsonb b bigserial PRIMARY KEY');
    expect(renderMigration('a {{json}}', 'sqlite')).toBe('a text');
    expect(() => renderMigration('{{nope}}', 'sqlite')).toThrow(/unknown migration macro/);
  });
});

describe('migration statements', () => {
  it('split plain SQL on semicolons and send a dialect block whole, only to its backend', () => {
    const text = ['CREATE TABLE a (x int);', '--@postgres', 'CREATE FUNCTION f() AS $$ BEGIN; END $$', '--@end', '--@sqlite', 'CREATE TRIGGER t BEGIN SELECT 1; END', '--@end', '-- note', 'CREATE INDEX i ON a (x);'].join('\n');
    expect(statements(text, 'postgres')).toEqual(['CREATE TABLE a (x int)', 'CREATE FUNCTION f() AS $$ BEGIN; END $$', 'CREATE INDEX i ON a (x)']);
    expect(statements(text, 'sqlite')).toEqual(['CREATE TABLE a (x int)', 'CREATE TRIGGER t BEGIN SELECT 1; END', 'CREATE INDEX i ON a (x)']);
    expect(() => statements('--@sqlite\nSELECT 1', 'sqlite')).toThrow(/without --@end/);
  });
});
