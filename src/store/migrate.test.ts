import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { concurrentIndexName, migrate, newerMigrations, readMigrations, renderMigration, statements } from './migrate.js';

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

  it('refuses a database a newer Qatra migrated, naming both versions, and changes nothing', async () => {
    const db = t.store.db;
    await db.insertInto('qatra_migrations').values({ id: 999_999, name: '999999.sql', applied_at: 0 }).execute();
    try {
      const newest = readMigrations().at(-1)!.name;
      await expect(migrate(t.store)).rejects.toThrow(`it has migration 999999.sql, this version knows up to ${newest}`);
      const rows = await db.selectFrom('qatra_migrations').select('id').execute();
      expect(rows.length).toBe(readMigrations().length + 1);
    } finally {
      await db.deleteFrom('qatra_migrations').where('id', '=', 999_999).execute();
    }
    expect(await migrate(t.store)).toEqual([]);
  });

  it('a --@nontransactional file builds its index CONCURRENTLY on PostgreSQL, replacing one a failed build left INVALID; on SQLite it is one transaction', async () => {
    const db = t.store.db;
    const file = (id: number, text: string) => ({ id, name: `${id}.sql`, sql: text });
    const all = (...extra: { id: number; name: string; sql: string }[]) => [...readMigrations(), ...extra];
    const valid = async (name: string) =>
      (await sql<{ v: boolean }>`SELECT i.indisvalid AS v FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name}`.execute(db)).rows[0]?.v;
    await sql`CREATE TABLE probe_nt (k integer)`.execute(db);
    await sql`INSERT INTO probe_nt (k) VALUES (1), (1)`.execute(db);
    try {
      if (kind === 'postgres') {
        // In a transaction (no marker) PostgreSQL refuses it, and nothing is recorded.
        await expect(migrate(t.store, 1, all(file(900_001, 'CREATE INDEX CONCURRENTLY IF NOT EXISTS probe_nt_a ON probe_nt (k)')))).rejects.toThrow(/cannot run inside a transaction block/);
        expect(await db.selectFrom('qatra_migrations').select('id').where('id', '=', 900_001).executeTakeFirst()).toBeUndefined();
        // A concurrent build that fails (a duplicate key) leaves its index behind, INVALID.
        await expect(sql`CREATE UNIQUE INDEX CONCURRENTLY probe_nt_k ON probe_nt (k)`.execute(db)).rejects.toThrow(/could not create unique index/);
        expect(await valid('probe_nt_k')).toBe(false);
      }
      const text = [
        '--@nontransactional',
        '-- The probe index, built without stopping writers on PostgreSQL.',
        '--@postgres',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS probe_nt_k ON probe_nt (k)',
        '--@end',
        '--@sqlite',
        'CREATE INDEX IF NOT EXISTS probe_nt_k ON probe_nt (k)',
        '--@end',
      ].join('\n');
      expect(await migrate(t.store, 1, all(file(900_002, text)))).toEqual(['900002.sql']);
      expect(await migrate(t.store, 1, all(file(900_002, text)))).toEqual([]);
      if (kind === 'postgres') expect(await valid('probe_nt_k')).toBe(true);
      else expect((await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'probe_nt_k'`.execute(db)).rows.length).toBe(1);
    } finally {
      await sql`DROP TABLE probe_nt`.execute(db);
      await db.deleteFrom('qatra_migrations').where('id', '>=', 900_000).execute();
    }
    expect(concurrentIndexName('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "x_y" ON t (a)')).toBe('x_y');
    expect(concurrentIndexName('CREATE INDEX x_y ON t (a)')).toBeNull();
  });

  it('counts as newer only an applied migration this version has no file for, gaps in the numbering included', () => {
    const files = [
      { id: 1, name: '000001.sql', sql: '' },
      { id: 3, name: '000003.sql', sql: '' },
    ];
    expect(newerMigrations([{ id: 1, name: '000001.sql' }], files)).toBeNull();
    expect(
      newerMigrations(
        [
          { id: 2, name: '000002.sql' },
          { id: 1, name: '000001.sql' },
        ],
        files,
      ),
    ).toBe('it has migration 000002.sql, this version knows up to 000003.sql');
  });

  it('000015: events reference their contact only (PostgreSQL), and a deleted workspace still takes its events', async () => {
    const db = t.store.db;
    await db.insertInto('workspaces').values({ id: 'ws_m18', name: 'm18', settings: '{}', created_at: 0 }).execute();
    await db.insertInto('contacts').values({ id: 'ct_m18', workspace_id: 'ws_m18', attributes: '{}', created_at: 0, updated_at: 0 }).execute();
    await db
      .insertInto('events')
      .values({
        workspace_id: 'ws_m18',
        contact_id: 'ct_m18',
        type: 'track',
        name: 'E',
        properties: '{}',
        message_id: 'm18',
        timestamp: 0,
        received_at: 0,
      })
      .execute();
    if (kind === 'postgres') {
      const fks = await sql<{ conname: string }>`SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'f' ORDER BY conname`.execute(db);
      expect(fks.rows.map((r) => r.conname)).toEqual(['events_contact_id_fkey']);
    }
    await db.deleteFrom('workspaces').where('id', '=', 'ws_m18').execute();
    const left = await db.selectFrom('events').select('id').where('message_id', '=', 'm18').execute();
    expect(left).toEqual([]);
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
    const text = [
      'CREATE TABLE a (x int);',
      '--@postgres',
      'CREATE FUNCTION f() AS $$ BEGIN; END $$',
      '--@end',
      '--@sqlite',
      'CREATE TRIGGER t BEGIN SELECT 1; END',
      '--@end',
      '-- note',
      'CREATE INDEX i ON a (x);',
    ].join('\n');
    expect(statements(text, 'postgres')).toEqual(['CREATE TABLE a (x int)', 'CREATE FUNCTION f() AS $$ BEGIN; END $$', 'CREATE INDEX i ON a (x)']);
    expect(statements(text, 'sqlite')).toEqual(['CREATE TABLE a (x int)', 'CREATE TRIGGER t BEGIN SELECT 1; END', 'CREATE INDEX i ON a (x)']);
    expect(() => statements('--@sqlite\nSELECT 1', 'sqlite')).toThrow(/without --@end/);
  });
});
