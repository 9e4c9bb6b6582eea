/**
 * @module The message figures of a scope, grouped by (journey version, node, template, channel) and
 * optionally by time bucket, straight from the `messages` rows: one aggregate over the rows for
 * status and engagement (a sequential scan of the scope's rows: a covering index was measured
 * slower on PostgreSQL, which chose a parallel sequential scan anyway; see docs/stats.md), one for complaints (partial index) and one for unsubscribes
 * (attributed, few rows). The caller folds the groups into totals and breakdowns.
 */
import { sql } from 'kysely';
import type { Db } from '../store/store.js';
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
}

/** Email unsubscribes made from a message (src/unsubscribe/), not by an admin or an import. */
export const UNSUBSCRIBE_SOURCES = ['one-click', 'unsubscribe-page', 'preference-center', 'mailto'] as const;
/** An unsubscribe counts for the contact's last email sent at most this long before it. */
export const UNSUBSCRIBE_ATTRIBUTION_MS = 30 * DAY_MS;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
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
  const main = await sql<RawGroup & { status: string; n: unknown; opens: unknown; opened: unknown; human: unknown; clicks: unknown; clicked: unknown; complained: unknown }>`
    SELECT ${dims}, m.status AS status, COUNT(*) AS n, SUM(m.open_count) AS opens,
      SUM(CASE WHEN m.open_count > 0 THEN 1 ELSE 0 END) AS opened, COUNT(m.first_opened_at) AS human,
      SUM(m.click_count) AS clicks, COUNT(m.first_clicked_at) AS clicked, COUNT(m.complained_at) AS complained
    FROM messages m WHERE ${where}
    GROUP BY ${groupBy}, 6`.execute(db);
  const sources = sql.join(UNSUBSCRIBE_SOURCES.map((s) => sql`${s}`));
  const unsubscribes = await sql<RawGroup & { n: unknown }>`
    SELECT ${dims}, COUNT(*) AS n FROM consent_history h
    JOIN messages m ON m.id = (
      SELECT m2.id FROM messages m2
      WHERE m2.contact_id = h.contact_id AND m2.channel = 'email' AND m2.sent_at IS NOT NULL
        AND m2.sent_at <= h.created_at AND m2.sent_at > h.created_at - ${UNSUBSCRIBE_ATTRIBUTION_MS}
      ORDER BY m2.sent_at DESC, m2.id DESC LIMIT 1)
    WHERE h.workspace_id = ${scope.workspaceId} AND h.channel = 'email' AND h.status = 'unsubscribed' AND h.source IN (${sources}) AND ${where}
    GROUP BY ${groupBy}`.execute(db);

  const groups = new Map<string, MessageGroup>();
  const groupOf = (r: RawGroup): MessageGroup => {
    const key: GroupKey = { version: r.version === null ? null : Number(r.version), node: r.node, template: r.template, channel: r.channel, bucket: r.bucket === null ? null : Number(r.bucket) };
    const k = keyOf(key);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ...key, counts: emptyCounts() }));
    return g;
  };
  for (const r of main.rows) {
    const counts = groupOf(r).counts;
    addStatusRow(counts, { status: r.status, n: num(r.n), opens: num(r.opens), opened: num(r.opened), human: num(r.human), clicks: num(r.clicks), clicked: num(r.clicked) });
    counts.complained += num(r.complained);
  }
  for (const r of unsubscribes.rows) groupOf(r).counts.unsubscribed += num(r.n);
  return [...groups.values()];
}
