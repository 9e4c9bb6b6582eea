/**
 * @module Topics: the subscription groups of the preference center (`/p/TOKEN`). A message node or a
 * broadcast names one in `topic`; contacts unsubscribed from it are skipped (src/consent). They are
 * kept in the workspace's email settings (`topics`), so `PUT /api/email/provider` and these
 * functions edit the same list.
 *
 * A topic's id is what journeys, broadcasts and consent records refer to, so it never changes:
 * "rename" changes the name and description only. Deleting a topic that a journey (any version of
 * one that is not archived: people stay on the version they entered) or an unfinished broadcast
 * still names is refused with the names of those users, because their messages would otherwise
 * carry a topic the preference center no longer offers. Consent records for a deleted topic are
 * kept (the consent ledger is append-only); the preference center still shows a topic to a contact
 * who has a record for it.
 *
 * A workspace without stored email settings uses the process-wide defaults; its first topic stores
 * those defaults as the workspace's own settings (the same as saving the settings form unchanged).
 */
import type { ServiceDeps } from '../../core/deps.js';
import type { SealingDeps } from '../../secrets/secret-box.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { fromJson } from '../../core/json.js';
import type { Db } from '../../store/store.js';
import { loadEmailSettings, storedEmailSettings, writeEmailSettings, type EmailSettings, type ResolvedEmailSettings } from './settings.js';

export interface Topic {
  id: string;
  name: string;
  description?: string | undefined;
}

export async function listTopics(db: Db, workspaceId: string, defaults: ResolvedEmailSettings): Promise<Topic[]> {
  return ((await storedEmailSettings(db, workspaceId)) ?? defaults.settings).topics ?? [];
}

async function changeTopics(deps: ServiceDeps & SealingDeps, workspaceId: string, defaults: ResolvedEmailSettings, change: (topics: Topic[], trx: Db) => Promise<Topic[]>): Promise<Topic[]> {
  return deps.store.transaction(async (trx) => {
    const previous = await loadEmailSettings(trx, workspaceId, deps.secretBox);
    const base = previous ?? defaults;
    const topics = await change([...(base.settings.topics ?? [])], trx);
    const settings: EmailSettings = { ...base.settings, topics };
    await writeEmailSettings(trx, deps.secretBox, deps.clock.now(), workspaceId, previous, settings, { ...base.secrets });
    return topics;
  });
}

export async function createTopic(deps: ServiceDeps & SealingDeps, workspaceId: string, defaults: ResolvedEmailSettings, topic: Topic): Promise<Topic> {
  await changeTopics(deps, workspaceId, defaults, async (topics) => {
    if (topics.some((t) => t.id === topic.id)) throw new ConflictError(`topic ${topic.id} already exists`, 'body.id');
    if (topics.length >= 100) throw new ConflictError('a workspace has at most 100 topics');
    return [...topics, topic];
  });
  return topic;
}

export async function updateTopic(
  deps: ServiceDeps & SealingDeps,
  workspaceId: string,
  defaults: ResolvedEmailSettings,
  id: string,
  patch: { name?: string | undefined; description?: string | null | undefined },
): Promise<Topic> {
  let updated: Topic | undefined;
  await changeTopics(deps, workspaceId, defaults, async (topics) =>
    topics.map((t) => {
      if (t.id !== id) return t;
      const next: Topic = { id: t.id, name: patch.name ?? t.name };
      const description = patch.description === undefined ? t.description : (patch.description ?? undefined);
      if (description) next.description = description;
      updated = next;
      return next;
    }),
  );
  if (!updated) throw new NotFoundError('topic', id);
  return updated;
}

export async function deleteTopic(deps: ServiceDeps & SealingDeps, workspaceId: string, defaults: ResolvedEmailSettings, id: string): Promise<void> {
  await changeTopics(deps, workspaceId, defaults, async (topics, trx) => {
    if (!topics.some((t) => t.id === id)) throw new NotFoundError('topic', id);
    const users = await topicUsers(trx, workspaceId, id);
    if (users.length > 0) throw new ConflictError(`topic ${id} is still used by ${users.join(', ')}`);
    return topics.filter((t) => t.id !== id);
  });
}

/** Who still names the topic: journeys that are not archived (any version) and unfinished broadcasts. */
export async function topicUsers(db: Db, workspaceId: string, topic: string): Promise<string[]> {
  const out: string[] = [];
  const broadcasts = await db
    .selectFrom('broadcasts')
    .select(['name', 'config'])
    .where('workspace_id', '=', workspaceId)
    .where('status', 'in', ['draft', 'scheduled', 'sending', 'paused'])
    .orderBy('name')
    .execute();
  // The topic is a key of the broadcast's channel config (src/broadcasts/broadcasts.ts).
  for (const b of broadcasts) if (fromJson<{ topic?: unknown }>(b.config)?.topic === topic) out.push(`broadcast "${b.name}"`);
  const versions = await db
    .selectFrom('journey_versions as v')
    .innerJoin('journeys as j', (join) => join.onRef('j.workspace_id', '=', 'v.workspace_id').onRef('j.id', '=', 'v.journey_id'))
    .select(['j.id', 'j.name', 'v.document'])
    .where('v.workspace_id', '=', workspaceId)
    .where('j.status', '!=', 'archived')
    .orderBy('j.id')
    .orderBy('v.version')
    .execute();
  const journeys = new Set<string>();
  for (const v of versions) {
    if (journeys.has(v.id)) continue;
    const doc = fromJson<{ nodes?: Array<{ type?: string; config?: { topic?: unknown } }> }>(v.document);
    if (doc?.nodes?.some((n) => n.type === 'message' && n.config?.topic === topic)) journeys.add(v.id);
  }
  for (const v of versions) if (journeys.delete(v.id)) out.push(`journey "${v.name}"`);
  return out;
}
