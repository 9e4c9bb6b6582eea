/**
 * @module `qatra workspaces create|list|rename|rate|archive|unarchive` (docs/workspaces.md): manage
 * workspaces on the server, with the database's rights (the API needs a signed-in owner).
 */
import type { Command } from 'commander';
import pino from 'pino';
import { parseConfig } from '../../config/config.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { AppDeps } from '../../core/app-deps.js';
import { openRuntime } from '../../server/runtime.js';
import { normaliseEmail } from '../../users/users.js';
import { ownerSetupLink } from '../../users/owner.js';
import { createManagedWorkspace, listWorkspaces, setArchived, updateWorkspace, type WorkspaceSummary } from '../../workspaces/manage.js';
import { table } from './keys.js';

/** Opens the database from the environment (as `withWorkspace` does), runs `fn` and closes. */
async function withDatabase<T>(fn: (deps: AppDeps) => Promise<T>): Promise<T> {
  const config = parseConfig(process.env);
  const deps = await openRuntime(config, pino({ level: config.logLevel }, pino.destination(2)));
  try {
    return await fn(deps);
  } finally {
    await deps.store.close();
  }
}

function time(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function rate(w: WorkspaceSummary): string {
  if (w.ingestRatePerSecond === null) return 'default';
  return w.ingestRatePerSecond === 0 ? 'unlimited' : `${w.ingestRatePerSecond}/s`;
}

function summary(w: WorkspaceSummary): string {
  return `${w.id} "${w.name}" ${w.archivedAt === null ? 'active' : `archived ${time(w.archivedAt)}`}, ingestion rate ${rate(w)}`;
}

/** `default`, or a whole number of calls per second (0: unlimited). */
function parseRate(text: string): number | null {
  if (text === 'default') return null;
  if (!/^\d+$/.test(text)) throw ValidationError.at('rate', `"${text.slice(0, 40)}" is not a whole number of calls per second ≥ 0 (0: unlimited) or "default"`);
  return Number(text);
}

export function workspacesCommands(program: Command): void {
  const ws = program.command('workspaces').description('create, list, rename and archive workspaces (one per brand or client)').showHelpAfterError('(add --help for usage and examples)');

  ws.command('create')
    .description('create a workspace and print its id (on stdout); its owner is an existing user (--owner) or whoever opens the setup link printed on stderr')
    .argument('<name>', 'the workspace name, 1–100 characters')
    .option('--owner <email>', 'an existing user who becomes its owner')
    .addHelpText(
      'after',
      '\nExamples:\n  $ qatra workspaces create "Acme EU"\n  $ qatra workspaces create "Acme US" --owner ops@acme.example\n  $ WS=$(qatra workspaces create Shop) && qatra keys create --kind write --workspace $WS\n',
    )
    .action(async (name: string, opts: { owner?: string }) => {
      await withDatabase(async (deps) => {
        let ownerId: string | undefined;
        if (opts.owner !== undefined) {
          const user = await deps.store.db.selectFrom('users').select('id').where('email', '=', normaliseEmail(opts.owner)).executeTakeFirst();
          if (!user) throw new NotFoundError('user', opts.owner.slice(0, 320));
          ownerId = user.id;
        }
        const created = await createManagedWorkspace(deps, { name, ...(ownerId ? { ownerId } : {}) });
        process.stderr.write(`created workspace ${summary(created)}\n`);
        if (!ownerId) process.stderr.write(`its owner signs up with this one-time link (valid 7 days): ${await ownerSetupLink(deps, created.id, deps.config.publicUrl)}\n`);
        process.stdout.write(`${created.id}\n`);
      });
    });

  ws.command('list')
    .description('list every workspace, active ones first')
    .addHelpText('after', '\nExamples:\n  $ qatra workspaces list\n')
    .action(async () => {
      await withDatabase(async (deps) => {
        const rows = (await listWorkspaces(deps)).map((w) => [w.id, w.name, w.archivedAt === null ? 'active' : 'archived', rate(w), time(w.createdAt)]);
        process.stdout.write(table(['ID', 'NAME', 'STATUS', 'RATE', 'CREATED'], rows));
      });
    });

  ws.command('rename')
    .description('rename a workspace')
    .argument('<id>', 'the workspace id, as shown by `qatra workspaces list`')
    .argument('<name>', 'the new name, 1–100 characters')
    .addHelpText('after', '\nExamples:\n  $ qatra workspaces rename ws_01hx3k... "Acme Europe"\n')
    .action(async (id: string, name: string) => {
      await withDatabase(async (deps) => process.stdout.write(`${summary(await updateWorkspace(deps, id, { name }))}\n`));
    });

  ws.command('rate')
    .description('set the calls per second a workspace may send to /v1, per server process (0: unlimited; default: QATRA_INGEST_RATE_PER_WORKSPACE)')
    .argument('<id>', 'the workspace id')
    .argument('<rate>', 'a whole number ≥ 0, or "default"')
    .addHelpText('after', '\nExamples:\n  $ qatra workspaces rate ws_01hx3k... 500\n  $ qatra workspaces rate ws_01hx3k... default\n')
    .action(async (id: string, text: string) => {
      await withDatabase(async (deps) => process.stdout.write(`${summary(await updateWorkspace(deps, id, { ingestRatePerSecond: parseRate(text) }))}\n`));
    });

  for (const [action, archived, what] of [
    ['archive', true, 'archive a workspace: its data is kept, its keys ingest nothing (403) and the worker skips its due work'],
    ['unarchive', false, 'unarchive a workspace: ingestion and due work resume'],
  ] as const) {
    ws.command(action)
      .description(what)
      .argument('<id>', 'the workspace id')
      .addHelpText('after', `\nExamples:\n  $ qatra workspaces ${action} ws_01hx3k...\n`)
      .action(async (id: string) => {
        await withDatabase(async (deps) => process.stdout.write(`${summary(await setArchived(deps, id, archived))}\n`));
      });
  }
}
