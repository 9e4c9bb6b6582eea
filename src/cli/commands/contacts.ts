/**
 * @module `qatra contacts import FILE` and `qatra contacts export`: bulk contacts in and out as CSV
 * or NDJSON, streamed (memory stays flat for any file size). The rules of mapping, typing and
 * matching are in src/contacts/import-mapping.ts, import-readers.ts, import-writer.ts and export.ts; this file is flags and output.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { ValidationError } from '../../core/errors.js';
import { importContacts, resolveList, type ImportStats } from '../../contacts/import-writer.js';
import { readCsv, readNdjson } from '../../contacts/import-readers.js';
import { type AttributeType, type ColumnOptions, type RowResult } from '../../contacts/import-mapping.js';
import { exportContacts, type ExportFormat } from '../../contacts/export.js';
import { withWorkspace, workspaceOption } from './keys.js';

const collect = (value: string, previous: string[]) => [...previous, value];

interface ImportFlags {
  format?: ExportFormat;
  map: string[];
  ignore: string[];
  number: string[];
  boolean: string[];
  date: string[];
  json: string[];
  list?: string;
  batchSize: string;
  workspace: string;
}

const IMPORT_HELP = `
Columns (CSV; the first line names them):
  user_id or userId, email, phone, timezone, locale   contact fields
  id, created_at, updated_at                           skipped (columns of contacts export)
  address.PART (name, line1, line2, line3, city,       the postal address, checked per country
    region, postcode, country)
  attributes.NAME, or any other header                 attribute NAME (a string unless typed)
  A header may carry the type: score:number, vip:boolean, birthday:date, tags:json.
  Types: number; boolean (true/false, yes/no, 1/0); date (YYYY-MM-DD kept as written, an ISO 8601
  instant stored as UTC ISO text); json. An empty cell leaves that field or attribute unchanged.

Matching: a row updates the contact with its userId, else the one with its email (attributes are
merged, non-empty fields overwrite); otherwise it creates one. Every row needs a userId or an email.
Bad rows are printed as FILE:LINE: reason and skipped; the exit code is then 1. NDJSON files hold one
object per line like {"userId":"u1","email":"a@b.co","attributes":{"plan":"pro"}}.

Examples:
  $ qatra contacts import contacts.csv
  $ qatra contacts import crm.csv --map "E-mail=email" --map "Customer ID=userId" --ignore Notes
  $ qatra contacts import signups.csv --number age --boolean vip --date birthday --list Newsletter
  $ qatra contacts import backup.ndjson --workspace ws_01h...
`;

const EXPORT_HELP = `
CSV columns: id,user_id,email,phone,timezone,locale,created_at,updated_at, then one column per
attribute key, its header typed for the way back (score:number, vip:boolean, tags:json). Times are
ISO 8601 UTC. NDJSON: one contact per line in the API's shape (times in epoch ms).
Either format imports back with \`qatra contacts import\`.

Examples:
  $ qatra contacts export > contacts.csv
  $ qatra contacts export --format ndjson --out contacts.ndjson
`;

function columnOptions(flags: ImportFlags): ColumnOptions {
  const map: Record<string, string> = {};
  for (const pair of flags.map) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw ValidationError.at('--map', `expected COLUMN=FIELD or COLUMN=attributes.NAME, got "${pair}"`);
    map[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const types: Record<string, AttributeType> = {};
  for (const type of ['number', 'boolean', 'date', 'json'] as const) for (const col of flags[type]) types[col] = type;
  return { map, ignore: flags.ignore, types };
}

function formatOf(file: string, flag: ExportFormat | undefined): ExportFormat {
  return flag ?? (/\.(ndjson|jsonl)$/i.test(file) ? 'ndjson' : 'csv');
}

/** Opens the file now, so a missing or unreadable file is one clear error before any work starts. */
function openInput(file: string): Readable {
  try {
    const fd = fs.openSync(file, 'r');
    if (fs.fstatSync(fd).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    return fs.createReadStream('', { fd });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new ValidationError([{ path: '', message: `cannot read ${file}: ${why}` }]);
  }
}

/** CSV syntax errors that csv-parse cannot skip past (e.g. a record over 128 KB) end the import with a line. */
async function* guard(rows: AsyncIterable<RowResult>, file: string): AsyncGenerator<RowResult> {
  try {
    yield* rows;
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw new ValidationError([{ path: '', message: `${file}:${e.lines ?? '?'}: malformed CSV: ${e.message.split(/ at line \d+/)[0]}` }]);
    }
    throw err;
  }
}

function summary(file: string, stats: ImportStats, seconds: number): string {
  const rate = Math.round(stats.rows / Math.max(seconds, 1e-3));
  const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return (
    `imported ${file}: ${stats.rows} rows, ${stats.created} created, ${stats.updated} updated, ${stats.unchanged} unchanged, ` +
    `${stats.failed} failed in ${seconds.toFixed(2)} s (${rate} rows/s, peak RSS ${rssMb} MB)\n`
  );
}

async function runImport(file: string, flags: ImportFlags): Promise<void> {
  const batchSize = Number(flags.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) throw ValidationError.at('--batch-size', 'must be an integer from 1 to 5000');
  const format = formatOf(file, flags.format);
  const columns = columnOptions(flags);
  if (format === 'ndjson' && (flags.map.length || flags.ignore.length || Object.keys(columns.types ?? {}).length)) {
    throw ValidationError.at('--map', '--map, --ignore and the type flags apply to CSV files only');
  }
  const input = openInput(file) as fs.ReadStream;
  const size = fs.statSync(file).size;
  try {
    await withWorkspace(flags.workspace, async ({ deps, workspaceId }) => {
      const listId = flags.list === undefined ? undefined : await resolveList(deps, workspaceId, flags.list);
      const started = performance.now();
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: ' {bar} {percentage}% | {rows} rows | {rate} rows/s | {failed} failed', hideCursor: true }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(Math.max(size, 1), 0, { rows: 0, rate: 0, failed: 0 });
      const rows = guard(format === 'csv' ? readCsv(input, columns) : readNdjson(input), file);
      const stats = await importContacts(deps, {
        workspaceId,
        rows,
        batchSize,
        listId,
        onFailure: (line, reason) => process.stderr.write(`${bar ? '\r\x1b[K' : ''}${file}:${line}: ${reason}\n`),
        onProgress: (s) => {
          const rate = Math.round(s.rows / ((performance.now() - started) / 1000));
          bar?.update(input.bytesRead, { rows: s.rows, rate, failed: s.failed });
        },
      });
      bar?.update(Math.max(size, 1));
      bar?.stop();
      process.stdout.write(summary(file, stats, (performance.now() - started) / 1000));
      if (stats.failed > 0) process.exitCode = 1;
    });
  } finally {
    input.destroy();
  }
}

async function runExport(flags: { format: ExportFormat; out?: string; workspace: string }): Promise<void> {
  let out: Writable = process.stdout;
  if (flags.out !== undefined) {
    try {
      out = fs.createWriteStream('', { fd: fs.openSync(flags.out, 'w') });
    } catch (err) {
      throw new ValidationError([{ path: '--out', message: `cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? err}` }]);
    }
  } else {
    // `qatra contacts export | head` closes the pipe early: that is the reader's choice, not an error.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
    });
  }
  await withWorkspace(flags.workspace, async ({ deps, workspaceId }) => {
    const { contacts } = await exportContacts(deps, { workspaceId, format: flags.format, out });
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    process.stderr.write(`exported ${contacts} contacts${flags.out ? ` to ${flags.out}` : ''}\n`);
  });
}

export function contactsCommands(program: Command): void {
  const contacts = program.command('contacts').description('import and export contacts in bulk (CSV or NDJSON)').showHelpAfterError('(add --help for usage and examples)');

  contacts
    .command('import')
    .description('create or update contacts from a CSV or NDJSON file, streamed in batches')
    .argument('<file>', 'a .csv file (or .ndjson/.jsonl)')
    .addOption(new Option('--format <format>', 'file format (default: from the file name)').choices(['csv', 'ndjson']))
    .option('--map <column=target>', 'map a column to userId|email|phone|timezone|locale or attributes.NAME (repeatable)', collect, [])
    .option('--ignore <column>', 'skip a column (repeatable)', collect, [])
    .option('--number <column>', 'read an attribute column as numbers (repeatable)', collect, [])
    .option('--boolean <column>', 'read an attribute column as booleans (repeatable)', collect, [])
    .option('--date <column>', 'read an attribute column as dates (repeatable)', collect, [])
    .option('--json <column>', 'read an attribute column as JSON (repeatable)', collect, [])
    .option('--list <id or name>', 'also subscribe every imported contact to this list (emits list_joined)')
    .option('--batch-size <rows>', 'rows per transaction', '500')
    .addOption(workspaceOption())
    .addHelpText('after', IMPORT_HELP)
    .action(runImport);

  contacts
    .command('export')
    .description('write every contact of the workspace to stdout or a file, streamed in id order')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'ndjson']).default('csv'))
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(workspaceOption())
    .addHelpText('after', EXPORT_HELP)
    .action(runExport);
}
