/**
 * @module Publishing due posts, exactly once per account. States of a delivery (post_deliveries):
 *
 *   pending ──claim──▶ (pending, leased, attempts+1) ──call──▶ answer recorded:
 *       published (remote id kept), or failed (permanent answer, or retries used up), or
 *       pending again with a later due_at (retryable; backoff or the server's reset time).
 *
 * The claim is the record before the call: it commits the attempt (lease, attempts) before the
 * account's API is called, in one statement picking due rows with FOR UPDATE SKIP LOCKED (inside
 * BEGIN IMMEDIATE on SQLite), so any number of workers share the work and never take the same row.
 * Just before the call, `call_started_at` is committed; the answer's record clears it. A worker
 * killed between the two leaves it set and the lease to expire; the next claim sees it. Then:
 *  - Mastodon and webhooks take an `Idempotency-Key` (the delivery's, the same on every attempt):
 *    the call is made again and the server answers with the status it already made, not a new one;
 *  - Telegram's Bot API takes none and cannot read a channel back: the delivery becomes `unknown`
 *    with the reason, and is not posted again by itself (at most once rather than maybe twice).
 * Every write after the claim is conditional on `claimed_by = token`.
 */
import { sql } from 'kysely';
import type { Store } from '../store/store.js';
import { backoffMs } from '../core/retry.js';
import { fromJson } from '../core/json.js';
import { assertNever } from '../core/errors.js';
import type { PostsRuntime } from './runtime.js';
import { claimToken } from './runtime.js';
import { openDestination } from './accounts.js';
import type { Destination, PublishResult } from './destination.js';
import { linksOf, renderText, withTrackedLinks } from './render.js';
import { linkTokens, trackedUrl } from './links.js';
import { readImage } from './images.js';
import { localLabel } from './schedule.js';
import { ENGAGEMENT_AGES_MS } from './engagement.js';

interface Claimed {
  workspace_id: string;
  post_id: string;
  account_id: string;
  idempotency_key: string;
  attempts: number;
  /** As the row was before this claim: set means the last attempt called and never recorded. */
  call_started_at: number | null;
}

export async function claimDueDeliveries(store: Store, token: string, now: number, leaseMs: number, n: number): Promise<Claimed[]> {
  // A MATERIALIZED CTE so the LIMIT holds on PostgreSQL (see src/broadcasts/claim.ts for why).
  const query = sql<Claimed>`
    WITH picked AS MATERIALIZED (
      SELECT workspace_id, post_id, account_id FROM post_deliveries
      WHERE status = 'pending' AND due_at <= ${now} AND (lease_until IS NULL OR lease_until < ${now})
      ORDER BY due_at, post_id, account_id
      LIMIT ${n}
      ${store.adapter.skipLocked}
    )
    UPDATE post_deliveries
    SET claimed_by = ${token}, lease_until = ${now + leaseMs}, attempts = attempts + 1, updated_at = ${now}
    WHERE (workspace_id, post_id, account_id) IN (SELECT workspace_id, post_id, account_id FROM picked)
    RETURNING workspace_id, post_id, account_id, idempotency_key, attempts, call_started_at`;
  const rows = await store.adapter.claim(store.db, (fn) => store.transaction(fn), query);
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts), call_started_at: r.call_started_at === null ? null : Number(r.call_started_at) }));
}

/** The text and images of a post as they leave (rendered, links tracked). */
async function content(rt: PostsRuntime, d: Claimed) {
  const db = rt.store.db;
  const post = await db.selectFrom('posts').selectAll().where('workspace_id', '=', d.workspace_id).where('id', '=', d.post_id).executeTakeFirstOrThrow();
  const series = await db.selectFrom('post_series').select(['name', 'timezone']).where('workspace_id', '=', d.workspace_id).where('id', '=', post.series_id).executeTakeFirstOrThrow();
  const total = await db.selectFrom('posts').select(db.fn.countAll<number>().as('n')).where('workspace_id', '=', d.workspace_id).where('series_id', '=', post.series_id).executeTakeFirstOrThrow();
  const ws = await db.selectFrom('workspaces').select('name').where('id', '=', d.workspace_id).executeTakeFirstOrThrow();
  const position = Number(post.position);
  const text = await renderText(post.text, {
    workspace: { name: ws.name },
    series: { name: series.name },
    post: { number: position + 1, total: Number(total.n), date: localLabel(Number(post.due_at), series.timezone) },
  });
  const tokens = await linkTokens(db, d.workspace_id, d.post_id);
  const links = linksOf(text);
  const tracked = links.map((url, i) => (tokens[i] ? trackedUrl(rt.config.publicUrl, tokens[i]) : url));
  const images = await Promise.all(fromJson<string[]>(post.images).map((id) => readImage(rt, d.workspace_id, id)));
  return { text: withTrackedLinks(text, links, tracked), images, seriesId: post.series_id, position };
}

async function record(rt: PostsRuntime, d: Claimed, token: string, destination: Destination | null, result: PublishResult, now: number): Promise<void> {
  const where = rt.store.db
    .updateTable('post_deliveries')
    .where('workspace_id', '=', d.workspace_id)
    .where('post_id', '=', d.post_id)
    .where('account_id', '=', d.account_id)
    .where('claimed_by', '=', token);
  switch (result.status) {
    case 'published':
      await where
        .set({
          status: 'published',
          remote_id: result.remoteId,
          remote_url: result.remoteUrl,
          published_at: now,
          reason: null,
          lease_until: null,
          call_started_at: null,
          updated_at: now,
          engagement_due_at: destination?.engagement ? now + ENGAGEMENT_AGES_MS[0]! : null,
        })
        .execute();
      return;
    case 'permanent':
      await where.set({ status: 'failed', reason: result.reason, lease_until: null, call_started_at: null, updated_at: now }).execute();
      return;
    case 'retryable': {
      if (d.attempts >= rt.retry.maxAttempts) {
        await where.set({ status: 'failed', reason: `gave up after ${d.attempts} attempts: ${result.reason}`, lease_until: null, call_started_at: null, updated_at: now }).execute();
        return;
      }
      const wait = result.retryAfterMs ?? backoffMs(rt.retry, d.attempts);
      await where.set({ reason: result.reason, due_at: now + wait, lease_until: null, call_started_at: null, updated_at: now }).execute();
      return;
    }
    default:
      assertNever(result, 'publish result');
  }
}

/** Claims due deliveries and publishes them; returns how many were handled. */
export async function publishDue(rt: PostsRuntime, now: number): Promise<number> {
  const token = claimToken(rt);
  const claimed = await claimDueDeliveries(rt.store, token, now, rt.leaseMs, rt.batchSize);
  for (const d of claimed) {
    let destination: Destination | null = null;
    let result: PublishResult;
    try {
      destination = await openDestination(rt, d.workspace_id, d.account_id);
      if (d.call_started_at !== null && !destination.idempotent) {
        result = {
          status: 'permanent',
          reason: `outcome unknown: a worker stopped after calling ${destination.kind} and before recording its answer; it takes no idempotency key, so the post is not sent again (check the channel)`,
        };
        await rt.store.db
          .updateTable('post_deliveries')
          .set({ status: 'unknown', reason: result.reason, lease_until: null, call_started_at: null, updated_at: now })
          .where('workspace_id', '=', d.workspace_id)
          .where('post_id', '=', d.post_id)
          .where('account_id', '=', d.account_id)
          .where('claimed_by', '=', token)
          .execute();
        continue;
      }
      const c = await content(rt, d);
      // The record before the call: from here on, a stop before the answer is recorded is known.
      await rt.store.db
        .updateTable('post_deliveries')
        .set({ call_started_at: now })
        .where('workspace_id', '=', d.workspace_id)
        .where('post_id', '=', d.post_id)
        .where('account_id', '=', d.account_id)
        .where('claimed_by', '=', token)
        .execute();
      result = await destination.publish({
        text: c.text,
        images: c.images,
        idempotencyKey: d.idempotency_key,
        meta: { postId: d.post_id, seriesId: c.seriesId, position: c.position, accountId: d.account_id },
      });
    } catch (err) {
      // Our side failed (an unreadable secret, a missing image file): retried like a provider error.
      rt.log.error({ err, postId: d.post_id, accountId: d.account_id }, 'post not attempted');
      result = { status: 'retryable', reason: `not attempted: ${(err as Error).message}`.slice(0, 500) };
    }
    // Outside the try: a fault here is a worker dying between the call and the record.
    await rt.afterCall?.({ postId: d.post_id, accountId: d.account_id });
    await record(rt, d, token, destination, result, rt.clock.now());
    if (result.status !== 'published') rt.log.warn({ postId: d.post_id, accountId: d.account_id, result }, 'post not published');
  }
  return claimed.length;
}
