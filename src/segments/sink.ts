/**
 * @module The segments' signal sink (listed in src/server/signal-sinks.ts). Inside the ingesting
 * transaction it only records which (segment, contact) pairs need re-checking: one multi-row
 * INSERT … ON CONFLICT DO NOTHING into segment_dirty, for the segments that the signal can affect
 * (an index of each workspace's segment dependencies). The worker task (./task.ts) does the checking.
 *
 * The index is a cache only, one per runtime (a field of the sink): per workspace it is keyed by a
 * change marker (count and latest updated_at of the workspace's segments, one indexed query per
 * transaction), so an edit made by another process is seen by the next ingest; this process forgets
 * its own edits at once (`deps.signals.forget`, from ./segments.ts).
 */
import type { Signal, SignalSink } from '../events/signals.js';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import { dependenciesOf, changedKey } from './dependencies.js';
import type { Condition } from './definition.js';

export interface DependencyIndex {
  all: string[];
  byEvent: Map<string, string[]>;
  byAttribute: Map<string, string[]>;
  byList: string[];
  /** Segments with visit or session conditions: re-checked on every human page view. */
  byPageView: string[];
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids) ids.push(id);
  else map.set(key, [id]);
}

export function buildIndex(segments: { id: string; conditions: Condition }[]): DependencyIndex {
  const index: DependencyIndex = { all: [], byEvent: new Map(), byAttribute: new Map(), byList: [], byPageView: [] };
  for (const s of segments) {
    const d = dependenciesOf(s.conditions);
    index.all.push(s.id);
    for (const e of d.events) push(index.byEvent, e, s.id);
    for (const a of d.attributes) push(index.byAttribute, a, s.id);
    if (d.lists) index.byList.push(s.id);
    if (d.pageViews) index.byPageView.push(s.id);
  }
  return index;
}

type IndexCache = Map<string, { marker: string; index: DependencyIndex }>;

export async function dependencyIndex(cache: IndexCache, db: Db, workspaceId: string): Promise<DependencyIndex> {
  const m = await db
    .selectFrom('segments')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('at')])
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  const marker = `${m.n}:${m.at ?? ''}`;
  const hit = cache.get(workspaceId);
  if (hit && hit.marker === marker) return hit.index;
  const rows = Number(m.n) === 0 ? [] : await db.selectFrom('segments').select(['id', 'conditions']).where('workspace_id', '=', workspaceId).execute();
  const index = buildIndex(rows.map((r) => ({ id: r.id, conditions: fromJson<Condition>(r.conditions) })));
  if (cache.size > 10_000) cache.clear();
  cache.set(workspaceId, { marker, index });
  return index;
}

type DirtyRow = { segment_id: string; contact_id: string; workspace_id: string; created_at: number };

/** The sink with its own index cache; `forget` drops a workspace's index (this process changed its segments). */
export function createSegmentSignalSink(): SignalSink {
  const cache: IndexCache = new Map();
  return {
    record: (trx, signals, now) => recordSegmentSignals(cache, trx, signals, now),
    forget: (workspaceId) => void cache.delete(workspaceId),
  };
}

async function recordSegmentSignals(cache: IndexCache, trx: Db, signals: readonly Signal[], now: number): Promise<void> {
  const rows: DirtyRow[] = [];
  const indexes = new Map<string, DependencyIndex>();
  const indexFor = async (ws: string) => {
    let i = indexes.get(ws);
    if (!i) indexes.set(ws, (i = await dependencyIndex(cache, trx, ws)));
    return i;
  };
  const mark = (ws: string, contactId: string, ids: readonly string[] | undefined) => {
    for (const id of ids ?? []) rows.push({ segment_id: id, contact_id: contactId, workspace_id: ws, created_at: now });
  };
  for (const s of signals) {
    switch (s.kind) {
      case 'event': {
        const index = await indexFor(s.event.workspaceId);
        mark(s.event.workspaceId, s.event.contactId, index.byEvent.get(s.event.name));
        // Bots' page views emit no signal (src/events/bots.ts), so only human visits get here.
        if (s.event.type === 'page') mark(s.event.workspaceId, s.event.contactId, index.byPageView);
        break;
      }
      case 'contact_created':
        mark(s.workspaceId, s.contactId, (await indexFor(s.workspaceId)).all);
        break;
      case 'contact_updated': {
        const index = await indexFor(s.workspaceId);
        mark(s.workspaceId, s.contactId, [...new Set(s.changed.flatMap((c) => index.byAttribute.get(changedKey(c)) ?? []))]);
        break;
      }
      case 'contact_merged':
        // The survivor gained events, lists and attributes: every segment may change for it.
        mark(s.workspaceId, s.intoContactId, (await indexFor(s.workspaceId)).all);
        break;
      case 'list_joined':
        mark(s.workspaceId, s.contactId, (await indexFor(s.workspaceId)).byList);
        break;
      case 'contact_deleted': // memberships go with the contact (ON DELETE CASCADE)
      case 'segment_entered': // segments do not depend on segments
        break;
      default: {
        const never: never = s;
        throw new Error(`unknown signal ${JSON.stringify(never)}`);
      }
    }
  }
  if (rows.length === 0) return;
  // Multi-row insert, 500 rows (2,000 parameters) per statement; duplicates collapse on the primary key.
  for (let i = 0; i < rows.length; i += 500) {
    await trx
      .insertInto('segment_dirty')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['segment_id', 'contact_id']).doNothing())
      .execute();
  }
}
