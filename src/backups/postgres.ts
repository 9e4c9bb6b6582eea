/**
 * @module Backup and restore on PostgreSQL, with the server's own tools: `pg_dump --format=custom`
 * takes a consistent snapshot (one repeatable-read transaction) while servers and workers keep
 * writing, and `pg_restore --single-transaction` applies it all or nothing. The client tools must
 * be of the server's major version or newer (Debian: postgresql-client-15). The password goes to
 * the tools through PGPASSWORD, never on their command line (where `ps` would show it).
 *
 * A dump is checked before it takes its name and before it is restored: `pg_restore --list` must
 * read it and find Qatra's qatra_migrations table in it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { ConflictError, UnavailableError, ValidationError } from '../core/errors.js';
import { writeWhole } from './whole-file.js';

interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The connection as libpq environment variables, and the database name for the tools' -d. */
function connectionEnv(databaseUrl: string): { env: NodeJS.ProcessEnv; database: string } {
  const url = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env, PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username) };
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return { env, database: decodeURIComponent(url.pathname.replace(/^\//, '')) };
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new UnavailableError(`${tool} not found: install the PostgreSQL client tools (the server's major version or newer)`) : err),
    );
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The last lines of a tool's complaint: enough to act on, not a wall of text. */
function complaint(r: ToolResult): string {
  const said = r.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
  return r.signal ? `killed by ${r.signal}${said ? `: ${said}` : ''}` : said;
}

/** Throws unless `file` is a custom-format dump that holds Qatra's tables. */
async function checkDump(file: string, field: string): Promise<void> {
  const listed = await run('pg_restore', ['--list', file], process.env);
  if (listed.code !== 0) throw ValidationError.at(field, `${file} is not a readable pg_dump custom-format file (${complaint(listed)})`);
  if (!/\bTABLE \S+ qatra_migrations\b/.test(listed.stdout)) throw ValidationError.at(field, `${file} is not a Qatra backup (it has no qatra_migrations table)`);
}

export async function backupPostgres(databaseUrl: string, target: string, options: { force?: boolean | undefined } = {}): Promise<{ bytes: number }> {
  const { env, database } = connectionEnv(databaseUrl);
  await writeWhole(
    target,
    { force: options.force, what: 'backup', field: 'file' },
    async (partial) => {
      const r = await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, '--dbname', database], env);
      // pg_dump's own words: "could not write to output file: No space left on device" maps to a full target.
      // A file-size limit kills the tool with SIGXFSZ (child processes get the default disposition back).
      const full = /No space left|File too large/i.test(r.stderr) || r.signal === 'SIGXFSZ';
      if (r.code !== 0) throw Object.assign(new Error(`pg_dump failed: ${complaint(r)}`), { code: full ? 'ENOSPC' : 'EDUMP' });
    },
    (partial) => checkDump(partial, 'file'),
  );
  return { bytes: fs.statSync(target).size };
}

/** Whether the database already has Qatra's tables (a restore over it must be forced). */
async function hasQatraTables(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ t: string | null }>(`SELECT to_regclass('qatra_migrations')::text AS t`);
    return r.rows[0]?.t != null;
  } finally {
    await client.end();
  }
}

export async function restorePostgres(databaseUrl: string, backupFile: string, options: { force?: boolean | undefined } = {}): Promise<void> {
  if (!fs.existsSync(backupFile)) throw ValidationError.at('file', `no backup at ${backupFile}`);
  await checkDump(backupFile, 'file');
  const { env, database } = connectionEnv(databaseUrl);
  if ((await hasQatraTables(databaseUrl)) && !options.force) throw new ConflictError(`database ${database} already holds Qatra's tables; pass --force to replace them with the backup`, 'DATABASE_URL');
  const args = ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', '--dbname', database, backupFile];
  const r = await run('pg_restore', args, env);
  if (r.code !== 0) throw new UnavailableError(`pg_restore failed, nothing was changed (one transaction): ${complaint(r)}`);
}
