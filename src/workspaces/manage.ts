/**
 * @module Managing workspaces (docs/workspaces.md): create, list, rename, archive and unarchive, and
 * the per-workspace ingestion rate. Who may do what is the caller's business (the API lets owners of
 * the workspace, ./workspaces.routes.ts; the CLI runs on the server with the database's rights).
 *
 * Archiving keeps every row: the workspace's keys ingest nothing (src/events/browser-key.ts) and
 * the worker claims none of its due work (./archived.ts) until it is unarchived.
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Db } from '../store/store.js';
import type { Role } from '../users/tables.js';
import { createWorkspace } from './workspaces.js';

export const MAX_WORKSPACE_NAME = 100;
/** Calls per second one workspace may be set to; past it the limit means nothing on one server. */
export const MAX_INGEST_RATE = 1_000_000;

export interface WorkspaceSummary {
  id: string;
  name: string;
  timezone: string;
  createdAt: number;
  archivedAt: number | null;
  /** Ingestion calls per second; null: the server's default; 0: unlimited. */
  ingestRatePerSecond: number | null;
}

export interface MemberWorkspace extends WorkspaceSummary {
  role: Role;
}

/** A workspace's name: trimmed, 1–100 characters, no control characters. */
export function checkWorkspaceName(name: unknown, path = 'name'): string {
  if (typeof name !== 'string') throw ValidationError.at(path, 'a name is required');
  const trimmed = name.trim();
  if (trimmed === '') throw ValidationError.at(path, 'a name is required');
  if (trimmed.length > MAX_WORKSPACE_NAME) throw ValidationError.at(path, `use at most ${MAX_WORKSPACE_NAME} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw ValidationError.at(path, 'no control characters (line breaks, tabs, …)');
  return trimmed;
}

/** An ingestion rate: null (the default), 0 (unlimited) or a whole number of calls per second. */
export function checkIngestRate(rate: unknown, path = 'ingestRatePerSecond'): number | null {
  if (rate === null) return null;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 0 || rate > MAX_INGEST_RATE) {
    throw ValidationError.at(path, `a whole number of calls per second from 0 (unlimited) to ${MAX_INGEST_RATE}, or null for the server's default`);
  }
  return rate;
}

/** Creates a workspace; with `ownerId`, that user becomes its owner in the same transaction. */
export async function createManagedWorkspace(deps: ServiceDeps, input: { name: string; timezone?: string; ownerId?: string }): Promise<WorkspaceSummary> {
  const name = checkWorkspaceName(input.name);
  return deps.store.transaction(async (trx) => {
    const ws = await createWorkspace(deps, { name, ...(input.timezone ? { timezone: input.timezone } : {}) }, trx);
    if (input.ownerId) {
      await trx.insertInto('workspace_members').values({ workspace_id: ws.id, user_id: input.ownerId, role: 'owner', created_at: deps.clock.now() }).execute();
    }
    return summaryOf(await rowOf(trx, ws.id));
  });
}

/** Every workspace, active first, then by name (the CLI's list). */
export async function listWorkspaces(deps: ServiceDeps): Promise<WorkspaceSummary[]> {
  const rows = await deps.store.db.selectFrom('workspaces').select(COLUMNS).orderBy('name').orderBy('id').execute();
  return sortActiveFirst(rows.map(summaryOf));
}

/** The workspaces a user belongs to, with the user's role in each (the web app's switcher). */
export async function workspacesOf(deps: ServiceDeps, userId: string): Promise<MemberWorkspace[]> {
  const rows = await deps.store.db
    .selectFrom('workspace_members as m')
    .innerJoin('workspaces', 'workspaces.id', 'm.workspace_id')
    .select([...COLUMNS.map((c) => `workspaces.${c}` as const), 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('workspaces.name')
    .orderBy('workspaces.id')
    .execute();
  return sortActiveFirst(rows.map((r) => ({ ...summaryOf(r), role: r.role })));
}

export async function getWorkspace(deps: ServiceDeps, id: string): Promise<WorkspaceSummary> {
  return summaryOf(await rowOf(deps.store.db, id));
}

/** Changes the name and (when given) the ingestion rate; absent fields stay as they are. */
export async function updateWorkspace(deps: ServiceDeps, id: string, input: { name?: string | undefined; ingestRatePerSecond?: number | null | undefined }): Promise<WorkspaceSummary> {
  const set: { name?: string; ingest_rate_per_second?: number | null } = {};
  if (input.name !== undefined) set.name = checkWorkspaceName(input.name);
  if (input.ingestRatePerSecond !== undefined) set.ingest_rate_per_second = checkIngestRate(input.ingestRatePerSecond);
  if (Object.keys(set).length > 0) {
    const r = await deps.store.db.updateTable('workspaces').set(set).where('id', '=', id).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new NotFoundError('workspace', id);
  }
  return getWorkspace(deps, id);
}

/** Archives (or, with `archived` false, unarchives) a workspace; archiving twice keeps the first time. */
export async function setArchived(deps: ServiceDeps, id: string, archived: boolean): Promise<WorkspaceSummary> {
  const now = deps.clock.now();
  const r = await deps.store.db
    .updateTable('workspaces')
    .set((eb) => ({ archived_at: archived ? eb.fn.coalesce('archived_at', eb.val(now)) : null }))
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError('workspace', id);
  return getWorkspace(deps, id);
}

const COLUMNS = ['id', 'name', 'timezone', 'created_at', 'archived_at', 'ingest_rate_per_second'] as const;

type Row = { id: string; name: string; timezone: string; created_at: number; archived_at: number | null; ingest_rate_per_second: number | null };

async function rowOf(db: Db, id: string): Promise<Row> {
  const row = await db.selectFrom('workspaces').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('workspace', id);
  return row;
}

function summaryOf(r: Row): WorkspaceSummary {
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    createdAt: Number(r.created_at),
    archivedAt: r.archived_at === null ? null : Number(r.archived_at),
    ingestRatePerSecond: r.ingest_rate_per_second === null ? null : Number(r.ingest_rate_per_second),
  };
}

function sortActiveFirst<T extends WorkspaceSummary>(list: T[]): T[] {
  return [...list.filter((w) => w.archivedAt === null), ...list.filter((w) => w.archivedAt !== null)];
}
