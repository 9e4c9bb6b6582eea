import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../store/migrate.js';
import { restoreSqlite } from './sqlite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-restore-check-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A SQLite file with the migrations table holding these rows. */
function backupWith(name: string, rows: { id: number; name: string }[]): string {
  const file = path.join(dir, name);
  const db = new BetterSqlite3(file);
  db.exec('CREATE TABLE qatra_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
  for (const r of rows) db.prepare('INSERT INTO qatra_migrations VALUES (?, ?, 0)').run(r.id, r.name);
  db.close();
  return file;
}

describe('restoring a SQLite backup (the checks made before anything is replaced)', () => {
  it('refuses a backup a newer Qatra migrated, naming both versions, and writes nothing', async () => {
    const ours = readMigrations().map((m) => ({ id: m.id, name: m.name }));
    const file = backupWith('newer.backup', [...ours, { id: 999_999, name: '999999.sql' }]);
    const target = path.join(dir, 'newer-target.db');
    await expect(restoreSqlite(file, target, 0)).rejects.toThrow(`file: from a newer Qatra: it has migration 999999.sql, this version knows up to ${ours.at(-1)!.name}; restore with that version`);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('restores a backup of this version', async () => {
    const file = backupWith(
      'same.backup',
      readMigrations().map((m) => ({ id: m.id, name: m.name })),
    );
    const target = path.join(dir, 'same-target.db');
    expect(await restoreSqlite(file, target, 0)).toEqual({ replaced: null });
    expect(fs.existsSync(target)).toBe(true);
  });
});
