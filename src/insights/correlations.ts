/**
 * @module The correlation finder: which attributes, segment memberships, events and message
 * exposures go with a conversion. Worded as association, never cause: every row says how to test
 * it (a holdout or an A/B split), because a correlation here may be a shared cause (docs/insights.md).
 *
 * Timing, so the outcome cannot leak into what it is compared with: the window is [S, now) with
 * S = now − windowDays. The outcome is measured in the window (an `Order Completed` event, or a run of
 * the journey that entered in the window reaching its goal); the candidates are measured before S
 * (events and messages in [S − lookbackDays, S), segment memberships entered before S). Attributes
 * are the contacts' current ones: we keep no attribute history, so an attribute set *because* of a
 * conversion would show up here (docs/insights.md says so).
 *
 * Counting is SQL on both backends (one statement per kind of candidate, the population as a CTE),
 * the statistics JS (./correlations-stats.ts). Attribute candidates come from a sample of 2,000
 * contacts: scalar keys seen in at least 1 % of them (the 50 most common); numbers in quartile buckets cut at the
 * sample's quartiles, strings and booleans their 10 most frequent values (keys with more than 50
 * distinct values in the sample, like names, are skipped).
 */
import { sql } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import { fromJson, type Json } from '../core/json.js';
import type { ServiceDeps } from '../core/deps.js';
import { JsonReader, type Expr } from '../segments/sql-values.js';
import { associate, benjaminiHochberg, type Association } from './correlations-stats.js';

const DAY_MS = 86_400_000;
export const PURCHASE_EVENT = 'Order Completed';
const SAMPLE = 2000;
const MAX_KEYS = 50;
const MAX_VALUES = 10;
const MAX_DISTINCT = 50;
const MAX_NAMES = 50;

export interface CorrelationOptions {
  /** `purchase` (an `Order Completed` event) or `journey:<id>` (a run reaching the journey's goal). */
  goal: string;
  windowDays: number;
  lookbackDays: number;
  /** Contacts needed on each side (with and without) before a candidate is tested. */
  minSupport: number;
  /** False discovery rate for `significant` (Benjamini–Hochberg). */
  alpha: number;
}

export type CandidateKind = 'attribute' | 'segment' | 'event' | 'message';

export interface CorrelationRow extends Association {
  kind: CandidateKind;
  /** What it is: `plan = pro`, `age in [30, 45)`, `segment VIP`, `did Page Viewed`, `received template t1`. */
  label: string;
  key: string;
  value: string;
  withN: number;
  withConverted: number;
  withoutN: number;
  withoutConverted: number;
  /** Benjamini–Hochberg adjusted p-value over every tested candidate. */
  qValue: number;
  significant: boolean;
  interpretation: 'association';
  /** How to find out whether it causes conversions. */
  test: { design: 'holdout' | 'ab_split'; how: string };
}

export interface CorrelationReport {
  goal: string;
  interpretation: 'association';
  note: string;
  window: { from: number; to: number; candidatesBefore: number; lookbackFrom: number };
  population: number;
  converted: number;
  tested: number;
  rows: CorrelationRow[];
}

interface Group {
  kind: CandidateKind;
  key: string;
  value: string;
  label: string;
  n: number;
  k: number;
}

export const ASSOCIATION_NOTE =
  'These rows are associations measured in past data, not causes: a shared cause (say, loyal customers both open more and buy more) produces the same figures. Test a row before acting on it, with the holdout or A/B split it names.';

export async function findCorrelations(deps: Pick<ServiceDeps, 'store' | 'clock'>, workspaceId: string, options: CorrelationOptions): Promise<CorrelationReport> {
  const { db, dialect } = deps.store;
  const now = deps.clock.now();
  const start = now - options.windowDays * DAY_MS;
  const lookbackFrom = start - options.lookbackDays * DAY_MS;
  const pop = await population(deps, workspaceId, options.goal, start, now);
  const totals = await sql<{ n: unknown; k: unknown }>`WITH pop AS (${pop}) SELECT count(*) AS n, sum(conv) AS k FROM pop`.execute(db);
  const total = Number(totals.rows[0]?.n ?? 0);
  const converted = Number(totals.rows[0]?.k ?? 0);

  const groups: Group[] = [];
  groups.push(...(await attributeGroups(deps, workspaceId, pop, new JsonReader(dialect))));
  const segs = await sql<{ key: string; name: string; n: unknown; k: unknown }>`
    WITH pop AS (${pop})
    SELECT s.id AS key, s.name AS name, count(*) AS n, sum(p.conv) AS k
    FROM pop p JOIN segment_members sm ON sm.contact_id = p.contact_id JOIN segments s ON s.id = sm.segment_id
    WHERE sm.workspace_id = ${workspaceId} AND s.workspace_id = ${workspaceId} AND sm.entered_at < ${start}
    GROUP BY s.id, s.name`.execute(db);
  for (const r of segs.rows) groups.push({ kind: 'segment', key: r.key, value: 'member', label: `in segment ${r.name}`, n: Number(r.n), k: Number(r.k) });
  // One row per (contact, event name) first, so a contact with 50 page views counts once.
  const events = await sql<{ key: string; n: unknown; k: unknown }>`
    WITH pop AS (${pop})
    SELECT x.name AS key, count(*) AS n, sum(p.conv) AS k
    FROM (SELECT DISTINCT e.contact_id, e.name FROM events e WHERE e.workspace_id = ${workspaceId} AND e.timestamp >= ${lookbackFrom} AND e.timestamp < ${start}) x
    JOIN pop p ON p.contact_id = x.contact_id
    GROUP BY x.name ORDER BY count(*) DESC LIMIT ${MAX_NAMES}`.execute(db);
  for (const r of events.rows) groups.push({ kind: 'event', key: r.key, value: 'performed', label: `did ${r.key}`, n: Number(r.n), k: Number(r.k) });
  const messages = await sql<{ key: string; n: unknown; k: unknown }>`
    WITH pop AS (${pop})
    SELECT x.template_id AS key, count(*) AS n, sum(p.conv) AS k
    FROM (SELECT DISTINCT m.contact_id, m.template_id FROM messages m WHERE m.workspace_id = ${workspaceId} AND m.status = 'sent'
      AND m.template_id IS NOT NULL AND m.sent_at >= ${lookbackFrom} AND m.sent_at < ${start}) x
    JOIN pop p ON p.contact_id = x.contact_id
    GROUP BY x.template_id ORDER BY count(*) DESC LIMIT ${MAX_NAMES}`.execute(db);
  for (const r of messages.rows) groups.push({ kind: 'message', key: r.key, value: 'received', label: `received template ${r.key}`, n: Number(r.n), k: Number(r.k) });

  const tested = groups.filter((g) => g.n >= options.minSupport && total - g.n >= options.minSupport);
  const stats = tested.map((g) => associate({ withN: g.n, withConverted: g.k, withoutN: total - g.n, withoutConverted: converted - g.k }));
  const q = benjaminiHochberg(stats.map((s) => s.pValue));
  const rows: CorrelationRow[] = tested.map((g, i) => ({
    kind: g.kind,
    label: g.label,
    key: g.key,
    value: g.value,
    withN: g.n,
    withConverted: g.k,
    withoutN: total - g.n,
    withoutConverted: converted - g.k,
    ...stats[i]!,
    qValue: q[i]!,
    significant: q[i]! <= options.alpha,
    interpretation: 'association',
    test: testFor(g),
  }));
  rows.sort((a, b) => a.qValue - b.qValue || Math.abs(b.difference) - Math.abs(a.difference) || a.label.localeCompare(b.label));
  return {
    goal: options.goal,
    interpretation: 'association',
    note: ASSOCIATION_NOTE,
    window: { from: start, to: now, candidatesBefore: start, lookbackFrom },
    population: total,
    converted,
    tested: rows.length,
    rows,
  };
}

/** `(contact_id, attributes, conv)`: who could convert in [start, now), and whether they did. */
async function population(deps: Pick<ServiceDeps, 'store'>, workspaceId: string, goal: string, start: number, now: number): Promise<Expr> {
  if (goal === 'purchase') {
    return sql`SELECT c.id AS contact_id, c.attributes AS attributes,
      CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.workspace_id = ${workspaceId} AND e.contact_id = c.id AND e.name = ${PURCHASE_EVENT}
        AND e.timestamp >= ${start} AND e.timestamp < ${now}) THEN 1 ELSE 0 END AS conv
      FROM contacts c WHERE c.workspace_id = ${workspaceId} AND c.created_at < ${start} AND c.erased_at IS NULL`;
  }
  const journeyId = goal.slice('journey:'.length);
  const journey = await deps.store.db.selectFrom('journeys').select('id').where('workspace_id', '=', workspaceId).where('id', '=', journeyId).executeTakeFirst();
  if (!journey) throw new NotFoundError('journey', journeyId);
  return sql`SELECT c.id AS contact_id, c.attributes AS attributes, r.conv AS conv
    FROM (SELECT jr.contact_id, MAX(CASE WHEN jr.status = 'converted' THEN 1 ELSE 0 END) AS conv FROM journey_runs jr
      WHERE jr.workspace_id = ${workspaceId} AND jr.journey_id = ${journeyId} AND jr.entered_at >= ${start} AND jr.entered_at < ${now}
      GROUP BY jr.contact_id) r
    JOIN contacts c ON c.id = r.contact_id WHERE c.erased_at IS NULL`;
}

interface AttributePlan {
  key: string;
  /** Quartile cut points (numbers), or the values to count (strings and booleans). */
  edges?: number[];
  values?: string[];
}

/** Which attributes to test, read from a sample of the workspace's contacts. */
export function planAttributes(sample: readonly Record<string, Json>[]): AttributePlan[] {
  const seen = new Map<string, { numbers: number[]; texts: Map<string, number> }>();
  for (const attributes of sample) {
    for (const [key, v] of Object.entries(attributes)) {
      if (v === null || typeof v === 'object') continue;
      let s = seen.get(key);
      if (!s) seen.set(key, (s = { numbers: [], texts: new Map() }));
      if (typeof v === 'number') s.numbers.push(v);
      else s.texts.set(String(v), (s.texts.get(String(v)) ?? 0) + 1);
    }
  }
  const plans: AttributePlan[] = [];
  const common = [...seen].filter(([, s]) => s.numbers.length + s.texts.size > 0 && s.numbers.length + sum(s.texts) >= Math.max(1, sample.length / 100));
  common.sort((a, b) => b[1].numbers.length + sum(b[1].texts) - (a[1].numbers.length + sum(a[1].texts)) || a[0].localeCompare(b[0]));
  for (const [key, s] of common.slice(0, MAX_KEYS)) {
    if (s.numbers.length >= sum(s.texts)) {
      const sorted = [...s.numbers].sort((a, b) => a - b);
      const edges = [...new Set([0.25, 0.5, 0.75].map((q) => sorted[Math.floor(q * (sorted.length - 1))]!))];
      plans.push({ key, edges });
    } else if (s.texts.size <= MAX_DISTINCT) {
      const values = [...s.texts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_VALUES);
      plans.push({ key, values: values.map(([v]) => v) });
    }
  }
  return plans;
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

async function attributeGroups(deps: Pick<ServiceDeps, 'store'>, workspaceId: string, pop: Expr, json: JsonReader): Promise<Group[]> {
  const rows = await deps.store.db.selectFrom('contacts').select('attributes').where('workspace_id', '=', workspaceId).where('erased_at', 'is', null).limit(SAMPLE).execute();
  const plans = planAttributes(rows.map((r) => fromJson<Record<string, Json>>(r.attributes)));
  if (plans.length === 0) return [];
  const column = sql.ref('p.attributes');
  const parts = plans.map((plan, i) => {
    let bucket: Expr;
    if (plan.edges) {
      const v = json.number(column, [plan.key]);
      const cases = plan.edges.map((e, j) => sql`WHEN ${v} < ${e} THEN ${String(j)}`);
      bucket = sql`CASE ${sql.join(cases, sql` `)} WHEN ${v} IS NOT NULL THEN ${String(plan.edges.length)} END`;
    } else {
      const v = json.text(column, [plan.key]);
      bucket = sql`CASE WHEN ${v} IN (${sql.join(plan.values!.map((x) => sql.val(x)))}) THEN ${v} END`;
    }
    return sql`SELECT ${i} AS plan, b.value AS value, count(*) AS n, sum(b.conv) AS k
      FROM (SELECT ${bucket} AS value, p.conv AS conv FROM pop p) b WHERE b.value IS NOT NULL GROUP BY b.value`;
  });
  const result = await sql<{ plan: unknown; value: string; n: unknown; k: unknown }>`WITH pop AS (${pop}) ${sql.join(parts, sql` UNION ALL `)}`.execute(deps.store.db);
  return result.rows.map((r) => {
    const plan = plans[Number(r.plan)]!;
    if (!plan.edges) return { kind: 'attribute', key: plan.key, value: r.value, label: `${plan.key} = ${r.value}`, n: Number(r.n), k: Number(r.k) };
    const j = Number(r.value);
    const low = j === 0 ? '-∞' : String(plan.edges[j - 1]);
    const high = j === plan.edges.length ? '∞' : String(plan.edges[j]);
    return { kind: 'attribute', key: plan.key, value: `[${low}, ${high})`, label: `${plan.key} in [${low}, ${high})`, n: Number(r.n), k: Number(r.k) };
  });
}

function testFor(g: Group): CorrelationRow['test'] {
  switch (g.kind) {
    case 'message':
      return { design: 'ab_split', how: `Add a split before the message using template ${g.key}: send it to a random half and not to the other, and compare their conversions.` };
    case 'attribute':
    case 'segment':
    case 'event':
      return { design: 'holdout', how: `Target contacts with "${g.label}" in a journey that keeps a random holdout group, and compare the conversions of the targeted and held-out contacts.` };
  }
}
