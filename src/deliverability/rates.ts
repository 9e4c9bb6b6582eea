/**
 * @module What the reputation breaker measures: of a journey's or broadcast's messages created since
 * the window start and handed to a provider (`sent` or `bounced`), how many drew a spam complaint
 * (`complained_at`) and how many hard-bounced (`bounced` with a reason other than a soft bounce:
 * src/bounces/apply.ts writes `soft bounce: …` for those), and whether a rate passes its threshold.
 *
 * A journey's messages are found by messages_journey (workspace, journey, created_at). A broadcast's
 * carry the key `broadcast:<id>:<contact>` (src/broadcasts/send.ts) and its template: found by
 * messages_template (workspace, template, created_at), then the key's prefix compared exactly
 * (`substr`, not LIKE: ids hold `_`, which LIKE reads as a wildcard).
 */
import { sql } from 'kysely';
import type { Db } from '../store/store.js';
import type { BreakerSettings } from './settings.js';
import type { TargetKind, TripReason } from './trips.js';

export interface Target {
  kind: TargetKind;
  id: string;
  /** A broadcast's template (its messages' template_id). */
  template?: string | null;
}

export interface Counts {
  sent: number;
  complaints: number;
  hardBounces: number;
}

export async function countsOf(db: Db, workspaceId: string, target: Target, since: number): Promise<Counts> {
  let q = db
    .selectFrom('messages')
    .select([
      sql<number>`count(*)`.as('sent'),
      sql<number>`count(complained_at)`.as('complaints'),
      sql<number>`coalesce(sum(case when status = 'bounced' and coalesce(reason, '') not like 'soft%' then 1 else 0 end), 0)`.as('hard'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('created_at', '>=', since)
    .where('status', 'in', ['sent', 'bounced']);
  if (target.kind === 'journey') q = q.where('journey_id', '=', target.id);
  else {
    const prefix = `broadcast:${target.id}:`;
    q = q.where('journey_id', 'is', null).where(sql<string>`substr(idempotency_key, 1, ${prefix.length})`, '=', prefix);
    if (target.template) q = q.where('template_id', '=', target.template);
  }
  const row = await q.executeTakeFirstOrThrow();
  return { sent: Number(row.sent), complaints: Number(row.complaints), hardBounces: Number(row.hard) };
}

/** `rate >= threshold`, tolerant of the last bit of a float division (3 / 1000 against 0.003). */
const reaches = (rate: number, threshold: number) => rate >= threshold - 1e-12;

export type Verdict = { trip: false } | { trip: true; reason: TripReason; rate: number; threshold: number };

/** Trips when a rate reaches its threshold (3 complaints in 1,000 sends is 0.3%: trips) over at least `minSample` sends. */
export function judge(c: Counts, s: Pick<BreakerSettings, 'complaintRate' | 'hardBounceRate' | 'minSample'>): Verdict {
  if (c.sent === 0 || c.sent < s.minSample) return { trip: false };
  const complaintRate = c.complaints / c.sent;
  if (reaches(complaintRate, s.complaintRate)) return { trip: true, reason: 'complaints', rate: complaintRate, threshold: s.complaintRate };
  const bounceRate = c.hardBounces / c.sent;
  if (reaches(bounceRate, s.hardBounceRate)) return { trip: true, reason: 'hard_bounces', rate: bounceRate, threshold: s.hardBounceRate };
  return { trip: false };
}
