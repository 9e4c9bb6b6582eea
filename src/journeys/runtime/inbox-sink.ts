/**
 * @module The journey engine's signal sink (built per runtime by src/server/signal-sinks.ts), called
 * inside the transaction that ingests an event or changes a contact, so an acknowledged signal is
 * never lost on its way to the engine. It only records work: a row in journey_inbox, and only when
 * a live or paused journey of the workspace could care (its trigger, goal, exit events or wait
 * nodes; cached per workspace in the sink and re-read when the workspace's journeys change). A deleted contact's open runs end here at once; a
 * merged contact's runs move to the survivor (./merge.ts).
 *
 * `segment_entered` (emitted by src/segments): recorded the same way; journeys whose
 * `trigger.segment` equals the segment id start.
 */
import type { Signal, SignalSink } from '../../events/signals.js';
import type { Db } from '../../store/store.js';
import { toJson } from '../../core/json.js';
import { JourneyCatalog, eventsOfInterest } from './catalog.js';
import { moveJourneyState } from './merge.js';

export interface Interest {
  events: Set<string>;
  /** A page_view trigger: every page view may start it (the URL is matched by the inbox). */
  pageViews: boolean;
  contactCreated: boolean;
  lists: Set<string>;
  segments: Set<string>;
}

export async function interestOf(db: Db, workspaceId: string, c: JourneyCatalog): Promise<Interest> {
  const interest: Interest = { events: new Set(), pageViews: false, contactCreated: false, lists: new Set(), segments: new Set() };
  for (const j of await c.journeysInPlay(db, workspaceId)) {
    for (const e of eventsOfInterest(j.doc)) interest.events.add(e);
    const t = j.doc.trigger;
    if (t.type === 'contact_created') interest.contactCreated = true;
    if (t.type === 'page_view') interest.pageViews = true;
    if (t.type === 'list_joined') interest.lists.add(t.list);
    if (t.type === 'segment_entered') interest.segments.add(t.segment);
  }
  return interest;
}

function wanted(i: Interest, e: { type: string; name: string }): boolean {
  return i.events.has(e.name) || (i.pageViews && e.type === 'page');
}

type InboxInsert = { workspace_id: string; kind: string; contact_id: string; payload: string; created_at: number };

/**
 * The sink with its catalog of journeys in play: a cache only (no database handle is kept), keyed by
 * workspace and the journeys' change marker; one per runtime.
 */
export function createJourneySignalSink(catalog: JourneyCatalog = new JourneyCatalog()): SignalSink {
  return { record: (trx, signals, now) => recordJourneySignals(catalog, trx, signals, now) };
}

async function recordJourneySignals(catalog: JourneyCatalog, trx: Db, signals: readonly Signal[], now: number): Promise<void> {
  const rows: InboxInsert[] = [];
  const interests = new Map<string, Interest>();
  const interestFor = async (ws: string): Promise<Interest> => {
    let i = interests.get(ws);
    if (!i) {
      i = await interestOf(trx, ws, catalog);
      interests.set(ws, i);
    }
    return i;
  };
  for (const s of signals) {
    switch (s.kind) {
      case 'event':
        if (wanted(await interestFor(s.event.workspaceId), s.event)) {
          rows.push({ workspace_id: s.event.workspaceId, kind: 'event', contact_id: s.event.contactId, payload: toJson(s.event), created_at: now });
        }
        break;
      case 'contact_created':
        if ((await interestFor(s.workspaceId)).contactCreated) rows.push({ workspace_id: s.workspaceId, kind: 'contact_created', contact_id: s.contactId, payload: '{}', created_at: now });
        break;
      case 'list_joined':
        // Triggers may name the list by id or by name, so any list counts when a list trigger exists.
        if ((await interestFor(s.workspaceId)).lists.size > 0) {
          rows.push({ workspace_id: s.workspaceId, kind: 'list_joined', contact_id: s.contactId, payload: toJson({ listId: s.listId }), created_at: now });
        }
        break;
      case 'segment_entered':
        if ((await interestFor(s.workspaceId)).segments.has(s.segmentId)) {
          rows.push({ workspace_id: s.workspaceId, kind: 'segment_entered', contact_id: s.contactId, payload: toJson({ segmentId: s.segmentId }), created_at: now });
        }
        break;
      case 'contact_deleted':
        await trx
          .updateTable('journey_runs')
          .set({ status: 'exited', exit_reason: 'contact_deleted', ended_at: now, updated_at: now, due_at: null, claimed_by: null, lease_until: null })
          .where('workspace_id', '=', s.workspaceId)
          .where('contact_id', '=', s.contactId)
          .where('ended_at', 'is', null)
          .execute();
        break;
      case 'contact_merged':
        await moveJourneyState(trx, s.workspaceId, s.fromContactId, s.intoContactId, now);
        break;
      case 'contact_updated': // not a journey trigger (yet)
        break;
      default: {
        const never: never = s;
        throw new Error(`unknown signal ${JSON.stringify(never)}`);
      }
    }
  }
  if (rows.length > 0) await trx.insertInto('journey_inbox').values(rows).execute();
}
