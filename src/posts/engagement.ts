/**
 * @module Engagement read back from the accounts that give it (Mastodon: favourites, boosts,
 * replies), at fixed ages of a post: 1 h, 6 h, 1 day, 3 days, 7 days and 30 days after it was
 * published, then no more (the figures of an old post hardly move). Due rows are claimed by pushing
 * `engagement_due_at` past a lease in one statement (SKIP LOCKED / BEGIN IMMEDIATE), so workers
 * share the work; a failed read keeps the last figures and is tried again an hour later.
 * Link clicks are counted as they happen (./links.ts), not fetched.
 */
import { sql } from 'kysely';
import type { PostsRuntime } from './runtime.js';
import { openDestination } from './accounts.js';

export const ENGAGEMENT_AGES_MS = [3_600_000, 6 * 3_600_000, 24 * 3_600_000, 3 * 86_400_000, 7 * 86_400_000, 30 * 86_400_000] as const;
const RETRY_READ_MS = 3_600_000;

/** The next time to read a post published at `publishedAt`, or null when done. */
export function nextEngagementAt(publishedAt: number, now: number): number | null {
  for (const age of ENGAGEMENT_AGES_MS) if (publishedAt + age > now) return publishedAt + age;
  return null;
}

interface Due {
  workspace_id: string;
  post_id: string;
  account_id: string;
  remote_id: string | null;
  published_at: number | null;
}

export async function fetchEngagement(rt: PostsRuntime, now: number): Promise<number> {
  const store = rt.store;
  const query = sql<Due>`
    WITH picked AS MATERIALIZED (
      SELECT workspace_id, post_id, account_id FROM post_deliveries
      WHERE status = 'published' AND engagement_due_at <= ${now}
      ORDER BY engagement_due_at
      LIMIT ${rt.batchSize}
      ${store.adapter.skipLocked}
    )
    UPDATE post_deliveries SET engagement_due_at = ${now + rt.leaseMs}
    WHERE (workspace_id, post_id, account_id) IN (SELECT workspace_id, post_id, account_id FROM picked)
    RETURNING workspace_id, post_id, account_id, remote_id, published_at`;
  const due = await store.adapter.claim(store.db, (fn) => store.transaction(fn), query);
  for (const d of due) {
    const publishedAt = Number(d.published_at ?? now);
    const key = (q: ReturnType<typeof update>) => q.where('workspace_id', '=', d.workspace_id).where('post_id', '=', d.post_id).where('account_id', '=', d.account_id);
    const update = () => store.db.updateTable('post_deliveries');
    try {
      const destination = await openDestination(rt, d.workspace_id, d.account_id);
      const got = destination.engagement && d.remote_id ? await destination.engagement(d.remote_id) : null;
      if (got && !('error' in got)) {
        await key(update())
          .set({ favourites: got.favourites, reblogs: got.reblogs, replies: got.replies, views: got.views, engagement_at: now, engagement_due_at: nextEngagementAt(publishedAt, now) })
          .execute();
        continue;
      }
      if (got && 'error' in got) rt.log.warn({ postId: d.post_id, accountId: d.account_id, error: got.error }, 'engagement not read');
      await key(update())
        .set({ engagement_due_at: got ? Math.min(now + RETRY_READ_MS, publishedAt + ENGAGEMENT_AGES_MS.at(-1)! + RETRY_READ_MS) : null })
        .execute();
    } catch (err) {
      rt.log.warn({ err, postId: d.post_id }, 'engagement not read');
      await key(update())
        .set({ engagement_due_at: now + RETRY_READ_MS })
        .execute();
    }
  }
  return due.length;
}
