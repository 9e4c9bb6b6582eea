/**
 * @module A/B results of a journey's split nodes. For each variant: the runs that took it, their
 * conversion (goal) rate and click rate (runs with a click on a message sent after the split, per
 * run that was delivered one) with 95 % Wilson intervals, and the probability that the variant has
 * the best conversion rate (Bayesian beta-binomial, ./probability.ts), given once every variant has
 * `minSample` runs. A variant from which no message node can be reached is a holdout: the journey's
 * lift is the pooled conversion rate of the other variants against it. Each variant's delivery and
 * click figures are also split by channel (`byChannel`), delivery in the channel's terms
 * (./channel-measures.ts: an SMS is delivered by its receipt).
 */
import { sql, type RawBuilder } from 'kysely';
import type { JourneyDocument } from '../journeys/definition/schema.js';
import type { Db } from '../store/store.js';
import { channelMeasures, type MeasuresOf } from './channel-measures.js';
import { probabilityBest, wilson } from './probability.js';
import type { Range } from './scope.js';

export const DEFAULT_MIN_SAMPLE = 100;

export interface VariantStats {
  variant: string;
  holdout: boolean;
  runs: number;
  conversions: number;
  conversionRate: number | null;
  conversionCi: { low: number; high: number } | null;
  goalValue: number;
  delivered: number;
  clicked: number;
  clickRate: number | null;
  clickCi: { low: number; high: number } | null;
  probabilityBest: number | null;
  /** Per channel of the journey's messages: runs delivered a message of it after the split, and of those that clicked one. */
  byChannel: Record<string, VariantChannel>;
}

export interface VariantChannel {
  delivered: number;
  clicked: number;
  clickRate: number | null;
}

export interface SplitStats {
  node: string;
  method: 'bayesian-beta-binomial';
  minSample: number;
  /** Why probabilityBest is null, when it is. */
  note: string | null;
  variants: VariantStats[];
  lift: { treatmentRate: number | null; holdoutRate: number | null; absolute: number | null; relative: number | null; probabilityTreatmentBetter: number | null } | null;
}

/** Variant outputs of a split whose branch reaches no message node (sends nothing). */
export function holdoutOutputs(doc: JourneyDocument, splitId: string): Set<string> {
  const out = new Set<string>();
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const split = byId.get(splitId);
  if (!split || split.type !== 'split') return out;
  for (const v of split.variants) {
    const seen = new Set<string>();
    const queue = doc.edges.filter((e) => e.from === splitId && e.output === v.output).map((e) => e.to);
    let sends = false;
    while (queue.length && !sends) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (byId.get(id)?.type === 'message') sends = true;
      for (const e of doc.edges) if (e.from === id) queue.push(e.to);
    }
    if (!sends) out.add(v.output);
  }
  return out;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1e6) / 1e6 : null);

export async function splitStats(
  db: Db,
  workspaceId: string,
  journeyId: string,
  doc: JourneyDocument,
  range: Range,
  minSample = DEFAULT_MIN_SAMPLE,
  measuresOf: MeasuresOf = channelMeasures,
): Promise<SplitStats[]> {
  const splits = doc.nodes.filter((n) => n.type === 'split');
  if (splits.length === 0) return [];
  // One pass over the journey's messages, aggregated per run, hash-joined to the variant runs.
  // Measured at 100k messages on PostgreSQL (docs/stats.md): two correlated EXISTS probes per run
  // took 3.3 s, a join of messages to the variant runs 0.69 s, this one (see the bench).
  const within = sql`${range.from !== undefined ? sql`AND r.entered_at >= ${range.from}` : sql``} ${range.to !== undefined ? sql`AND r.entered_at < ${range.to}` : sql``}`;
  const rows = await sql<{ node: string; variant: string; runs: unknown; conversions: unknown; value: unknown; delivered: unknown; clicked: unknown }>`
    WITH v AS (
      SELECT s.run_id AS run_id, s.node_id AS node, s.outcome AS variant, s.executed_at AS at, r.status AS status, r.goal_value AS value
      FROM journey_runs r JOIN journey_steps s ON s.run_id = r.id
      WHERE r.workspace_id = ${workspaceId} AND r.journey_id = ${journeyId} AND s.node_id IN (${sql.join(splits.map((n) => sql`${n.id}`))}) ${within}
    ), e AS (
      -- Per run, the latest delivered and the latest clicked message: "a message after the split
      -- was delivered" is "the latest delivered one was recorded at or after the split".
      SELECT m.run_id AS run_id,
        MAX(CASE WHEN m.status = 'sent' THEN m.created_at END) AS delivered_at,
        MAX(CASE WHEN m.first_clicked_at IS NOT NULL THEN m.created_at END) AS clicked_at
      FROM messages m
      WHERE m.workspace_id = ${workspaceId} AND m.journey_id = ${journeyId} AND m.run_id IS NOT NULL
      GROUP BY 1
    )
    SELECT v.node AS node, v.variant AS variant, COUNT(*) AS runs,
      SUM(CASE WHEN v.status = 'converted' THEN 1 ELSE 0 END) AS conversions, SUM(v.value) AS value,
      SUM(CASE WHEN e.delivered_at >= v.at THEN 1 ELSE 0 END) AS delivered,
      SUM(CASE WHEN e.clicked_at >= v.at THEN 1 ELSE 0 END) AS clicked
    FROM v LEFT JOIN e ON e.run_id = v.run_id
    GROUP BY 1, 2`.execute(db);
  // One channel delivered on acceptance (an email-only journey): its figures are the totals, so the
  // second pass over the journey's messages is not needed.
  const channels = [...new Set(doc.nodes.flatMap((n) => (n.type === 'message' ? [n.channel] : [])))].sort();
  const single = channels.length === 1 && measuresOf(channels[0]!).delivered === 'accepted' ? channels[0]! : null;
  const perChannel = single === null && channels.length > 0 ? await variantChannels(db, workspaceId, journeyId, splits, within, measuresOf) : new Map<string, Map<string, VariantChannel>>();
  return splits.map((split) => {
    if (split.type !== 'split') throw new Error('unreachable');
    const holdouts = holdoutOutputs(doc, split.id);
    const variants: VariantStats[] = split.variants.map((v) => {
      const r = rows.rows.find((x) => x.node === split.id && x.variant === v.output);
      const runs = num(r?.runs);
      const conversions = num(r?.conversions);
      const delivered = num(r?.delivered);
      const clicked = num(r?.clicked);
      return {
        variant: v.output,
        holdout: holdouts.has(v.output),
        runs,
        conversions,
        conversionRate: rate(conversions, runs),
        conversionCi: wilson(conversions, runs),
        goalValue: Math.round(num(r?.value) * 100) / 100,
        delivered,
        clicked,
        clickRate: rate(clicked, delivered),
        clickCi: wilson(clicked, delivered),
        probabilityBest: null,
        byChannel:
          single !== null ? Object.fromEntries([[single, { delivered, clicked, clickRate: rate(clicked, delivered) }]]) : withChannels(channels, perChannel.get(`${split.id}\u0000${v.output}`)),
      };
    });
    const small = variants.filter((v) => v.runs < minSample);
    let note: string | null = null;
    if (small.length) {
      note = `needs ${minSample} runs per variant (${small.map((v) => `${v.variant}: ${v.runs}`).join(', ')})`;
    } else {
      const p = probabilityBest(variants.map((v) => ({ successes: v.conversions, n: v.runs })));
      variants.forEach((v, i) => (v.probabilityBest = p[i]!));
    }
    return { node: split.id, method: 'bayesian-beta-binomial', minSample, note, variants, lift: liftOf(variants, minSample) };
  });
}

/** Every channel of the journey's message nodes, zero where the variant has none of it. */
function withChannels(channels: string[], found: Map<string, VariantChannel> | undefined): Record<string, VariantChannel> {
  const names = [...new Set([...channels, ...(found?.keys() ?? [])])].sort();
  return Object.fromEntries(names.map((c) => [c, found?.get(c) ?? { delivered: 0, clicked: 0, clickRate: null }]));
}

/**
 * Per split variant and channel: runs with a message of the channel delivered (in the channel's
 * terms) and clicked at or after the split. The same shape as the totals' query, aggregated per run
 * and channel; keyed `node \0 variant`.
 */
async function variantChannels(db: Db, workspaceId: string, journeyId: string, splits: JourneyDocument['nodes'], within: RawBuilder<unknown>, measuresOf: MeasuresOf) {
  const rows = await sql<{ node: string; variant: string; channel: string; accepted: unknown; receipted: unknown; clicked: unknown }>`
    WITH v AS (
      SELECT s.run_id AS run_id, s.node_id AS node, s.outcome AS variant, s.executed_at AS at
      FROM journey_runs r JOIN journey_steps s ON s.run_id = r.id
      WHERE r.workspace_id = ${workspaceId} AND r.journey_id = ${journeyId} AND s.node_id IN (${sql.join(splits.map((n) => sql`${n.id}`))}) ${within}
    ), e AS (
      SELECT m.run_id AS run_id, m.channel AS channel,
        MAX(CASE WHEN m.status = 'sent' THEN m.created_at END) AS accepted_at,
        MAX(CASE WHEN m.status = 'sent' AND m.delivery_status = 'delivered' THEN m.created_at END) AS receipt_at,
        MAX(CASE WHEN m.first_clicked_at IS NOT NULL THEN m.created_at END) AS clicked_at
      FROM messages m
      WHERE m.workspace_id = ${workspaceId} AND m.journey_id = ${journeyId} AND m.run_id IS NOT NULL
      GROUP BY 1, 2
    )
    SELECT v.node AS node, v.variant AS variant, e.channel AS channel,
      SUM(CASE WHEN e.accepted_at >= v.at THEN 1 ELSE 0 END) AS accepted,
      SUM(CASE WHEN e.receipt_at >= v.at THEN 1 ELSE 0 END) AS receipted,
      SUM(CASE WHEN e.clicked_at >= v.at THEN 1 ELSE 0 END) AS clicked
    FROM v JOIN e ON e.run_id = v.run_id
    GROUP BY 1, 2, 3`.execute(db);
  const out = new Map<string, Map<string, VariantChannel>>();
  for (const r of rows.rows) {
    const k = `${r.node}\u0000${r.variant}`;
    if (!out.has(k)) out.set(k, new Map());
    const delivered = measuresOf(r.channel).delivered === 'receipt' ? num(r.receipted) : num(r.accepted);
    const clicked = num(r.clicked);
    out.get(k)!.set(r.channel, { delivered, clicked, clickRate: rate(clicked, delivered) });
  }
  return out;
}

function liftOf(variants: VariantStats[], minSample: number): SplitStats['lift'] {
  const hold = variants.filter((v) => v.holdout);
  const treat = variants.filter((v) => !v.holdout);
  if (hold.length === 0 || treat.length === 0) return null;
  const h = { successes: hold.reduce((s, v) => s + v.conversions, 0), n: hold.reduce((s, v) => s + v.runs, 0) };
  const t = { successes: treat.reduce((s, v) => s + v.conversions, 0), n: treat.reduce((s, v) => s + v.runs, 0) };
  const treatmentRate = rate(t.successes, t.n);
  const holdoutRate = rate(h.successes, h.n);
  const absolute = treatmentRate !== null && holdoutRate !== null ? Math.round((treatmentRate - holdoutRate) * 1e6) / 1e6 : null;
  const relative = absolute !== null && holdoutRate ? Math.round((absolute / holdoutRate) * 1e4) / 1e4 : null;
  const enough = h.n >= minSample && t.n >= minSample;
  return { treatmentRate, holdoutRate, absolute, relative, probabilityTreatmentBetter: enough ? probabilityBest([t, h])[0]! : null };
}
