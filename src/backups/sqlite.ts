/**
 * @module Backup and restore of the embedded SQLite store.
 *
 * Backup uses SQLite's online backup API on a connection of its own, so it runs beside a live
 * `qatra start` (another process) without stopping it. All pages are copied in one step, that is
 * in one read transaction: the copy is the database as of one commit, and writers go on meanwhile
 * (WAL). Copying in many small steps would let each commit of a busy server restart the backup.
 * The copy is then turned into a single self-contained file (rollback journal instead of WAL) and
 * checked (`PRAGMA integrity_check`, a Qatra database, migrations this version knows) before it
 * takes its name (./whole-file.ts).
 *
 * Restore checks the backup the same way, refuses while a process has the database open (leaving
 * WAL mode needs exclusive access), keeps the database it replaces as `qatra.db.before-restore-<time>`,
 * and writes the restored copy whole. The next start migrates it forward if it is older.
 */
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { ConflictError, ValidationError } from '../core/errors.js';
import { newerMigrations } from '../store/migrate.js';
import { writeWhole } from './whole-file.js';

/** One step copies everything (better-sqlite3 clamps the page count to this). */
const ALL_PAGES = 0x7fffffff;

export interface SqliteBackupResult {
  bytes: number;
  pages: number;
}

export async function backupSqlite(databaseFile: string, target: string, options: { force?: boolean | undefined } = {}): Promise<SqliteBackupResult> {
  if (!fs.existsSync(databaseFile)) throw ValidationError.at('QATRA_DATA_DIR', `no database at ${databaseFile}`);
  let pages = 0;
  await writeWhole(
    target,
    { force: options.force, what: 'backup', field: 'file' },
    async (partial) => {
      const source = new BetterSqlite3(databaseFile, { fileMustExist: true });
      try {
        source.pragma('busy_timeout = 10000');
        const done = await source.backup(partial, { progress: () => ALL_PAGES });
        pages = done.totalPages;
      } finally {
        source.close();
      }
      const copy = new BetterSqlite3(partial, { fileMustExist: true });
      try {
        // One file, no -wal beside it: a backup is copied around as a single file.
        copy.pragma('journal_mode = DELETE');
      } finally {
        copy.close();
      }
    },
    async (partial) => checkQatraDatabase(partial, 'file'),
  );
  return { bytes: fs.statSync(target).size, pages };
}

export async function restoreSqlite(backupFile: string, databaseFile: string, now: number, options: { force?: boolean | undefined } = {}): Promise<{ replaced: string | null }> {
  if (!fs.existsSync(backupFile)) throw ValidationError.at('file', `no backup at ${backupFile}`);
  checkQatraDatabase(backupFile, 'file');
  let replaced: string | null = null;
  if (fs.existsSync(databaseFile)) {
    if (!options.force) throw new ConflictError(`${databaseFile} already holds a database; pass --force to replace it (it is kept as ${databaseFile}.before-restore-<time>)`, 'file');
    leaveWal(databaseFile);
    replaced = `${databaseFile}.before-restore-${now}`;
    fs.renameSync(databaseFile, replaced);
  }
  try {
    await writeWhole(
      databaseFile,
      { what: 'database', field: 'QATRA_DATA_DIR' },
      async (partial) => fs.copyFileSync(backupFile, partial),
      async (partial) => checkQatraDatabase(partial, 'file'),
    );
  } catch (err) {
    if (replaced) fs.renameSync(replaced, databaseFile);
    throw err;
  }
  return { replaced };
}

/**
 * Checkpoints the live database and takes it out of WAL mode, which SQLite allows only when no
 * other connection has it open: so a running server or worker is detected instead of having its
 * database replaced under it (and its -wal file replayed onto the restored one).
 */
function leaveWal(databaseFile: string): void {
  const db = new BetterSqlite3(databaseFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const mode = db.pragma('journal_mode = DELETE', { simple: true });
    if (mode !== 'delete') throw new ConflictError(`${databaseFile} is in use (a running qatra start or worker?): stop it before restoring`, 'QATRA_DATA_DIR');
  } catch (err) {
    if (err instanceof ConflictError) throw err;
    throw new ConflictError(`${databaseFile} is in use (a running qatra start or worker?): stop it before restoring (${(err as Error).message})`, 'QATRA_DATA_DIR');
  } finally {
    db.close();
  }
}

/** Intact, a Qatra database, and not from a newer Qatra: or a ValidationError at `field`. */
function checkQatraDatabase(file: string, field: string): void {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { fileMustExist: true, readonly: true });
  } catch (err) {
    throw ValidationError.at(field, `${file} is not a SQLite database (${(err as Error).message})`);
  }
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    if (integrity !== 'ok') throw ValidationError.at(field, `${file} is damaged: ${integrity}`);
    const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'qatra_migrations'`).get();
    if (!table) throw ValidationError.at(field, `${file} is not a Qatra database (it has no qatra_migrations table)`);
    const newer = newerMigrations(db.prepare('SELECT id, name FROM qatra_migrations').all() as { id: number; name: string }[]);
    if (newer) throw ValidationError.at(field, `from a newer Qatra: ${newer}; restore with that version`);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw ValidationError.at(field, `${file} is not a readable database (${(err as Error).message})`);
  } finally {
    db.close();
  }
}
