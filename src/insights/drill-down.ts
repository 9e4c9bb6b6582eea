/**
 * @module Explaining a finding by drilling down: for each dimension (recipient domain, template,
 * locale, provider, journey, segment) the messages of the flagged bucket and of its baseline buckets
 * (the same bucket of the earlier weeks) are counted per value, and each value's excess is what it
 * had minus what it would have had at its own baseline rate (for a count: its baseline average). A
 * value's share is its part of the total excess (of the deficit, for a drop): "hard bounces ×5,
 * 90% of the excess at inbox.gamma.test" means that domain alone carries the change.
 *
 * Segments are today's memberships (segment_members keeps no history) and a contact can be in
 * several, so segment shares can add up to more than 100%. Messages without a value on a dimension
 * (an SMS has no domain, a broadcast no journey) count as `(none)`.
 *
 * `store.dialect` is read (./sql.ts) to cut the domain out of the recipient address.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../store/store.js';
import { domainOf } from './sql.js';
import { METRICS, type Finding, type MetricName } from './detect.js';

export const DRILL_DIMENSIONS = ['domain', 'template', 'locale', 'provider', 'journey', 'segment'] as const;
export type DrillDimension = (typeof DRILL_DIMENSIONS)[number];

export interface DrillValue {
  value: string;
  observed: number;
  expected: number;
  /** observed / expected (null when nothing was expected). */
  ratio: number | null;
  /** This value's part of the total excess (or deficit), 0..1. */
  share: number;
  /** Its part of the flagged bucket's messages (the rate's denominator), 0..1: a share well above it is a concentration. */
  volumeShare: number;
}

export interface DrillDown {
  dimension: DrillDimension;
  /** The values carrying the change, largest share first (at most 5). */
  values: DrillValue[];
}

export interface Explanation {
  /** "hard bounces ×5.2 (233 where 45 were expected), 92% of the excess at domain inbox.gamma.test" */
  summary: string;
  observed: number;
  expected: number;
  dimensions: DrillDown[];
}

export interface ScopeFilter {
  kind: 'workspace' | 'channel' | 'journey';
  id: string;
}

/** Per metric: what a message adds to the numerator and to the denominator (null for a count). */
function parts(metric: MetricName): { num: RawBuilder<number>; den: RawBuilder<number> | null } {
  switch (metric) {
    case 'hard_bounce_rate':
      return { num: sql`CASE WHEN m.status = 'bounced' AND substr(m.reason, 1, 4) = 'hard' THEN 1 ELSE 0 END`, den: sql`1` };
    case 'complaint_rate':
      return { num: sql`CASE WHEN m.complained_at IS NOT NULL THEN 1 ELSE 0 END`, den: sql`CASE WHEN m.status = 'sent' THEN 1 ELSE 0 END` };
    case 'open_rate':
      return { num: sql`CASE WHEN m.first_opened_at IS NOT NULL THEN 1 ELSE 0 END`, den: sql`CASE WHEN m.status = 'sent' THEN 1 ELSE 0 END` };
    case 'click_rate':
      return { num: sql`CASE WHEN m.first_clicked_at IS NOT NULL THEN 1 ELSE 0 END`, den: sql`CASE WHEN m.status = 'sent' THEN 1 ELSE 0 END` };
    case 'unsubscribe_rate':
      // Unsubscribes are consent rows, not message columns: drilled by what was sent, they say nothing.
      return { num: sql`0`, den: sql`1` };
    case 'sends':
      return { num: sql`1`, den: null };
    default: {
      const never: never = metric;
      throw new Error(`unknown metric ${String(never)}`);
    }
  }
}

function dimensionSql(store: Store, d: DrillDimension): { value: RawBuilder<string | null>; join: RawBuilder<unknown> } {
  switch (d) {
    case 'domain':
      return { value: domainOf(store.dialect, 'm.to_address'), join: sql`` };
    case 'template':
      return { value: sql`m.template_id`, join: sql`` };
    case 'provider':
      return { value: sql`m.provider`, join: sql`` };
    case 'journey':
      return { value: sql`m.journey_id`, join: sql`` };
    case 'locale':
      return { value: sql`c.locale`, join: sql`LEFT JOIN contacts c ON c.id = m.contact_id` };
    case 'segment':
      return { value: sql`s.name`, join: sql`JOIN segment_members sm ON sm.contact_id = m.contact_id JOIN segments s ON s.id = sm.segment_id` };
    default: {
      const never: never = d;
      throw new Error(`unknown dimension ${String(never)}`);
    }
  }
}

export interface DrillInput {
  workspaceId: string;
  scope: ScopeFilter;
  finding: Finding;
  bucketMs: number;
  seasonMs: number;
  seasons: number;
}

/** The drill-down of one finding over every dimension, and its one-line summary. */
export async function explain(store: Store, input: DrillInput, dimensions: readonly DrillDimension[] = DRILL_DIMENSIONS): Promise<Explanation> {
  const metric = METRICS[input.finding.metric];
  const { num, den } = parts(input.finding.metric);
  const b = input.finding.bucket;
  const buckets = [b, ...Array.from({ length: input.seasons }, (_, k) => b - (k + 1) * input.seasonMs)];
  const inBuckets = sql.join(
    buckets.map((start) => sql`(m.created_at >= ${start} AND m.created_at < ${start + input.bucketMs})`),
    sql` OR `,
  );
  const scope = input.scope.kind === 'channel' ? sql`AND m.channel = ${input.scope.id}` : input.scope.kind === 'journey' ? sql`AND m.journey_id = ${input.scope.id}` : sql``;
  const results: DrillDown[] = [];
  let totals = { observed: 0, expected: 0 };
  for (const dimension of dimensions) {
    const { value, join } = dimensionSql(store, dimension);
    const rows = await sql<{ value: string | null; current: unknown; x: unknown; n: unknown }>`
      SELECT ${value} AS value, CASE WHEN m.created_at >= ${b} THEN 1 ELSE 0 END AS current, SUM(${num}) AS x, SUM(${den ?? sql`1`}) AS n
      FROM messages m ${join}
      WHERE m.workspace_id = ${input.workspaceId} AND m.status IN ('sent', 'bounced') AND (${inBuckets}) ${scope}
      GROUP BY 1, 2`.execute(store.db);
    const byValue = new Map<string, { x: number; n: number; bx: number; bn: number }>();
    for (const r of rows.rows) {
      const v = r.value ?? '(none)';
      const e = byValue.get(v) ?? { x: 0, n: 0, bx: 0, bn: 0 };
      if (Number(r.current) === 1) [e.x, e.n] = [e.x + Number(r.x), e.n + Number(r.n)];
      else [e.bx, e.bn] = [e.bx + Number(r.x), e.bn + Number(r.n)];
      byValue.set(v, e);
    }
    const baseTotal = [...byValue.values()].reduce((a, e) => ({ x: a.x + e.bx, n: a.n + e.bn }), { x: 0, n: 0 });
    const overallRate = baseTotal.n > 0 ? baseTotal.x / baseTotal.n : 0;
    const volume = [...byValue.values()].reduce((a, e) => a + (den === null ? e.bx / input.seasons : e.n), 0);
    const values = [...byValue.entries()].map(([v, e]) => {
      const expected = den === null ? e.bx / input.seasons : e.n * (e.bn > 0 ? e.bx / e.bn : overallRate);
      return { value: v, observed: e.x, expected, volumeShare: volume > 0 ? round((den === null ? e.bx / input.seasons : e.n) / volume) : 0 };
    });
    const sign = metric.direction === 'up' ? 1 : -1;
    const totalExcess = values.reduce((a, v) => a + Math.max(0, sign * (v.observed - v.expected)), 0);
    if (results.length === 0) totals = values.reduce((a, v) => ({ observed: a.observed + v.observed, expected: a.expected + v.expected }), { observed: 0, expected: 0 });
    results.push({
      dimension,
      values: values
        .map((v) => ({
          ...v,
          expected: round(v.expected),
          ratio: v.expected > 0 ? round(v.observed / v.expected) : null,
          share: totalExcess > 0 ? round(Math.max(0, sign * (v.observed - v.expected)) / totalExcess) : 0,
        }))
        .filter((v) => v.share > 0)
        .sort((x, y) => y.share - x.share || (x.value < y.value ? -1 : 1))
        .slice(0, 5),
    });
  }
  return { summary: summarize(metric.noun, totals, results), observed: totals.observed, expected: round(totals.expected), dimensions: results };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * The cause is named by the dimension whose top value carries most more of the change than of the
 * messages (share − volumeShare): one provider carrying all the excess and all the messages explains
 * nothing; one domain carrying 95% of the excess with 20% of the messages does.
 */
function summarize(noun: string, totals: { observed: number; expected: number }, results: readonly DrillDown[]): string {
  const times = totals.expected > 0 ? `×${(totals.observed / totals.expected).toFixed(1)}` : 'from none';
  const head = `${noun} ${times} (${totals.observed} where ${Math.round(totals.expected)} were expected)`;
  const lift = (r: DrillDown) => r.values[0]!.share - r.values[0]!.volumeShare;
  const best = results.filter((r) => r.dimension !== 'segment' && r.values.length > 0 && lift(r) > 0.2).sort((x, y) => lift(y) - lift(x))[0];
  if (!best) return head;
  const top = best.values[0]!;
  return `${head}, ${Math.round(top.share * 100)}% of the ${totals.observed >= totals.expected ? 'excess' : 'shortfall'} at ${best.dimension} ${top.value}`;
}
