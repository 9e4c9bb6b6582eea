/**
 * @module Auto-promotion of an A/B winner (a split's `autoPromote`; off unless the author sets it).
 * Decided by the stats worker when it recomputes the journey's snapshot (./snapshots.ts): once every
 * variant has `minSample` runs and one non-holdout variant's probability of the best conversion rate
 * (beta-binomial, ./probability.ts, among the non-holdout variants) reaches `probability`, that
 * variant is recorded as the winner, once and for good. The split node then sends new entrants there,
 * except those whose sticky bucket is a holdout: the holdout keeps measuring the journey's lift.
 * Contacts already past the split are not moved.
 */
import { toJson, type JsonObject } from '../core/json.js';
import type { ServiceDeps } from '../core/deps.js';
import { JourneyDocument } from '../journeys/definition/schema.js';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import { probabilityBest } from './probability.js';
import type { JourneyStats } from './stats.js';

export async function promotedVariant(db: Db, workspaceId: string, journeyId: string, nodeId: string): Promise<string | null> {
  const row = await db.selectFrom('stats_promotions').select('variant').where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId).where('node_id', '=', nodeId).executeTakeFirst();
  return row?.variant ?? null;
}

/** Records the winners `stats` shows for the splits of `doc` that ask for auto-promotion; returns how many. */
export async function decidePromotions(deps: ServiceDeps, workspaceId: string, doc: JourneyDocument, stats: JourneyStats): Promise<number> {
  let decided = 0;
  for (const node of doc.nodes) {
    if (node.type !== 'split' || !node.autoPromote) continue;
    const split = stats.experiments.find((e) => e.node === node.id);
    if (!split || split.variants.some((v) => v.runs < node.autoPromote!.minSample)) continue;
    const candidates = split.variants.filter((v) => !v.holdout);
    if (candidates.length < 2) continue;
    const p = probabilityBest(candidates.map((v) => ({ successes: v.conversions, n: v.runs })));
    const best = p.indexOf(Math.max(...p));
    if (p[best]! < node.autoPromote.probability) continue;
    const res = await deps.store.db
      .insertInto('stats_promotions')
      .values({
        workspace_id: workspaceId,
        journey_id: doc.id,
        node_id: node.id,
        variant: candidates[best]!.variant,
        probability: p[best]!,
        runs: split.variants.reduce((s, v) => s + v.runs, 0),
        decided_at: deps.clock.now(),
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'journey_id', 'node_id']).doNothing())
      .executeTakeFirst();
    decided += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return decided;
}

/**
 * Makes sure every live journey with an auto-promoting split has a snapshot row (an empty one that
 * is due at once), so the worker keeps its figures, and so its promotion decision, up to date even
 * if nobody opens its stats.
 */
export async function watchAutoPromotingJourneys(deps: ServiceDeps): Promise<number> {
  const rows = await deps.store.db
    .selectFrom('journeys')
    .innerJoin('journey_versions', (j) =>
      j
        .onRef('journey_versions.workspace_id', '=', 'journeys.workspace_id')
        .onRef('journey_versions.journey_id', '=', 'journeys.id')
        .onRef('journey_versions.version', '=', 'journeys.current_version'),
    )
    .select(['journeys.workspace_id', 'journeys.id', 'journey_versions.document'])
    .where('journeys.status', '=', 'live')
    .execute();
  let added = 0;
  for (const r of rows) {
    const doc = JourneyDocument.safeParse(fromJson(r.document));
    if (!doc.success || !doc.data.nodes.some((n) => n.type === 'split' && n.autoPromote)) continue;
    const res = await deps.store.db
      .insertInto('stats_snapshots')
      .values({ workspace_id: r.workspace_id, scope: 'journey', scope_id: r.id, body: toJson({} as JsonObject), computed_at: 0, compute_ms: 0, refreshing_until: null })
      .onConflict((oc) => oc.columns(['workspace_id', 'scope', 'scope_id']).doNothing())
      .executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}
