/**
 * @module What the runtime reads of journey definitions (tables of migrations/000002.sql, owned by
 * the definitions service): a version's document (immutable, so cached by version), a journey's state,
 * and a workspace's live journeys (one indexed query on journeys_workspace_status per call).
 */
import { JourneyDocument } from '../definition/schema.js';
import { fromJson } from '../../core/json.js';
import type { Db } from '../../store/store.js';
import type { JourneyStatus } from '../tables.js';

export interface JourneyState {
  status: JourneyStatus;
  currentVersion: number;
}

export interface LiveJourney {
  id: string;
  version: number;
  status: JourneyStatus;
  doc: JourneyDocument;
}

function parseDocument(raw: unknown): JourneyDocument {
  const value = fromJson<Record<string, unknown>>(raw);
  const parsed = JourneyDocument.safeParse({ ...value, status: 'live' });
  return parsed.success ? parsed.data : (value as unknown as JourneyDocument);
}

export class JourneyCatalog {
  private readonly versions = new Map<string, JourneyDocument>();

  async version(db: Db, workspaceId: string, journeyId: string, version: number): Promise<JourneyDocument | null> {
    const key = `${workspaceId}\u0000${journeyId}\u0000${version}`;
    const hit = this.versions.get(key);
    if (hit) return hit;
    const row = await db
      .selectFrom('journey_versions')
      .select('document')
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) return null;
    const doc = parseDocument(row.document);
    if (this.versions.size > 10_000) this.versions.clear();
    this.versions.set(key, doc);
    return doc;
  }

  async state(db: Db, workspaceId: string, journeyId: string): Promise<JourneyState | null> {
    const row = await db.selectFrom('journeys').select(['status', 'current_version']).where('workspace_id', '=', workspaceId).where('id', '=', journeyId).executeTakeFirst();
    return row ? { status: row.status, currentVersion: row.current_version } : null;
  }

  /** The workspace's live and paused journeys with their current documents (rows read each time: a few per workspace; documents cached). */
  async journeysInPlay(db: Db, workspaceId: string): Promise<LiveJourney[]> {
    const rows = await db.selectFrom('journeys').select(['id', 'current_version', 'status']).where('workspace_id', '=', workspaceId).where('status', 'in', ['live', 'paused']).execute();
    const journeys: LiveJourney[] = [];
    for (const r of rows) {
      const doc = await this.version(db, workspaceId, r.id, r.current_version);
      if (doc) journeys.push({ id: r.id, version: r.current_version, status: r.status, doc });
    }
    return journeys;
  }

  /** Live journeys only: the ones that enrol contacts. */
  async liveJourneys(db: Db, workspaceId: string): Promise<LiveJourney[]> {
    return (await this.journeysInPlay(db, workspaceId)).filter((j) => j.status === 'live');
  }
}

/** Event names a journey reacts to: its trigger, goal, exits and waits (for the inbox sink's filter). */
export function eventsOfInterest(doc: JourneyDocument): string[] {
  const names: string[] = [];
  if (doc.trigger.type === 'event') names.push(doc.trigger.event);
  if (doc.goal) names.push(doc.goal.event);
  for (const e of doc.exitWhen ?? []) names.push(e.event);
  for (const n of doc.nodes) if (n.type === 'wait_for_event') names.push(n.event);
  return names;
}
