/**
 * @module `qatra keys create|list|origins|revoke`, and `withWorkspace`, which every command that works on a
 * workspace's data uses to open the database (same config as the server) and find the workspace.
 */
import { Command, Option } from 'commander';
import pino from 'pino';
import { parseConfig } from '../../config/config.js';
import { NotFoundError } from '../../core/errors.js';
import { createKey, listKeys, revokeKey, setKeyOrigins, type KeyKind } from '../../keys/keys.js';
import { openRuntime } from '../../server/runtime.js';
import { bootstrap, DEFAULT_WORKSPACE_ID } from '../../workspaces/workspaces.js';
import type { AppDeps } from '../../core/app-deps.js';

export interface WorkspaceContext {
  deps: AppDeps;
  workspaceId: string;
}

export const workspaceOption = () => new Option('-w, --workspace <id>', 'the workspace to act on').default(DEFAULT_WORKSPACE_ID);

/**
 * Opens the database from the environment (DATABASE_URL, else SQLite in QATRA_DATA_DIR), migrates
 * it, resolves the workspace (creating the default one on first use), runs `fn` and closes.
 * Logs go to stderr, so stdout carries only the command's output (an export can be piped).
 */
export async function withWorkspace<T>(workspace: string, fn: (ctx: WorkspaceContext) => Promise<T>): Promise<T> {
  const config = parseConfig(process.env);
  const log = pino({ level: config.logLevel }, pino.destination(2));
  const deps = await openRuntime(config, log);
  try {
    if (workspace === DEFAULT_WORKSPACE_ID) {
      const boot = await bootstrap(deps);
      if (boot.created) {
        process.stderr.write(`qatra: created the default workspace ${boot.workspaceId}; its first keys (shown once): admin ${boot.adminKey?.secret}, write ${boot.writeKey?.secret}\n`);
      }
    } else {
      const row = await deps.store.db.selectFrom('workspaces').select('id').where('id', '=', workspace).executeTakeFirst();
      if (!row) throw new NotFoundError('workspace', workspace);
    }
    return await fn({ deps, workspaceId: workspace });
  } finally {
    await deps.store.close();
  }
}

function time(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A key's browser origins for listings: `any` (write keys by default), `none` (admin keys: never from browsers). */
function origins(kind: KeyKind, list: string[] | null): string {
  if (kind === 'admin') return 'none';
  return list === null ? 'any' : list.join(' ');
}

/** Rows as aligned columns, for terminal listings. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function keysCommands(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys (admin keys for /api, write keys for /v1 ingestion)').showHelpAfterError('(add --help for usage and examples)');

  keys
    .command('create')
    .description('create an API key and print its secret once (on stdout; details on stderr)')
    .addOption(new Option('--kind <kind>', 'admin (management API) or write (ingestion only)').choices(['admin', 'write']).makeOptionMandatory())
    .option('--name <name>', 'a name to tell keys apart')
    .option('--origin <origin...>', 'write keys: the only origins a browser may use it from (https://shop.example.com, https://*.example.com); default any')
    .addOption(workspaceOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ qatra keys create --kind write --name website\n  $ qatra keys create --kind write --name shop --origin https://shop.example.com https://*.example.com\n  $ KEY=$(qatra keys create --kind admin --name ci)\n',
    )
    .action(async (opts: { kind: KeyKind; name?: string; origin?: string[]; workspace: string }) => {
      await withWorkspace(opts.workspace, async ({ deps, workspaceId }) => {
        const key = await createKey(deps, { workspaceId, kind: opts.kind, ...(opts.name === undefined ? {} : { name: opts.name }), allowedOrigins: opts.origin ?? null });
        process.stderr.write(`created ${key.kind} key ${key.id} "${key.name}" in ${workspaceId}; the secret is shown only now:\n`);
        process.stdout.write(`${key.secret}\n`);
      });
    });

  keys
    .command('list')
    .description('list the keys of a workspace (secrets are never shown again, only their prefix)')
    .addOption(workspaceOption())
    .addHelpText('after', '\nExamples:\n  $ qatra keys list\n  $ qatra keys list --workspace ws_01h...\n')
    .action(async (opts: { workspace: string }) => {
      await withWorkspace(opts.workspace, async ({ deps, workspaceId }) => {
        const rows = (await listKeys(deps, workspaceId)).map((k) => [k.id, k.kind, k.name, k.prefix, time(k.createdAt), time(k.revokedAt), origins(k.kind, k.allowedOrigins)]);
        process.stdout.write(table(['ID', 'KIND', 'NAME', 'PREFIX', 'CREATED', 'REVOKED', 'ORIGINS'], rows));
      });
    });

  keys
    .command('origins')
    .description('set the origins a browser may use a write key from (docs/ingestion.md); give none to allow any origin again')
    .argument('<id>', 'the key id, as shown by `qatra keys list`')
    .argument('[origins...]', 'exact origins (https://shop.example.com) or subdomain wildcards (https://*.example.com)')
    .addOption(workspaceOption())
    .addHelpText('after', '\nExamples:\n  $ qatra keys origins key_01hx3k... https://shop.example.com https://*.example.com\n  $ qatra keys origins key_01hx3k...        # any origin again\n')
    .action(async (id: string, list: string[], opts: { workspace: string }) => {
      await withWorkspace(opts.workspace, async ({ deps, workspaceId }) => {
        const key = await setKeyOrigins(deps, workspaceId, id, list);
        process.stdout.write(`${key.id} origins: ${origins(key.kind, key.allowedOrigins)}\n`);
      });
    });

  keys
    .command('revoke')
    .description('revoke a key: requests with it are refused from now on (revoking twice keeps the first time)')
    .argument('<id>', 'the key id, as shown by `qatra keys list`')
    .addOption(workspaceOption())
    .addHelpText('after', '\nExamples:\n  $ qatra keys revoke key_01hx3k...\n')
    .action(async (id: string, opts: { workspace: string }) => {
      await withWorkspace(opts.workspace, async ({ deps, workspaceId }) => {
        const key = await revokeKey(deps, workspaceId, id);
        process.stdout.write(`revoked ${key.id} at ${time(key.revokedAt)}\n`);
      });
    });
}
