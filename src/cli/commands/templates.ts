/**
 * @module `qatra templates apply FILE.yaml|DIR`: templates kept as files in a repository. Every
 * file is read and validated first; then all of them are saved in one transaction, or none.
 * Problems are printed as `file:line:col: message`.
 */
import type { Command } from 'commander';
import { parseConfig } from '../../config/config.js';
import { ValidationError } from '../../core/errors.js';
import { openRuntime } from '../../server/runtime.js';
import { listTemplateFiles, loadTemplateFile, type LoadedTemplate } from '../../templates/files.js';
import { TemplateValidationError, formatIssue } from '../../templates/issues.js';
import { saveTemplates } from '../../templates/service.js';
import { getWorkspaceSettings } from '../../templates/workspace-settings.js';
import { DEFAULT_WORKSPACE_ID } from '../../workspaces/workspaces.js';

/** Maps service errors back to the files they came from. */
function explain(err: unknown, loaded: LoadedTemplate[]): string[] | undefined {
  if (err instanceof TemplateValidationError) {
    return err.problems.map((p) => {
      const item = loaded[p.index];
      // Not from a file: a stored template rebuilt because a layout in the files changed.
      return item ? `${item.locate(p.field, p.line, p.column)}: ${p.message}` : `${p.templateId} (stored, uses a changed layout): ${formatIssue(p)}`;
    });
  }
  if (err instanceof ValidationError) {
    return err.issues.map((i) => {
      const [index, ...rest] = i.path.split('.');
      const item = loaded[Number(index)];
      return item ? `${item.locate(rest.join('.') || 'id')}: ${rest.join('.')}: ${i.message}` : `${i.path}: ${i.message}`;
    });
  }
  return undefined;
}

export function templatesCommands(program: Command): void {
  const templates = program.command('templates').description('email and SMS templates');
  templates
    .command('apply')
    .argument('<path>', 'a template YAML file, or a directory of them (searched recursively)')
    .option('-w, --workspace <id>', 'workspace to apply to', DEFAULT_WORKSPACE_ID)
    .option('--dry-run', 'validate and show what would change, without saving')
    .description('validate all templates, then save them all in one transaction (or none)')
    .action(async (target: string, opts: { workspace: string; dryRun?: boolean }) => {
      const errors: string[] = [];
      const loaded = listTemplateFiles(target).flatMap((file) => loadTemplateFile(file, errors));
      if (errors.length) {
        process.stderr.write(errors.join('\n') + '\n');
        throw new ValidationError([], `${errors.length} problem(s) in the files; nothing was applied`);
      }
      const deps = await openRuntime(parseConfig(process.env));
      try {
        await getWorkspaceSettings(deps.store.db, opts.workspace);
        const results = await saveTemplates(
          deps,
          opts.workspace,
          loaded.map((l) => l.input),
          'upsert',
          { dryRun: opts.dryRun ?? false },
        ).catch((err: unknown) => {
          const lines = explain(err, loaded);
          if (!lines) throw err;
          process.stderr.write(lines.join('\n') + '\n');
          throw new ValidationError([], `${lines.length} problem(s); nothing was applied`);
        });
        for (const r of results) {
          const why = r.rebuiltForLayout ? ` (rebuilt on the changed layout ${r.rebuiltForLayout})` : '';
          const state = r.newVersion ? `version ${r.version}${why}${opts.dryRun ? ' (dry run)' : ''}` : `unchanged (version ${r.version})`;
          process.stdout.write(`${r.id}: ${state}\n`);
          const item = loaded.find((l) => l.input.id === r.id);
          for (const w of r.warnings) {
            // Warnings are stored as `field:line:col: message`; point them into the files too.
            const m = /^([\w.()-]+):(\d+):(\d+): ([\s\S]*)$/.exec(w);
            process.stdout.write(item && m ? `${item.locate(m[1]!, Number(m[2]), Number(m[3]))}: warning: ${m[4]}\n` : `  warning: ${w}\n`);
          }
        }
      } finally {
        await deps.store.close();
      }
    });
}
