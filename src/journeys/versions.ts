/**
 * @module Journey versions (docs/standards.md §3). A version is an immutable, validated document; changing
 * a journey's content appends version N+1 and never rewrites N, so runs can go on reading the
 * version they are on. Applying a document equal to the current version is a no-op.
 *
 * The rule for runs when a new version goes live (implemented by the runtime; docs/journeys.md): a
 * run continues on the new version if its current node id still exists there, otherwise it finishes
 * on its old version; a delay already computed keeps its due time.
 *
 * `getVersion` keeps parsed documents in a per-database cache: versions never change, so the
 * runtime can ask for one on every step without re-reading and re-parsing its JSON.
 */
import { fromJson, toJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import { JourneyDocument } from './definition/schema.js';

/** A document as stored: its content, without `status` (state lives in the `journeys` row). */
export type JourneyContent = Omit<JourneyDocument, 'status'>;

export function contentOf(doc: JourneyDocument): JourneyContent {
  const { status: _status, ...content } = doc;
  return content;
}

/** JSON with sorted keys, so two equal documents compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

export function sameContent(a: JourneyContent, b: JourneyContent): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Parses a stored document (re-applying schema defaults added since it was stored). */
export function parseStored(document: unknown): JourneyContent {
  return contentOf(JourneyDocument.parse(fromJson(document)));
}

export async function readContent(db: Db, workspaceId: string, journeyId: string, version: number): Promise<JourneyContent | undefined> {
  const row = await db.selectFrom('journey_versions').select('document').where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId).where('version', '=', version).executeTakeFirst();
  if (!row) return undefined;
  // A stored document that does not parse is an incomplete draft (./definition/draft.ts), or one the
  // schema no longer accepts: compared as stored, so saving the same draft again is a no-op and a
  // different document becomes a new version.
  const stored = fromJson<JourneyDocument>(row.document);
  const parsed = JourneyDocument.safeParse(stored);
  return parsed.success ? contentOf(parsed.data) : contentOf(stored);
}

export async function insertVersion(db: Db, workspaceId: string, content: JourneyContent, version: number, now: number): Promise<void> {
  await db
    .insertInto('journey_versions')
    .values({ workspace_id: workspaceId, journey_id: content.id, version, document: toJson(content), created_at: now })
    .execute();
}

export async function listVersions(db: Db, workspaceId: string, journeyId: string): Promise<Array<{ version: number; createdAt: number }>> {
  const rows = await db.selectFrom('journey_versions').select(['version', 'created_at']).where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId).orderBy('version').execute();
  return rows.map((r) => ({ version: r.version, createdAt: r.created_at }));
}

const CACHE_LIMIT = 1000;
// Keyed weakly by database handle (tests open many databases in one process, with equal workspace ids),
// so each runtime's store has its own and drops it with the store. Module-level on purpose: bounded
// (CACHE_LIMIT per handle) and pure, since a stored version's document never changes (the status is
// read fresh on every call).
const caches = new WeakMap<Db, Map<string, JourneyContent>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * One version's document as an editor opens it: parsed when complete, else as stored (an incomplete
 * draft), with `status` set to the journey's current status; undefined when there is no such version.
 */
export async function getStoredDocument(db: Db, workspaceId: string, journeyId: string, version: number): Promise<JourneyDocument | undefined> {
  const complete = await getVersion(db, workspaceId, journeyId, version);
  if (complete) return complete;
  const row = await db
    .selectFrom('journeys')
    .innerJoin('journey_versions as v', (j) => j.onRef('v.workspace_id', '=', 'journeys.workspace_id').onRef('v.journey_id', '=', 'journeys.id'))
    .where('journeys.workspace_id', '=', workspaceId)
    .where('journeys.id', '=', journeyId)
    .where('v.version', '=', version)
    .select(['journeys.status', 'v.document'])
    .executeTakeFirst();
  return row ? { ...fromJson<JourneyDocument>(row.document), status: row.status } : undefined;
}

/**
 * The parsed document of one version, with `status` set to the journey's current status; undefined
 * when there is no such version or it does not parse (an incomplete draft: nothing runs it). The
 * content is shared and frozen: do not mutate it.
 */
export async function getVersion(db: Db, workspaceId: string, journeyId: string, version: number): Promise<JourneyDocument | undefined> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const key = `${workspaceId}\0${journeyId}\0${version}`;
  const cached = cache.get(key);
  const journey = db.selectFrom('journeys').where('journeys.workspace_id', '=', workspaceId).where('journeys.id', '=', journeyId);
  if (cached) {
    const row = await journey.select('status').executeTakeFirst();
    return row ? { ...cached, status: row.status } : undefined;
  }
  const row = await journey
    .innerJoin('journey_versions as v', (j) => j.onRef('v.workspace_id', '=', 'journeys.workspace_id').onRef('v.journey_id', '=', 'journeys.id'))
    .where('v.version', '=', version)
    .select(['journeys.status', 'v.document'])
    .executeTakeFirst();
  if (!row) return undefined;
  const parsed = JourneyDocument.safeParse(fromJson(row.document));
  if (!parsed.success) return undefined;
  const content = deepFreeze(contentOf(parsed.data));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, content);
  return { ...content, status: row.status };
}
