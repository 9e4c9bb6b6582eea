/**
 * @module Reacting to inbox signals, one transaction per signal that also deletes it (so each is
 * handled exactly once). For an event, in this order:
 *  1. goals and exit events end the contact's open runs at once (docs/standards.md §5): goal = converted
 *     with the value from `valueProperty`, exitWhen = exited without credit;
 *  2. runs waiting for this event resume along `event` — the first matching event received after the
 *     wait started wins, and its properties become `event.*` (docs/standards.md §6);
 *  3. live journeys whose trigger matches enrol the contact (entry rules in ./enroll.ts): an event
 *     trigger by name and filters, a page_view trigger by URL pattern (../definition/page-trigger.ts).
 * contact_created, list_joined and segment_entered only enrol.
 *
 * `dialect` only travels through here to the batched step statements of ./bulk.ts (measured there).
 */
import { laneOf } from './lane.js';
import type { Db, DialectName } from '../../store/store.js';
import type { StoredEvent } from '../../events/signals.js';
import type { JsonObject } from '../../core/json.js';
import { fromJson, toJson } from '../../core/json.js';
import type { JourneyDocument } from '../definition/schema.js';
import { claimInbox, type InboxRow } from './claim.js';
import { matchesFilters, getPath } from '../../conditions/conditions.js';
import { enroll } from './enroll.js';
import { pageTriggerMatches } from '../definition/page-trigger.js';
import { loadContacts } from '../../contacts/load.js';
import { toRun, type Run } from './run.js';
import { edgeTarget } from './walk.js';
import { insertSteps } from './writer.js';
import { claimToken, type JourneyRuntime } from './runtime.js';

async function endRun(trx: Db, dialect: DialectName, run: Run, status: 'converted' | 'exited', reason: string, now: number, value: number | null, eventId: number): Promise<void> {
  const res = await trx
    .updateTable('journey_runs')
    .set({ status, exit_reason: reason, goal_value: value, ended_at: now, updated_at: now, due_at: null, claimed_by: null, lease_until: null })
    .where('id', '=', run.id)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return;
  const node = status === 'converted' ? '$goal' : '$exit';
  await insertSteps(trx, dialect, run, [{ nodeId: node, visit: run.visit, outcome: status, detail: { eventId, ...(value !== null ? { value } : {}), reason }, dueAt: null }], now);
}

async function resumeWait(trx: Db, dialect: DialectName, run: Run, doc: JourneyDocument, event: StoredEvent, now: number): Promise<void> {
  const target = edgeTarget(doc, run.node!, 'event');
  const res = await trx
    .updateTable('journey_runs')
    .set({
      status: target === null ? 'completed' : 'active',
      current_node: target,
      visit: run.visit + 1,
      due_at: target === null ? null : now,
      lane: laneOf(doc, target),
      ended_at: target === null ? now : null,
      exit_reason: target === null ? 'end_of_journey' : null,
      wait_event: null,
      wait_filters: null,
      wait_started_at: null,
      event_props: toJson(event.properties),
      claimed_by: null,
      lease_until: null,
      updated_at: now,
    })
    .where('id', '=', run.id)
    .where('visit', '=', run.visit)
    .where('status', '=', 'waiting')
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return;
  await insertSteps(trx, dialect, run, [{ nodeId: run.node!, visit: run.visit, outcome: 'event', detail: { event: event.name, eventId: event.id }, dueAt: null }], now);
}

function goalValue(doc: JourneyDocument, props: JsonObject): number | null {
  if (!doc.goal?.valueProperty) return null;
  const v = getPath(props, doc.goal.valueProperty);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

async function onEvent(rt: JourneyRuntime, trx: Db, event: StoredEvent, now: number): Promise<void> {
  const open = (await trx.selectFrom('journey_runs').selectAll().where('workspace_id', '=', event.workspaceId).where('contact_id', '=', event.contactId).where('ended_at', 'is', null).execute()).map(
    toRun,
  );
  for (const run of open) {
    const doc = await rt.catalog.version(trx, run.workspaceId, run.journeyId, run.version);
    if (!doc) continue;
    if (doc.goal && doc.goal.event === event.name && matchesFilters(event.properties, doc.goal.where)) {
      await endRun(trx, rt.store.dialect, run, 'converted', 'goal', now, goalValue(doc, event.properties), event.id);
      continue;
    }
    const exit = (doc.exitWhen ?? []).find((e) => e.event === event.name && matchesFilters(event.properties, e.where));
    if (exit) {
      await endRun(trx, rt.store.dialect, run, 'exited', `exit_event:${event.name}`, now, null, event.id);
      continue;
    }
    if (run.status === 'waiting' && run.wait && run.wait.event === event.name && event.receivedAt >= run.wait.startedAt && matchesFilters(event.properties, run.wait.where)) {
      await resumeWait(trx, rt.store.dialect, run, doc, event, now);
    }
  }
  await enrollMatching(
    rt,
    trx,
    event.workspaceId,
    event.contactId,
    now,
    event.properties,
    (doc) => (doc.trigger.type === 'event' && doc.trigger.event === event.name && matchesFilters(event.properties, doc.trigger.where)) || pageTriggerMatches(doc.trigger, event),
  );
}

async function enrollMatching(rt: JourneyRuntime, trx: Db, workspaceId: string, contactId: string, now: number, trigger: JsonObject, matches: (doc: JourneyDocument) => boolean): Promise<void> {
  const journeys = (await rt.catalog.liveJourneys(trx, workspaceId)).filter((j) => matches(j.doc));
  if (journeys.length === 0) return;
  const contact = (await loadContacts(trx, [contactId])).get(contactId);
  if (!contact) return;
  for (const j of journeys) await enroll(trx, { journeyId: j.id, version: j.version, doc: j.doc, contact, trigger, now });
}

async function handle(rt: JourneyRuntime, trx: Db, row: InboxRow, now: number): Promise<void> {
  const payload = fromJson<JsonObject>(row.payload) ?? {};
  switch (row.kind) {
    case 'event':
      return onEvent(rt, trx, payload as unknown as StoredEvent, now);
    case 'contact_created':
      return enrollMatching(rt, trx, row.workspace_id, row.contact_id, now, {}, (d) => d.trigger.type === 'contact_created');
    case 'list_joined': {
      const listId = String(payload.listId);
      const list = await trx.selectFrom('lists').select('name').where('id', '=', listId).executeTakeFirst();
      return enrollMatching(rt, trx, row.workspace_id, row.contact_id, now, { listId }, (d) => d.trigger.type === 'list_joined' && (d.trigger.list === listId || d.trigger.list === list?.name));
    }
    case 'segment_entered': {
      const segmentId = String(payload.segmentId);
      return enrollMatching(rt, trx, row.workspace_id, row.contact_id, now, { segmentId }, (d) => d.trigger.type === 'segment_entered' && d.trigger.segment === segmentId);
    }
    default:
      rt.log.warn({ kind: row.kind }, 'unknown journey inbox signal; dropped');
  }
}

/** Claims and handles one batch of inbox signals; returns how many it handled. */
export async function processInbox(rt: JourneyRuntime): Promise<number> {
  const now = rt.clock.now();
  const token = claimToken(rt);
  const rows = await claimInbox(rt.store, token, now, rt.config.worker.leaseMs, rt.config.worker.batchSize);
  for (const row of rows) {
    try {
      await rt.store.transaction(async (trx) => {
        // Still ours? (a lease that expired may have been taken over)
        const del = await trx.deleteFrom('journey_inbox').where('id', '=', row.id).where('claimed_by', '=', token).executeTakeFirst();
        if (Number(del.numDeletedRows) === 0) return;
        await handle(rt, trx, row, now);
      });
    } catch (err) {
      // The signal stays in the inbox (leased) and is retried when its lease expires; the others go on.
      rt.log.error({ err, inboxId: row.id, kind: row.kind }, 'journey inbox signal failed; will retry');
    }
  }
  return rows.length;
}
