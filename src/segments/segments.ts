/**
 * @module The segments service: create (membership computed in the same transaction), read with
 * member count, update (recomputed), delete, preview an unsaved definition (count + a sample of 20),
 * page through members, and apply many at once (the CLI), all or nothing.
 *
 * `store.dialect` only travels through here to the segment compiler and refresh (./compile.ts,
 * ./members.ts: hand-written SQL over JSON paths, which differ per backend).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromJson, toJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import { compileCondition } from './compile.js';
import { parseConditions, type Condition } from './definition.js';
import { dependenciesOf } from './dependencies.js';
import { countMatching, readWithFullEvaluation } from './evaluation.js';
import { lockSegment, refreshMembership, type RefreshResult } from './members.js';

/** How often a time-relative segment is recomputed unless it says otherwise. */
export const DEFAULT_REFRESH_MINUTES = 15;

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  conditions: Condition;
  /** Minutes between scheduled recomputes; null when the segment never needs one. */
  refreshIntervalMinutes: number | null;
  computedAt: number | null;
  createdAt: number;
  updatedAt: number;
  memberCount?: number;
}

const fields = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _, at most 64')
    .optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  refreshIntervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
};
const inputSchema = z.object({ ...fields, conditions: z.unknown() });

export interface SegmentInput {
  id?: string | undefined;
  name: string;
  description?: string | null | undefined;
  refreshIntervalMinutes?: number | undefined;
  conditions: Condition;
}

/** Validates a segment document; every problem is reported with its path. */
export function parseSegmentInput(raw: unknown): SegmentInput {
  const issues: FieldIssue[] = [];
  const base = inputSchema.safeParse(raw);
  if (!base.success) issues.push(...base.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
  let conditions: Condition | null = null;
  try {
    conditions = parseConditions((raw as { conditions?: unknown } | null)?.conditions);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues);
  }
  if (issues.length || !base.success || !conditions) throw new ValidationError(issues);
  return { ...base.data, conditions };
}

/** JSON with sorted keys: PostgreSQL's jsonb reorders keys, so stored and new trees compare by this. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

type Row = { id: string; name: string; description: string | null; conditions: unknown; refresh_interval_ms: number | null; computed_at: number | null; created_at: number; updated_at: number };

function toSegment(r: Row): Segment {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    conditions: fromJson<Condition>(r.conditions),
    refreshIntervalMinutes: r.refresh_interval_ms === null ? null : Math.round(Number(r.refresh_interval_ms) / 60_000),
    computedAt: r.computed_at === null ? null : Number(r.computed_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function refreshMs(input: SegmentInput): number | null {
  if (!dependenciesOf(input.conditions).scheduled) return input.refreshIntervalMinutes ? input.refreshIntervalMinutes * 60_000 : null;
  return (input.refreshIntervalMinutes ?? DEFAULT_REFRESH_MINUTES) * 60_000;
}

async function findRow(db: Db, workspaceId: string, id: string): Promise<Row> {
  const row = await db.selectFrom('segments').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('segment', id);
  return row;
}

async function assertNameFree(db: Db, workspaceId: string, name: string, exceptId: string | null): Promise<void> {
  const other = await db.selectFrom('segments').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
  if (other && other.id !== exceptId) throw new ConflictError(`a segment named "${name}" already exists (${other.id})`, 'name');
}

/** Creates or replaces (by id) one segment and recomputes its membership, inside `trx`. */
export async function saveIn(
  deps: ServiceDeps,
  trx: Db,
  workspaceId: string,
  input: SegmentInput,
  mode: 'create' | 'upsert' | 'update',
): Promise<{ segment: Segment; outcome: 'created' | 'updated' | 'unchanged'; changes: RefreshResult }> {
  const now = deps.clock.now();
  const id = input.id ?? newId('seg', now);
  const existing = await trx.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
  if (existing && existing.workspace_id !== workspaceId) throw new ConflictError(`segment id ${id} is taken`, 'id');
  if (existing && mode === 'create') throw new ConflictError(`segment ${id} already exists`, 'id');
  if (!existing && mode === 'update') throw new NotFoundError('segment', id);
  await assertNameFree(trx, workspaceId, input.name, id);
  const values = {
    name: input.name,
    description: input.description ?? null,
    conditions: toJson(input.conditions),
    refresh_interval_ms: refreshMs(input),
    updated_at: now,
  };
  let outcome: 'created' | 'updated' | 'unchanged' = 'created';
  if (existing) {
    const same =
      existing.name === values.name &&
      existing.description === values.description &&
      canonical(fromJson(existing.conditions)) === canonical(input.conditions) &&
      existing.refresh_interval_ms === values.refresh_interval_ms;
    outcome = same ? 'unchanged' : 'updated';
    if (!same)
      await trx
        .updateTable('segments')
        .set({ ...values, next_refresh_at: values.refresh_interval_ms === null ? null : now + values.refresh_interval_ms })
        .where('id', '=', id)
        .execute();
  } else {
    await trx
      .insertInto('segments')
      .values({ id, workspace_id: workspaceId, ...values, next_refresh_at: values.refresh_interval_ms === null ? null : now + values.refresh_interval_ms, computed_at: null, created_at: now })
      .execute();
  }
  let changes: RefreshResult = { entered: 0, exited: 0 };
  if (outcome !== 'unchanged') {
    await lockSegment(trx, deps.store.dialect, id);
    changes = await refreshMembership(trx, { dialect: deps.store.dialect, signals: deps.signals }, { id, workspaceId, name: input.name, conditions: input.conditions }, now);
    await trx.updateTable('segments').set({ computed_at: now }).where('id', '=', id).execute();
  }
  deps.signals.forget(workspaceId);
  return { segment: toSegment(await findRow(trx, workspaceId, id)), outcome, changes };
}

export async function createSegment(deps: ServiceDeps, workspaceId: string, raw: unknown): Promise<Segment> {
  const input = parseSegmentInput(raw);
  const saved = await deps.store.transaction((trx) => saveIn(deps, trx, workspaceId, input, 'create'));
  return { ...saved.segment, memberCount: await memberCount(deps.store.db, saved.segment.id) };
}

export async function updateSegment(deps: ServiceDeps, workspaceId: string, id: string, raw: unknown): Promise<Segment> {
  const current = toSegment(await findRow(deps.store.db, workspaceId, id));
  const merged = { name: current.name, description: current.description, conditions: current.conditions, ...(raw as object), id };
  if (current.refreshIntervalMinutes !== null && !('refreshIntervalMinutes' in (raw as object))) Object.assign(merged, { refreshIntervalMinutes: current.refreshIntervalMinutes });
  const input = parseSegmentInput(merged);
  const saved = await deps.store.transaction((trx) => saveIn(deps, trx, workspaceId, input, 'update'));
  return { ...saved.segment, memberCount: await memberCount(deps.store.db, id) };
}

/** Applies many segments (upsert by id) in one transaction: all or nothing. */
export async function applySegments(deps: ServiceDeps, workspaceId: string, inputs: SegmentInput[]) {
  return deps.store.transaction(async (trx) => {
    const out = [];
    for (const input of inputs) out.push(await saveIn(deps, trx, workspaceId, input, 'upsert'));
    return out;
  });
}

export async function deleteSegment(deps: ServiceDeps, workspaceId: string, id: string): Promise<void> {
  const res = await deps.store.db.deleteFrom('segments').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('segment', id);
  deps.signals.forget(workspaceId);
}

export async function memberCount(db: Db, segmentId: string): Promise<number> {
  const r = await db
    .selectFrom('segment_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('segment_id', '=', segmentId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function getSegment(deps: ServiceDeps, workspaceId: string, id: string): Promise<Segment> {
  const segment = toSegment(await findRow(deps.store.db, workspaceId, id));
  return { ...segment, memberCount: await memberCount(deps.store.db, id) };
}

export async function listSegments(deps: ServiceDeps, workspaceId: string, page: { limit: number; afterId?: string | undefined }): Promise<Segment[]> {
  let q = deps.store.db
    .selectFrom('segments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  return (await q.execute()).map(toSegment);
}

export interface MemberRow {
  contactId: string;
  userId: string | null;
  email: string | null;
  enteredAt: number;
}

/** One page of members in contact id order (cursor: the last contact id). */
export async function segmentMembers(deps: ServiceDeps, workspaceId: string, id: string, page: { limit: number; afterId?: string | undefined }): Promise<MemberRow[]> {
  await findRow(deps.store.db, workspaceId, id);
  let q = deps.store.db
    .selectFrom('segment_members as m')
    .innerJoin('contacts as c', 'c.id', 'm.contact_id')
    .select(['m.contact_id', 'c.user_id', 'c.email', 'm.entered_at'])
    .where('m.segment_id', '=', id)
    .orderBy('m.contact_id')
    .limit(page.limit + 1);
  if (page.afterId) q = q.where('m.contact_id', '>', page.afterId);
  return (await q.execute()).map((r) => ({ contactId: r.contact_id, userId: r.user_id, email: r.email, enteredAt: Number(r.entered_at) }));
}

export const PREVIEW_SAMPLE = 20;

/** Count and the first 20 (by id) contacts an unsaved definition selects now. */
export async function previewSegment(deps: ServiceDeps, workspaceId: string, rawConditions: unknown) {
  const conditions = parseConditions(rawConditions);
  const now = deps.clock.now();
  const pred = compileCondition(conditions, { dialect: deps.store.dialect, workspaceId, now, mode: 'full' });
  return readWithFullEvaluation(deps.store, async (db) => {
    const count = await countMatching(db, workspaceId, pred);
    const sample = await sql<{ id: string; user_id: string | null; email: string | null }>`SELECT c.id, c.user_id, c.email FROM contacts c
      WHERE c.workspace_id = ${workspaceId} AND ${pred} ORDER BY c.id LIMIT ${PREVIEW_SAMPLE}`.execute(db);
    return { count, sample: sample.rows.map((r) => ({ contactId: r.id, userId: r.user_id, email: r.email })) };
  });
}
