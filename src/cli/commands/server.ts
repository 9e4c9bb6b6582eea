/**
 * @module `qatra start`, `qatra worker`, `qatra migrate`.
 */
import type { Command } from 'commander';
import { parseConfig } from '../../config/config.js';
import { startServer, startWorker } from '../../server/start.js';
import { openRuntime } from '../../server/runtime.js';

export function serverCommands(program: Command): void {
  program
    .command('start')
    .description('start the HTTP API and a worker (SQLite in ./qatra-data unless DATABASE_URL is set)')
    .action(async () => {
      await startServer(parseConfig(process.env));
    });
  program
    .command('worker')
    .description('run a worker without the HTTP API; run as many as you like against one PostgreSQL')
    .action(async () => {
      await startWorker(parseConfig(process.env));
    });
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const deps = await openRuntime(parseConfig(process.env));
      process.stdout.write(deps.migrations.length ? `applied: ${deps.migrations.join(', ')}\n` : 'the database is up to date\n');
      await deps.store.close();
    });
}
