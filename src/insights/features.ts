/**
 * @module Each contact's features at a cut T, read from the workspace's own history strictly before T
 * (never after: that is what makes the time-based split of ./predict.ts honest), and the outcomes in
 * the 30 days from T: converted (an `Order Completed` event in [T, T + 30d)) and, for contacts active
 * in the 90 days before T, churned (no event at all in [T, T + 30d)).
 *
 * Features: recency, frequency and monetary value of orders (365 days), activity (events in 30 and
 * 365 days, days since the last), human email opens and clicks in 30 days, tenure, and the contact's
 * attributes one-hot with caps (at most 10 keys, 8 values each, chosen once per training from a
 * sample so train, evaluation and scoring share one layout; numbers enter as their value with a
 * "missing" indicator). Counts and money enter as log1p. Attributes are the current ones: Qatra
 * keeps no attribute history, so a cut in the past sees today's attributes (docs/insights.md).
 *
 * Contacts are read in pages of 20,000 by id with their events aggregated per page (index
 * events_contact_time), so memory follows the feature matrix, not the event table. The store's
 * dialect is read only to build the JSON readers (src/segments/sql-values.ts).
 */
import { sql } from 'kysely';
import { fromJson, type Json } from '../core/json.js';
import type { Store } from '../store/store.js';
import { JsonReader } from '../segments/sql-values.js';
import { planAttributes, PURCHASE_EVENT } from './correlations.js';

export const DAY_MS = 86_400_000;
export const HORIZON_MS = 30 * DAY_MS;
const PAGE = 20_000;
const ACTIVE_DAYS = 90;

/** The attribute part of the layout: one column per (key, value), or value + missing for numbers. */
export interface AttributeLayout {
  key: string;
  values?: string[];
  numeric?: boolean;
}

export interface FeatureLayout {
  names: string[];
  attributes: AttributeLayout[];
}

export interface FeatureSet {
  layout: FeatureLayout;
  contactIds: string[];
  /** Row-major, contactIds.length × layout.names.length. */
  x: Float64Array;
  converted: Uint8Array;
  /** Active in the 90 days before the cut (the churn model's population). */
  active: Uint8Array;
  churned: Uint8Array;
}

export const BEHAVIOUR = [
  'orders_365d_log',
  'orders_90d_log',
  'revenue_365d_log',
  'days_since_order',
  'events_30d_log',
  'events_365d_log',
  'days_since_event',
  'opens_30d_log',
  'clicks_30d_log',
  'tenure_days_log',
] as const;

/** The layout for a workspace: the behaviour features and up to 10 attribute keys from a sample. */
export async function featureLayout(store: Store, workspaceId: string): Promise<FeatureLayout> {
  const rows = await store.db.selectFrom('contacts').select('attributes').where('workspace_id', '=', workspaceId).where('erased_at', 'is', null).limit(2000).execute();
  const plans = planAttributes(rows.map((r) => fromJson<Record<string, Json>>(r.attributes))).filter((p) => p.key !== 'lead_score');
  const attributes: AttributeLayout[] = plans.slice(0, 10).map((p) => (p.edges ? { key: p.key, numeric: true } : { key: p.key, values: p.values!.slice(0, 8) }));
  const names: string[] = [...BEHAVIOUR];
  for (const a of attributes) {
    if (a.numeric) names.push(`attr.${a.key}`, `attr.${a.key}.missing`);
    else for (const v of a.values!) names.push(`attr.${a.key}=${v}`);
  }
  return { names, attributes };
}

interface EventAggregate {
  contact_id: string;
  orders: unknown;
  orders90: unknown;
  revenue: unknown;
  last_order: unknown;
  events30: unknown;
  events: unknown;
  last_event: unknown;
  opens30: unknown;
  clicks30: unknown;
}

/** Features at `cut` for every contact created before it, with the outcomes of [cut, cut + 30d) when `labels`. */
export async function featuresAt(store: Store, workspaceId: string, layout: FeatureLayout, cut: number, labels: boolean): Promise<FeatureSet> {
  const d = layout.names.length;
  const contactIds: string[] = [];
  const chunks: Float64Array[] = [];
  const conv: number[] = [];
  const active: number[] = [];
  const churned: number[] = [];
  const json = new JsonReader(store.dialect);
  const machine = json.isTrue(sql.ref('e.properties'), ['machine']);
  const revenue = json.number(sql.ref('e.properties'), ['revenue']);
  let after = '';
  for (;;) {
    const contacts = await store.db
      .selectFrom('contacts')
      .select(['id', 'created_at', 'attributes'])
      .where('workspace_id', '=', workspaceId)
      .where('created_at', '<', cut)
      .where('erased_at', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (contacts.length === 0) break;
    const first = contacts[0]!.id;
    const last = contacts[contacts.length - 1]!.id;
    after = last;
    const since = cut - 365 * DAY_MS;
    // The page's contacts, then their events by events_contact_time (contact_id, timestamp). Filtering
    // events on workspace_id instead made SQLite walk events_workspace_name_time on workspace_id alone
    // with a row lookup each: 500 ms against 100 ms for 5,000 contacts / 60,000 events (busy machine).
    const page = sql`SELECT c.id FROM contacts c WHERE c.workspace_id = ${workspaceId} AND c.id >= ${first} AND c.id <= ${last}`;
    const aggregates = await sql<EventAggregate>`
      SELECT e.contact_id AS contact_id,
        sum(CASE WHEN e.name = ${PURCHASE_EVENT} THEN 1 ELSE 0 END) AS orders,
        sum(CASE WHEN e.name = ${PURCHASE_EVENT} AND e.timestamp >= ${cut - 90 * DAY_MS} THEN 1 ELSE 0 END) AS orders90,
        sum(CASE WHEN e.name = ${PURCHASE_EVENT} THEN COALESCE(${revenue}, 0) ELSE 0 END) AS revenue,
        max(CASE WHEN e.name = ${PURCHASE_EVENT} THEN e.timestamp END) AS last_order,
        sum(CASE WHEN e.timestamp >= ${cut - 30 * DAY_MS} THEN 1 ELSE 0 END) AS events30,
        count(*) AS events,
        max(e.timestamp) AS last_event,
        sum(CASE WHEN e.name = 'email.opened' AND e.timestamp >= ${cut - 30 * DAY_MS} AND NOT COALESCE(${machine}, FALSE) THEN 1 ELSE 0 END) AS opens30,
        sum(CASE WHEN e.name = 'email.clicked' AND e.timestamp >= ${cut - 30 * DAY_MS} THEN 1 ELSE 0 END) AS clicks30
      FROM events e
      WHERE e.contact_id IN (${page}) AND e.timestamp >= ${since} AND e.timestamp < ${cut}
      GROUP BY e.contact_id`.execute(store.db);
    const byContact = new Map(aggregates.rows.map((r) => [r.contact_id, r]));
    const outcomes = new Map<string, { conv: number }>();
    if (labels) {
      const rows = await sql<{ contact_id: string; conv: unknown }>`
        SELECT e.contact_id AS contact_id, max(CASE WHEN e.name = ${PURCHASE_EVENT} THEN 1 ELSE 0 END) AS conv
        FROM events e
        WHERE e.contact_id IN (${page}) AND e.timestamp >= ${cut} AND e.timestamp < ${cut + HORIZON_MS}
        GROUP BY e.contact_id`.execute(store.db);
      for (const r of rows.rows) outcomes.set(r.contact_id, { conv: Number(r.conv) });
    }
    const x = new Float64Array(contacts.length * d);
    contacts.forEach((c, i) => {
      const a = byContact.get(c.id);
      const row = x.subarray(i * d, (i + 1) * d);
      fillBehaviour(row, a, c.created_at, cut);
      fillAttributes(row, layout, fromJson<Record<string, Json>>(c.attributes));
      contactIds.push(c.id);
      const lastEvent = a?.last_event == null ? null : Number(a.last_event);
      const wasActive = lastEvent !== null && lastEvent >= cut - ACTIVE_DAYS * DAY_MS ? 1 : 0;
      const o = outcomes.get(c.id);
      conv.push(o?.conv ?? 0);
      active.push(wasActive);
      churned.push(wasActive && !o ? 1 : 0);
    });
    chunks.push(x);
    if (contacts.length < PAGE) break;
  }
  const x = new Float64Array(contactIds.length * d);
  let offset = 0;
  for (const c of chunks) {
    x.set(c, offset);
    offset += c.length;
  }
  return { layout, contactIds, x, converted: Uint8Array.from(conv), active: Uint8Array.from(active), churned: Uint8Array.from(churned) };
}

const log1p = (v: unknown) => Math.log1p(Math.max(0, Number(v ?? 0)));

function fillBehaviour(row: Float64Array, a: EventAggregate | undefined, createdAt: number, cut: number): void {
  const daysSince = (t: unknown) => (t == null ? 365 : Math.min(365, (cut - Number(t)) / DAY_MS));
  row[0] = log1p(a?.orders);
  row[1] = log1p(a?.orders90);
  row[2] = log1p(a?.revenue);
  row[3] = daysSince(a?.last_order);
  row[4] = log1p(a?.events30);
  row[5] = log1p(a?.events);
  row[6] = daysSince(a?.last_event);
  row[7] = log1p(a?.opens30);
  row[8] = log1p(a?.clicks30);
  row[9] = Math.log1p(Math.min(3650, Math.max(0, (cut - createdAt) / DAY_MS)));
}

function fillAttributes(row: Float64Array, layout: FeatureLayout, attributes: Record<string, Json>): void {
  let j = BEHAVIOUR.length;
  for (const a of layout.attributes) {
    const v = attributes[a.key];
    if (a.numeric) {
      const ok = typeof v === 'number' && Number.isFinite(v);
      row[j++] = ok ? v : 0;
      row[j++] = ok ? 0 : 1;
    } else {
      const text = v === null || v === undefined || typeof v === 'object' ? null : String(v);
      for (const value of a.values!) row[j++] = text === value ? 1 : 0;
    }
  }
}
