/**
 * @module The journeys list's figures in one query (GET /api/stats/journeys): for every journey of
 * the workspace with runs in it now, how many are active and how many are waiting. One GROUP BY over
 * journey_runs_journey (workspace_id, journey_id, status, id), where the list used to ask for two
 * pages of runs per row.
 */
import { sql } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';

export interface JourneyFigures {
  journeyId: string;
  active: number;
  waiting: number;
}

export async function journeyFigures(deps: ServiceDeps, workspaceId: string): Promise<JourneyFigures[]> {
  const rows = await deps.store.db
    .selectFrom('journey_runs')
    .select(['journey_id', 'status', sql<number | string>`count(*)`.as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('status', 'in', ['active', 'waiting'])
    .groupBy(['journey_id', 'status'])
    .execute();
  const byJourney = new Map<string, JourneyFigures>();
  for (const r of rows) {
    const f = byJourney.get(r.journey_id) ?? { journeyId: r.journey_id, active: 0, waiting: 0 };
    if (r.status === 'active') f.active = Number(r.n);
    else f.waiting = Number(r.n);
    byJourney.set(r.journey_id, f);
  }
  return [...byJourney.values()].sort((a, b) => (a.journeyId < b.journeyId ? -1 : a.journeyId > b.journeyId ? 1 : 0));
}
