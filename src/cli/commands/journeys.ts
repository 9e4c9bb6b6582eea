/**
 * @module `qatra journeys apply FILE|DIR`, `qatra journeys list`, `qatra journeys get ID`. They work
 * on the database the environment names (like `qatra start`), in the default workspace unless
 * `--workspace` says otherwise. `apply` is all or nothing: every file is validated first, then all
 * journeys are applied in one transaction; any problem prints `file:line:col: message` lines, applies
 * nothing and exits non-zero.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { QatraError, ValidationError } from '../../core/errors.js';
import { withRuntime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../../workspaces/workspaces.js';
import { checkJourneyFiles, journeyFiles } from '../../journeys/definition/files.js';
import { templatesInStore } from '../../journeys/definition/templates.js';
import { applyValidated, journeyDetail, listJourneys, requestedStatus, versionDocument, type JourneyDeps, type JourneyStatus } from '../../journeys/journeys.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Output = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

async function assertWorkspace(deps: JourneyDeps, workspaceId: string): Promise<void> {
  const ws = await deps.store.db.selectFrom('workspaces').select('id').where('id', '=', workspaceId).executeTakeFirst();
  if (ws) return;
  const hint = workspaceId === DEFAULT_WORKSPACE_ID ? ': run `qatra start` once to create it' : '';
  throw ValidationError.at('workspace', `no workspace ${workspaceId}${hint}`);
}

/** Applies every journey file under `target`; returns the exit code (0: applied, 1: nothing applied). */
export async function applyJourneyFiles(deps: JourneyDeps, workspaceId: string, target: string, io: Output = stdio): Promise<number> {
  await assertWorkspace(deps, workspaceId);
  const checked = await checkJourneyFiles(journeyFiles(target), { workspaceId, templateExists: deps.templateExists ?? templatesInStore(deps.store) });
  for (const w of checked.warnings) io.err(w);
  if (checked.errors.length) {
    for (const e of checked.errors) io.err(e);
    io.err(`nothing applied: ${checked.errors.length} problem${checked.errors.length === 1 ? '' : 's'}`);
    return 1;
  }
  const docs = checked.files.map((f) => ({ document: f.document!, requestedStatus: requestedStatus(f.raw) }));
  try {
    const results = await applyValidated(deps, workspaceId, docs);
    results.forEach((r, i) => io.out(`${r.outcome.padEnd(9)} ${r.id} (version ${r.version}, ${r.status}) ${checked.files[i]!.source.file}`));
    return 0;
  } catch (err) {
    if (!(err instanceof QatraError)) throw err;
    io.err(`${err.message}; nothing applied`);
    return 1;
  }
}

const workspaceOption = ['-w, --workspace <id>', 'workspace id', DEFAULT_WORKSPACE_ID] as const;

export function journeyCommands(program: Command): void {
  const journeys = program.command('journeys').description('journey definitions: apply files, list, show');
  journeys
    .command('apply <path>')
    .description('validate and apply a journey file (YAML or JSON) or every *.yaml/*.yml/*.json in a directory, all or nothing')
    .option(...workspaceOption)
    .action((target: string, opts: { workspace: string }) => withRuntime((deps) => applyJourneyFiles(deps, opts.workspace, target)));
  journeys
    .command('list')
    .description('list journeys with their state and current version')
    .option(...workspaceOption)
    .option('-s, --status <status>', 'only journeys in this state (draft, live, paused, archived)')
    .action((opts: { workspace: string; status?: JourneyStatus }) =>
      withRuntime(async (deps) => {
        await assertWorkspace(deps, opts.workspace);
        for (const j of await listJourneys(deps.store.db, opts.workspace, opts.status)) stdio.out(`${j.id}\t${j.status}\tv${j.version}\t${j.name}`);
      }),
    );
  journeys
    .command('get <id>')
    .description('print a journey document as YAML (ready to edit and apply again)')
    .option(...workspaceOption)
    .option('-v, --version <n>', 'an older version', (v) => Number.parseInt(v, 10))
    .option('--json', 'print state, document and versions as JSON')
    .action((id: string, opts: { workspace: string; version?: number; json?: boolean }) =>
      withRuntime(async (deps) => {
        const detail = await journeyDetail(deps, opts.workspace, id);
        const document = opts.version ? await versionDocument(deps, opts.workspace, id, opts.version) : detail.document;
        if (opts.json) return stdio.out(JSON.stringify({ ...detail, document }, null, 2));
        stdio.out(`# ${id}: ${detail.status}, version ${opts.version ?? detail.version} (versions ${detail.versions.map((v) => v.version).join(', ')})`);
        process.stdout.write(stringify(document));
      }),
    );
}
