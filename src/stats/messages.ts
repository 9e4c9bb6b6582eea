/**
 * @module The message figures of a scope, grouped by (journey version, node, template, channel) and
 * optionally by time bucket, straight from the `messages` rows: one aggregate over the rows for
 * status, engagement, receipts, segments and cost (a sequential scan of the scope's rows: a covering
 * index was measured slower on PostgreSQL, which chose a parallel sequential scan anyway; see
 * docs/stats.md) and one for unsubscribes of every channel (attributed to a message of the same
 * channel, few rows). The caller folds the groups into totals and breakdowns.
 */
import { sql } from 'kysely';
import { emailDescriptor } from '../channels/descriptors.js';
import type { Db } from '../store/store.js';
import { emptyRaw, type ChannelRaw } from './channels.js';
import { addStatusRow, emptyCounts, type MessageCounts } from './counts.js';
import { bucketSql, DAY_MS, messagesWhere, type Bucket, type Range, type Scope } from './scope.js';

export interface GroupKey {
  version: number | null;
  node: string | null;
  template: string | null;
  channel: string;
  /** Start of the UTC bucket (epoch ms) when bucketed, else null. */
  bucket: number | null;
}

export interface MessageGroup extends GroupKey {
  counts: MessageCounts;
  /** The channel columns (receipts, segments, cost, opt-outs by source), read by ./channels.ts. */
  raw: ChannelRaw;
}

/** Email unsubscribes made from a message (src/unsubscribe/), not by an admin or an import. */
export const UNSUBSCRIBE_SOURCES = emailDescriptor.optOutSources!;
/** An unsubscribe counts for the contact's last email sent at most this long before it. */
export const UNSUBSCRIBE_ATTRIBUTION_MS = 30 * DAY_MS;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const SENT_STATUSES = new Set(['sent', 'bounced']);
const keyOf = (k: GroupKey) => `${k.version ?? ''}\u0000${k.node ?? ''}\u0000${k.template ?? ''}\u0000${k.channel}\u0000${k.bucket ?? ''}`;

interface RawGroup {
  version: number | string | null;
  node: string | null;
  template: string | null;
  channel: string;
  bucket: number | string | null;
}

export async function messageGroups(db: Db, scope: Scope, range: Range, bucket?: Bucket): Promise<MessageGroup[]> {
  const where = messagesWhere(scope, range);
  const b = bucket ? bucketSql('m.created_at', bucket) : sql<null>`NULL`;
  const dims = sql`m.journey_version AS version, m.node_id AS node, m.template_id AS template, m.channel AS channel, ${b} AS bucket`;
  const groupBy = bucket ? sql`1, 2, 3, 4, 5` : sql`1, 2, 3, 4`;
  type Counted = 'n' | 'opens' | 'opened' | 'human' | 'clicks' | 'clicked' | 'complained' | 'r_delivered' | 'r_undelivered' | 'r_failed' | 'segments' | 'cost_micros' | 'engaged' | 'reads';
  const main = await sql<RawGroup & { status: string } & Record<Counted, unknown>>`
    SELECT ${dims}, m.status AS status, COUNT(*) AS n, SUM(m.open_count) AS opens,
      SUM(CASE WHEN m.open_count > 0 THEN 1 ELSE 0 END) AS opened, COUNT(m.first_opened_at) AS human,
      SUM(m.click_count) AS clicks, COUNT(m.first_clicked_at) AS clicked, COUNT(m.complained_at) AS complained,
      SUM(CASE WHEN m.delivery_status = 'delivered' THEN 1 ELSE 0 END) AS r_delivered,
      SUM(CASE WHEN m.delivery_status = 'undelivered' THEN 1 ELSE 0 END) AS r_undelivered,
      SUM(CASE WHEN m.delivery_status = 'failed' THEN 1 ELSE 0 END) AS r_failed,
      SUM(m.segments) AS segments, SUM(m.cost_micros) AS cost_micros,
      SUM(CASE WHEN m.first_clicked_at IS NOT NULL OR m.first_opened_at IS NOT NULL THEN 1 ELSE 0 END) AS engaged,
      COUNT(m.read_at) AS reads
    FROM messages m WHERE ${where}
    GROUP BY ${groupBy}, 6`.execute(db);
  // Email unsubscribes not made from a message (an admin's, an import's: possibly millions) are left
  // out before the per-row lookup of the last message, as before channels had their own opt-outs.
  const emailSourcesSql = sql.join(UNSUBSCRIBE_SOURCES.map((s) => sql`${s}`));
  // Unsubscribes of every channel, each attributed to the contact's last message of that channel
  // (index messages_contact_sent; consent rows by the partial index consent_history_unsubscribes).
  // Grouped by source: the totals count email's message-made sources, the channel's measures say
  // which sources are its opt-outs (./channel-measures.ts).
  const unsubscribes = await sql<RawGroup & { source: string | null; n: unknown }>`
    SELECT ${dims}, h.source AS source, COUNT(*) AS n FROM consent_history h
    JOIN messages m ON m.id = (
      SELECT m2.id FROM messages m2
      WHERE m2.contact_id = h.contact_id AND m2.channel = h.channel AND m2.sent_at IS NOT NULL
        AND m2.sent_at <= h.created_at AND m2.sent_at > h.created_at - ${UNSUBSCRIBE_ATTRIBUTION_MS}
      ORDER BY m2.sent_at DESC, m2.id DESC LIMIT 1)
    WHERE h.workspace_id = ${scope.workspaceId} AND h.status = 'unsubscribed' AND ${where}
      AND (h.channel <> 'email' OR h.source IN (${emailSourcesSql}))
    GROUP BY ${groupBy}, 6`.execute(db);

  const groups = new Map<string, MessageGroup>();
  const groupOf = (r: RawGroup): MessageGroup => {
    const key: GroupKey = { version: r.version === null ? null : Number(r.version), node: r.node, template: r.template, channel: r.channel, bucket: r.bucket === null ? null : Number(r.bucket) };
    const k = keyOf(key);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ...key, counts: emptyCounts(), raw: emptyRaw() }));
    return g;
  };
  for (const r of main.rows) {
    const { counts, raw } = groupOf(r);
    addStatusRow(counts, { status: r.status, n: num(r.n), opens: num(r.opens), opened: num(r.opened), human: num(r.human), clicks: num(r.clicks), clicked: num(r.clicked) });
    counts.complained += num(r.complained);
    // A receipt only describes a message the provider took.
    if (SENT_STATUSES.has(r.status)) {
      raw.receiptDelivered += num(r.r_delivered);
      raw.receiptUndelivered += num(r.r_undelivered);
      raw.receiptFailed += num(r.r_failed);
    }
    raw.segments += num(r.segments);
    raw.costMicros += num(r.cost_micros);
    raw.engagedAny += num(r.engaged);
    raw.reads += num(r.reads);
  }
  const emailSources: readonly string[] = UNSUBSCRIBE_SOURCES;
  for (const r of unsubscribes.rows) {
    const g = groupOf(r);
    const source = r.source ?? '';
    g.raw.optOutsBySource.set(source, (g.raw.optOutsBySource.get(source) ?? 0) + num(r.n));
    // The totals' `unsubscribed` keeps its meaning: email unsubscribes made from a message.
    if (g.channel === 'email' && emailSources.includes(source)) g.counts.unsubscribed += num(r.n);
  }
  return [...groups.values()];
}
