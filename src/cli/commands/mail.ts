/**
 * @module `qatra mail do-not-mail FILE`: imports a do-not-mail list (CSV of contact ids or of postal
 * addresses) as suppressions and postal opt-outs, all rows or none (src/channels/mail/do-not-mail.ts).
 */
import fs from 'node:fs';
import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { importDoNotMail, parseDoNotMailCsv } from '../../channels/mail/do-not-mail.js';
import { withWorkspace, workspaceOption } from './keys.js';

const HELP = `
The CSV's first line names its columns: contact_id (those contacts opt out of postal marketing), or
name,line1,line2,line3,city,region,postcode,country (those addresses are never mailed again).
A bad row refuses the whole file and is printed as rows.N.column: reason; the exit code is then 1.

Examples:
  $ qatra mail do-not-mail returned-addresses.csv
  $ qatra mail do-not-mail opt-outs.csv --workspace ws_01h...
`;

export function mailCommands(program: Command): void {
  const mail = program.command('mail').description('Direct mail');
  mail
    .command('do-not-mail')
    .description('Import a do-not-mail list (CSV) as suppressions')
    .argument('<file>', 'the CSV file')
    .addOption(workspaceOption())
    .addHelpText('after', HELP)
    .action(async (file: string, flags: { workspace: string }) => {
      const text = fs.readFileSync(file, 'utf8');
      await withWorkspace(flags.workspace, async ({ deps, workspaceId }) => {
        try {
          const r = await importDoNotMail(deps, workspaceId, parseDoNotMailCsv(text));
          process.stdout.write(`do-not-mail: ${r.addresses} addresses suppressed, ${r.contacts} contacts opted out, ${r.unchanged} already listed\n`);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          for (const issue of err.issues) process.stderr.write(`${file}: ${issue.path}: ${issue.message}\n`);
          process.exitCode = 1;
        }
      });
    });
}
