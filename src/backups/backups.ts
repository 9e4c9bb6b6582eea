/**
 * @module `qatra backup` and `qatra restore` on the store the config names (docs/operations.md):
 * SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore.
 */
import path from 'node:path';
import type { Config } from '../config/config.js';
import { backupSqlite, restoreSqlite } from './sqlite.js';
import { backupPostgres, restorePostgres } from './postgres.js';
import { sqliteFile } from '../server/runtime.js';

export interface BackupOptions {
  force?: boolean | undefined;
}

export async function takeBackup(config: Config, target: string, options: BackupOptions = {}): Promise<{ bytes: number }> {
  const file = path.resolve(target);
  if (config.databaseUrl) return backupPostgres(config.databaseUrl, file, options);
  return backupSqlite(sqliteFile(config), file, options);
}

export async function restoreBackup(config: Config, source: string, now: number, options: BackupOptions = {}): Promise<{ replaced: string | null }> {
  const file = path.resolve(source);
  if (config.databaseUrl) {
    await restorePostgres(config.databaseUrl, file, options);
    return { replaced: null };
  }
  return restoreSqlite(file, sqliteFile(config), now, options);
}
