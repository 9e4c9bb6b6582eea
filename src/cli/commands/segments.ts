/**
 * @module `qatra segments apply FILE|DIR` and `qatra segments list`, on the database the environment
 * names, in the default workspace unless `--workspace` says otherwise. `apply` is all or nothing:
 * every file is validated first (problems print as `file:line:col: message`), then all segments are
 * saved and their memberships computed in one transaction.
 */
import type { Command } from 'commander';
import { NotFoundError, QatraError } from '../../core/errors.js';
import type { ServiceDeps } from '../../core/deps.js';
import { withRuntime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../../workspaces/workspaces.js';
import { checkSegmentFiles, segmentFiles } from '../../segments/files.js';
import { applySegments, listSegments, memberCount } from '../../segments/segments.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Output = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Applies every segment file under `target`; returns the exit code (0: applied, 1: nothing applied). */
export async function applySegmentFiles(deps: ServiceDeps, workspaceId: string, target: string, io: Output = stdio): Promise<number> {
  const ws = await deps.store.db.selectFrom('workspaces').select('id').where('id', '=', workspaceId).executeTakeFirst();
  if (!ws) throw new NotFoundError('workspace', workspaceId);
  const checked = checkSegmentFiles(segmentFiles(target));
  if (checked.errors.length) {
    for (const e of checked.errors) io.err(e);
    io.err(`nothing applied: ${checked.errors.length} problem${checked.errors.length === 1 ? '' : 's'}`);
    return 1;
  }
  try {
    const results = await applySegments(deps, workspaceId, checked.inputs);
    results.forEach((r, i) => {
      const { entered, exited } = r.changes;
      io.out(`${r.outcome.padEnd(9)} ${r.segment.id} (+${entered} -${exited}) ${checked.inputs[i]!.file}`);
    });
    return 0;
  } catch (err) {
    if (!(err instanceof QatraError)) throw err;
    io.err(`${err.message}; nothing applied`);
    return 1;
  }
}

export function segmentsCommands(program: Command): void {
  const segments = program.command('segments').description('segments: apply definition files, list');
  segments
    .command('apply <path>')
    .description('validate and apply a segment file (YAML or JSON) or every *.yaml/*.yml/*.json in a directory, all or nothing')
    .option('-w, --workspace <id>', 'workspace id', DEFAULT_WORKSPACE_ID)
    .action((target: string, opts: { workspace: string }) => withRuntime((deps) => applySegmentFiles(deps, opts.workspace, target)));
  segments
    .command('list')
    .description('list segments with their member counts')
    .option('-w, --workspace <id>', 'workspace id', DEFAULT_WORKSPACE_ID)
    .action((opts: { workspace: string }) =>
      withRuntime(async (deps) => {
        for (const s of await listSegments(deps, opts.workspace, { limit: 1000 })) stdio.out(`${s.id}\t${await memberCount(deps.store.db, s.id)}\t${s.name}`);
      }),
    );
}
