/**
 * @module Contact imports from the web app: a job row (migrations/000014.sql) and the streamed file.
 *
 * 1. `createImport` stores the job (`waiting`) with the file's name and size and the column mapping
 *    (the same `map` / `ignore` / `types` and list as `qatra contacts import`).
 * 2. `runImport` takes the upload as a stream and feeds it to the CLI's own reader and writer
 *    (./import-readers.ts, ./import-writer.ts: csv-parse, batches of 500 in one transaction each). Nothing holds the whole
 *    file: memory stays at one batch however big the file is. After every committed batch the
 *    counters, the bytes read so far and the first bad rows are written to the job row, which is
 *    what `GET /api/contacts/imports/:id` answers while the upload is still going.
 * 3. The job ends `completed`, or `failed` with the reason (a header that names no userId/email
 *    column, CSV the parser cannot get past, an interrupted upload); the batches committed before
 *    a failure stay written, like the CLI's.
 *
 * A bad row never stops the import: it is counted and reported with its line and reason.
 */
import { Transform, type Readable } from 'node:stream';
import type { Selectable } from 'kysely';
import type { LoggedDeps, ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromJson, toJson } from '../core/json.js';
import { importContacts, resolveList, type ImportStats } from './import-writer.js';
import { readCsv } from './import-readers.js';
import { type ColumnOptions, type RowResult } from './import-mapping.js';
import type { ContactImportStatus, ContactImportsTable } from './tables.js';

/** Bad rows kept for the report; the count (`failed`) covers them all. */
export const MAX_REPORTED_FAILURES = 1000;
/** A running import whose row has not moved for this long lost its upload (server restart, dropped socket). */
export const STALLED_AFTER_MS = 10 * 60_000;

export interface ContactImport {
  id: string;
  status: ContactImportStatus;
  fileName: string;
  sizeBytes: number | null;
  bytesRead: number;
  listId: string | null;
  options: ColumnOptions;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  failures: { line: number; reason: string }[];
  error: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface NewImport extends ColumnOptions {
  fileName: string;
  sizeBytes?: number | undefined;
  /** A list id or name: every imported contact is subscribed to it. */
  list?: string | undefined;
}

function toImport(row: Selectable<ContactImportsTable>, now: number): ContactImport {
  const updatedAt = Number(row.updated_at);
  const stalled = row.status === 'running' && now - updatedAt > STALLED_AFTER_MS;
  return {
    id: row.id,
    status: stalled ? 'failed' : row.status,
    fileName: row.file_name,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    bytesRead: Number(row.bytes_read),
    listId: row.list_id,
    options: fromJson<ColumnOptions>(row.options) ?? {},
    rows: row.rows_read,
    created: row.created,
    updated: row.updated,
    unchanged: row.unchanged,
    failed: row.failed,
    failures: fromJson<{ line: number; reason: string }[]>(row.failures) ?? [],
    error: stalled ? 'the upload stopped before the end of the file (connection lost or server restarted)' : row.error,
    createdAt: Number(row.created_at),
    updatedAt,
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

export async function getImport(deps: ServiceDeps, workspaceId: string, id: string): Promise<ContactImport> {
  const row = await deps.store.db.selectFrom('contact_imports').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('contact import', id);
  return toImport(row, deps.clock.now());
}

export async function listImports(deps: ServiceDeps, workspaceId: string, page: { limit: number; beforeId?: string | undefined }): Promise<ContactImport[]> {
  let q = deps.store.db.selectFrom('contact_imports').selectAll().where('workspace_id', '=', workspaceId);
  if (page.beforeId) q = q.where('id', '<', page.beforeId);
  const now = deps.clock.now();
  return (
    await q
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute()
  ).map((r) => toImport(r, now));
}

export async function createImport(deps: ServiceDeps, workspaceId: string, input: NewImport, actor: string | null): Promise<ContactImport> {
  let listId: string | null = null;
  if (input.list !== undefined) {
    try {
      listId = await resolveList(deps, workspaceId, input.list);
    } catch (err) {
      if (err instanceof NotFoundError) throw ValidationError.at('list', `no list with the id or name "${input.list}"`);
      throw err;
    }
  }
  const now = deps.clock.now();
  const options: ColumnOptions = { map: input.map ?? {}, ignore: input.ignore ?? [], types: input.types ?? {} };
  const row = await deps.store.db
    .insertInto('contact_imports')
    .values({
      id: newId('imp', now),
      workspace_id: workspaceId,
      status: 'waiting',
      file_name: input.fileName,
      size_bytes: input.sizeBytes ?? null,
      options: toJson(options),
      list_id: listId,
      failures: toJson([]),
      error: null,
      created_by: actor,
      created_at: now,
      updated_at: now,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toImport(row, now);
}

/** The CLI's flag names in planColumns' issues, as this API's fields. */
function apiPath(path: string): string {
  if (path === '--map') return 'map';
  if (path === '--ignore') return 'ignore';
  if (path.startsWith('--')) return 'types';
  return path === 'header' ? 'file.header' : path;
}

/** Counts the bytes that pass, so progress can be shown against the file's size. */
function byteCounter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/** CSV the parser cannot skip past (e.g. a record over 128 KB) ends the import with its line. */
async function* guard(rows: AsyncIterable<RowResult>): AsyncGenerator<RowResult> {
  try {
    yield* rows;
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw ValidationError.at('file', `line ${e.lines ?? '?'}: malformed CSV: ${e.message.split(/ at line \d+/)[0]}`);
    }
    throw err;
  }
}

/**
 * Imports the uploaded CSV into the waiting job `id`. Returns the finished job; a header or CSV
 * problem fails the job and is thrown as a ValidationError (400) too.
 */
export async function runImport(deps: LoggedDeps, workspaceId: string, id: string, upload: Readable): Promise<ContactImport> {
  const { db } = deps.store;
  const started = await db
    .updateTable('contact_imports')
    .set({ status: 'running', updated_at: deps.clock.now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', 'waiting')
    .returningAll()
    .executeTakeFirst();
  if (!started) {
    await getImport(deps, workspaceId, id); // 404 when there is no such import
    throw new ConflictError(`contact import ${id} already received its file`, 'status');
  }
  const job = toImport(started, deps.clock.now());
  let bytes = 0;
  const failures: { line: number; reason: string }[] = [];
  // The upload flows only once the CSV reader listens (after importContacts' first await), so no
  // byte and no error can arrive at a stream nobody reads; an error before that is kept and thrown.
  let early: Error | null = null;
  const remember = (err: Error) => (early ??= err);
  upload.on('error', remember);
  async function* rows(): AsyncGenerator<RowResult> {
    if (early) throw early;
    const counter = byteCounter((n) => (bytes += n));
    const reader = readCsv(counter, job.options);
    const first = reader.next(); // runs readCsv up to its first await: its listeners are attached
    upload.off('error', remember);
    upload.on('error', (err) => counter.destroy(err));
    upload.pipe(counter);
    const head = await first;
    if (head.done) return;
    yield head.value;
    yield* reader;
  }

  const save = (stats: ImportStats, end?: { status: 'completed' | 'failed'; error: string | null }) => {
    const now = deps.clock.now();
    return db
      .updateTable('contact_imports')
      .set({
        bytes_read: bytes,
        rows_read: stats.rows,
        created: stats.created,
        updated: stats.updated,
        unchanged: stats.unchanged,
        failed: stats.failed,
        failures: toJson(failures),
        updated_at: now,
        ...(end ? { status: end.status, error: end.error, finished_at: now } : {}),
      })
      .where('id', '=', id)
      .execute();
  };
  let last: ImportStats = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  // Progress writes are chained, so a late one can never overwrite the final counters.
  let saving: Promise<unknown> = Promise.resolve();
  const finish = async (end: { status: 'completed' | 'failed'; error: string | null }) => {
    await saving.catch(() => {});
    await save(last, end);
  };
  try {
    last = await importContacts(deps, {
      workspaceId,
      rows: guard(rows()),
      listId: job.listId ?? undefined,
      onFailure: (line, reason) => {
        if (failures.length < MAX_REPORTED_FAILURES) failures.push({ line, reason });
      },
      onProgress: (stats) => {
        last = { ...stats };
        const snapshot = last;
        saving = saving.then(() => save(snapshot)).catch((err: unknown) => void deps.log.warn({ err, importId: id }, 'could not record import progress'));
      },
    });
    await finish({ status: 'completed', error: null });
  } catch (err) {
    if (err instanceof ValidationError) {
      const issues = err.issues.map((i) => ({ path: apiPath(i.path), message: i.message }));
      await finish({ status: 'failed', error: issues.map((i) => i.message).join('; ') });
      throw new ValidationError(issues);
    }
    const aborted = (err as NodeJS.ErrnoException).code === 'ECONNRESET' || /aborted/i.test(String((err as Error).message));
    await finish({ status: 'failed', error: aborted ? 'the upload was interrupted before the end of the file' : 'the import stopped on an internal error' });
    throw err;
  }
  return getImport(deps, workspaceId, id);
}
