/**
 * @module `qatra backup <file>` and `qatra restore <file>` (docs/operations.md): a consistent copy
 * of the store the environment names, taken while the server runs, and its restore.
 */
import type { Command } from 'commander';
import { parseConfig } from '../../config/config.js';
import { restoreBackup, takeBackup } from '../../backups/backups.js';
import { systemClock } from '../../core/clock.js';

export function backupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a consistent copy of the database to <file> while the server runs (SQLite: online backup; PostgreSQL: pg_dump)')
    .argument('<file>', 'where to write the backup; written whole or not at all')
    .option('--force', 'replace an existing file')
    .addHelpText('after', '\nThe SQLite secret key (<data dir>/secret.key) is not in the backup: keep it safe separately.\n\nExample:\n  $ qatra backup /backups/qatra-2026-12-07.db')
    .action(async (file: string, opts: { force?: boolean }) => {
      const { bytes } = await takeBackup(parseConfig(process.env), file, { force: opts.force });
      process.stdout.write(`backup written to ${file} (${bytes} bytes)\n`);
    });
  program
    .command('restore')
    .description('replace the database with a backup taken by `qatra backup` (stop the server and workers first)')
    .argument('<file>', 'the backup')
    .option('--force', 'replace a database that already holds data')
    .action(async (file: string, opts: { force?: boolean }) => {
      const { replaced } = await restoreBackup(parseConfig(process.env), file, systemClock.now(), { force: opts.force });
      process.stdout.write(`restored ${file}${replaced ? `; the previous database is kept as ${replaced}` : ''}\n`);
    });
}
