/**
 * @module A journey's funnel from its step log (`journey_steps`): for each node, how many runs
 * reached it and how many steps ended in each outcome (`sent`, `skipped`, a branch's or split's
 * output, `event` / `timeout`, …), plus `$goal` and `$exit` for runs ended by a goal or exit event.
 * Nodes are listed in the document's order; a node no run has reached shows zeros. A message node
 * says its channel (from the document), so the funnel splits by channel; its messages' figures per
 * channel are the journey stats' `byNode[].byChannel`.
 */
import { sql } from 'kysely';
import type { JourneyDocument } from '../journeys/definition/schema.js';
import type { Db } from '../store/store.js';
import type { Range } from './scope.js';

export interface FunnelNode {
  node: string;
  type: string;
  /** The channel of a message node of the current version; null for other nodes and removed ones. */
  channel: string | null;
  /** Distinct runs with a step at this node. */
  reached: number;
  /** Steps by outcome (a run that loops counts once per visit). */
  outcomes: Record<string, number>;
}

export async function funnel(db: Db, workspaceId: string, journeyId: string, doc: JourneyDocument, range: Range): Promise<FunnelNode[]> {
  const within = sql`${range.from !== undefined ? sql`AND r.entered_at >= ${range.from}` : sql``} ${range.to !== undefined ? sql`AND r.entered_at < ${range.to}` : sql``}`;
  // Plain GROUP BYs (hash aggregates); COUNT(DISTINCT) made PostgreSQL sort every step row.
  const rows = await sql<{ node: string; outcome: string; steps: unknown }>`
    SELECT s.node_id AS node, s.outcome AS outcome, COUNT(*) AS steps
    FROM journey_runs r JOIN journey_steps s ON s.run_id = r.id
    WHERE r.workspace_id = ${workspaceId} AND r.journey_id = ${journeyId} ${within}
    GROUP BY 1, 2`.execute(db);
  const reached = await sql<{ node: string; runs: unknown }>`
    SELECT d.node AS node, COUNT(*) AS runs FROM (
      SELECT s.node_id AS node, s.run_id AS run_id
      FROM journey_runs r JOIN journey_steps s ON s.run_id = r.id
      WHERE r.workspace_id = ${workspaceId} AND r.journey_id = ${journeyId} ${within}
      GROUP BY 1, 2) d
    GROUP BY 1`.execute(db);
  const nodes = new Map<string, FunnelNode>();
  for (const n of doc.nodes) nodes.set(n.id, { node: n.id, type: n.type, channel: n.type === 'message' ? n.channel : null, reached: 0, outcomes: {} });
  const at = (id: string) => {
    if (!nodes.has(id)) nodes.set(id, { node: id, type: id === '$goal' ? 'goal' : id === '$exit' ? 'exit_event' : 'removed', channel: null, reached: 0, outcomes: {} });
    return nodes.get(id)!;
  };
  for (const r of reached.rows) at(r.node).reached = Number(r.runs);
  for (const r of rows.rows) at(r.node).outcomes[r.outcome] = Number(r.steps);
  return [...nodes.values()];
}

export interface FunnelChannel {
  /** The message nodes of the channel, in the document's order. */
  nodes: string[];
  /** Runs that reached each of them, summed (a run that reached two SMS steps counts twice). */
  reached: number;
  /** Steps by outcome over those nodes (`sent`, `skipped`, …). */
  outcomes: Record<string, number>;
}

/** The funnel's message steps summed per channel. */
export function funnelByChannel(nodes: FunnelNode[]): Record<string, FunnelChannel> {
  const out = new Map<string, FunnelChannel>();
  for (const n of nodes) {
    if (n.channel === null) continue;
    if (!out.has(n.channel)) out.set(n.channel, { nodes: [], reached: 0, outcomes: {} });
    const c = out.get(n.channel)!;
    c.nodes.push(n.node);
    c.reached += n.reached;
    for (const [o, k] of Object.entries(n.outcomes)) c.outcomes[o] = (c.outcomes[o] ?? 0) + k;
  }
  // fromEntries: a channel named `__proto__` stays a plain key.
  return Object.fromEntries(out);
}
