/**
 * @module The broadcasts service: create and edit drafts, read with progress, list, and the state
 * moves (schedule, pause, resume, cancel). Every move is one conditional UPDATE on the current state,
 * so two concurrent requests (or a request racing the worker) cannot both win; the loser gets a
 * ConflictError naming `status`. A marketing email broadcast is not scheduled (nor resumed) while the
 * workspace has no postal address (CAN-SPAM): 409 naming `postalAddress` and how to set it.
 */
import type { Insertable, Updateable } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { toJson, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';
import { channelFactories } from '../channels/registry.js';
import { toBroadcast, type Broadcast } from './broadcast.js';
import type { BroadcastCreateInput, BroadcastPatchInput } from './schemas.js';
import type { BroadcastStatus, BroadcastsTable } from './tables.js';
import { requirePostalAddress } from '../workspaces/postal-address.js';

type Draft = Omit<BroadcastCreateInput, 'channel' | 'kind'> & { channel: string; kind: 'marketing' | 'transactional' };

/** Checks what the schema cannot: the channel is registered, the template and the audience exist here. */
async function checkReferences(db: Db, workspaceId: string, d: Pick<Draft, 'channel' | 'template' | 'audience'>): Promise<void> {
  const issues: FieldIssue[] = [];
  if (!Object.hasOwn(channelFactories, d.channel)) issues.push({ path: 'channel', message: `unknown channel "${d.channel}"; known: ${Object.keys(channelFactories).join(', ')}` });
  if (d.channel === 'email' && !d.template) issues.push({ path: 'template', message: 'an email broadcast needs a template' });
  if (d.template) {
    const t = await db.selectFrom('templates').select(['kind', 'archived_at']).where('workspace_id', '=', workspaceId).where('id', '=', d.template).executeTakeFirst();
    if (!t || t.archived_at !== null) issues.push({ path: 'template', message: `template ${d.template} not found` });
    else if (t.kind === 'partial' || t.kind === 'layout') issues.push({ path: 'template', message: `template ${d.template} is a ${t.kind}, not a message` });
  }
  const table = d.audience.type === 'segment' ? 'segments' : 'lists';
  const found = await db.selectFrom(table).select('id').where('workspace_id', '=', workspaceId).where('id', '=', d.audience.id).executeTakeFirst();
  if (!found) issues.push({ path: 'audience.id', message: `${d.audience.type} ${d.audience.id} not found` });
  if (issues.length) throw new ValidationError(issues);
}

type DraftColumns = Pick<Insertable<BroadcastsTable>, 'name' | 'channel' | 'template' | 'kind' | 'audience_type' | 'audience_id' | 'send_at' | 'local_time' | 'rate_per_s'> & {
  config: string;
  quiet_hours: string | null;
  frequency_cap: string | null;
};

function columns(d: Draft): DraftColumns {
  const config: JsonObject = { ...((d.config ?? {}) as JsonObject) };
  if (d.topic) config.topic = d.topic;
  return {
    name: d.name,
    channel: d.channel,
    template: d.template ?? null,
    config: toJson(config),
    kind: d.kind,
    audience_type: d.audience.type,
    audience_id: d.audience.id,
    send_at: d.sendAt ?? null,
    local_time: d.localTime ?? null,
    quiet_hours: d.quietHours ? toJson(d.quietHours) : null,
    frequency_cap: d.frequencyCap ? toJson(d.frequencyCap) : null,
    rate_per_s: d.ratePerSecond ?? null,
  };
}

export async function createBroadcast(deps: ServiceDeps, workspaceId: string, input: BroadcastCreateInput): Promise<Broadcast> {
  await checkReferences(deps.store.db, workspaceId, input);
  const now = deps.clock.now();
  const id = newId('bc', now);
  await deps.store.db
    .insertInto('broadcasts')
    .values({ id, workspace_id: workspaceId, ...columns(input), status: 'draft', throttle_at: 0, total: 0, sent: 0, failed: 0, skipped: 0, created_at: now, updated_at: now })
    .execute();
  return getBroadcast(deps, workspaceId, id);
}

export async function getBroadcast(deps: ServiceDeps, workspaceId: string, id: string): Promise<Broadcast> {
  const row = await deps.store.db.selectFrom('broadcasts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('broadcast', id);
  return toBroadcast(row);
}

export async function listBroadcasts(deps: ServiceDeps, workspaceId: string, page: { limit: number; afterId?: string | undefined }): Promise<Broadcast[]> {
  let q = deps.store.db
    .selectFrom('broadcasts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.afterId) q = q.where('id', '>', page.afterId);
  return (await q.execute()).map(toBroadcast);
}

/** What may still be edited: nothing has been snapshotted or sent yet. */
const EDITABLE: readonly BroadcastStatus[] = ['draft', 'scheduled'];

/**
 * Edits a draft or a scheduled broadcast that has not started; the merged broadcast is checked again
 * as a whole. The UPDATE is conditional on the status it read, so an edit racing the worker's start
 * (scheduled → sending) either lands before the snapshot or is refused with 409.
 */
export async function updateBroadcast(deps: ServiceDeps, workspaceId: string, id: string, patch: BroadcastPatchInput): Promise<Broadcast> {
  const current = await getBroadcast(deps, workspaceId, id);
  if (!EDITABLE.includes(current.status)) throw new ConflictError(`broadcast ${id} is ${current.status}; only a draft or a scheduled broadcast that has not started can be edited`, 'status');
  const merged: Draft = {
    name: patch.name ?? current.name,
    channel: patch.channel ?? current.channel,
    template: patch.template !== undefined ? patch.template : current.template,
    topic: patch.topic !== undefined ? patch.topic : current.topic,
    config: patch.config ?? current.config,
    kind: patch.kind ?? current.kind,
    audience: patch.audience ?? current.audience,
    sendAt: patch.sendAt !== undefined ? patch.sendAt : current.sendAt,
    localTime: patch.localTime !== undefined ? patch.localTime : current.localTime,
    ratePerSecond: patch.ratePerSecond !== undefined ? patch.ratePerSecond : current.ratePerSecond,
    quietHours: (patch.quietHours !== undefined ? patch.quietHours : current.quietHours) as Draft['quietHours'],
    frequencyCap: (patch.frequencyCap !== undefined ? patch.frequencyCap : current.frequencyCap) as Draft['frequencyCap'],
  };
  await checkReferences(deps.store.db, workspaceId, merged);
  const res = await deps.store.db
    .updateTable('broadcasts')
    .set({ ...columns(merged), updated_at: deps.clock.now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', current.status)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new ConflictError(`broadcast ${id} is no longer ${current.status}; it cannot be edited now`, 'status');
  return getBroadcast(deps, workspaceId, id);
}

/** Moves the broadcast from one of `from` to `to` with `set`; a ConflictError when it was in another state. */
async function move(deps: ServiceDeps, workspaceId: string, id: string, from: readonly BroadcastStatus[], to: BroadcastStatus, set: Updateable<BroadcastsTable>, verb: string): Promise<Broadcast> {
  const now = deps.clock.now();
  const res = await deps.store.db
    .updateTable('broadcasts')
    .set({ ...set, status: to, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    const current = await getBroadcast(deps, workspaceId, id);
    throw new ConflictError(`cannot ${verb} broadcast ${id}: it is ${current.status} (allowed from ${from.join(', ')})`, 'status');
  }
  return getBroadcast(deps, workspaceId, id);
}

async function assertPostalAddress(deps: ServiceDeps, workspaceId: string, b: Broadcast, verb: string): Promise<void> {
  if (b.channel === 'email' && b.kind === 'marketing') await requirePostalAddress(deps.store.db, workspaceId, `cannot ${verb} broadcast ${b.id}`);
}

/** draft → scheduled. `sendAt` (when given) replaces the stored one; none at all: start now. */
export async function scheduleBroadcast(deps: ServiceDeps, workspaceId: string, id: string, options: { sendAt?: number | null | undefined } = {}): Promise<Broadcast> {
  const current = await getBroadcast(deps, workspaceId, id);
  // The template or audience may have gone since the draft was written.
  if (current.status === 'draft') await checkReferences(deps.store.db, workspaceId, current);
  if (current.status === 'draft') await assertPostalAddress(deps, workspaceId, current, 'schedule');
  const now = deps.clock.now();
  const sendAt = options.sendAt !== undefined ? options.sendAt : current.sendAt;
  return move(deps, workspaceId, id, ['draft'], 'scheduled', { send_at: sendAt ?? now, scheduled_at: now }, 'schedule');
}

/**
 * scheduled → draft, to edit it again before it starts; it keeps its stored sendAt. Once the worker
 * has started it (sending, its audience snapshotted) it can only be paused or cancelled: 409.
 */
export function unscheduleBroadcast(deps: ServiceDeps, workspaceId: string, id: string): Promise<Broadcast> {
  return move(deps, workspaceId, id, ['scheduled'], 'draft', { scheduled_at: null }, 'unschedule');
}

/** scheduled or sending → paused: no recipient is claimed until resumed (a batch in flight finishes). */
export function pauseBroadcast(deps: ServiceDeps, workspaceId: string, id: string): Promise<Broadcast> {
  return move(deps, workspaceId, id, ['scheduled', 'sending'], 'paused', {}, 'pause');
}

/** paused → sending (or back to scheduled when it had not started yet). */
export async function resumeBroadcast(deps: ServiceDeps, workspaceId: string, id: string): Promise<Broadcast> {
  const current = await getBroadcast(deps, workspaceId, id);
  if (current.status === 'paused') await assertPostalAddress(deps, workspaceId, current, 'resume');
  return move(deps, workspaceId, id, ['paused'], current.startedAt === null ? 'scheduled' : 'sending', {}, 'resume');
}

/** Anything not finished → cancelled: recipients not yet sent never will be. */
export function cancelBroadcast(deps: ServiceDeps, workspaceId: string, id: string): Promise<Broadcast> {
  return move(deps, workspaceId, id, ['draft', 'scheduled', 'sending', 'paused'], 'cancelled', { cancelled_at: deps.clock.now() }, 'cancel');
}
