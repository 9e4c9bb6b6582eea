/**
 * @module A series as the API and the web app show it: its posts in order, each with its status on
 * every account and its figures (favourites, boosts, replies, views where the account gives them,
 * link clicks), and the series' totals. Also the list of series with their counts.
 */
import { NotFoundError } from '../core/errors.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { PostsDeps } from './deps.js';
import type { PostDeliveryStatus } from './tables.js';
import { localLabel } from './schedule.js';

export interface Figures {
  favourites: number;
  reblogs: number;
  replies: number;
  views: number | null;
  clicks: number;
}

export interface DeliveryView {
  accountId: string;
  status: PostDeliveryStatus;
  attempts: number;
  dueAt: number;
  reason: string | null;
  remoteId: string | null;
  remoteUrl: string | null;
  publishedAt: number | null;
  favourites: number | null;
  reblogs: number | null;
  replies: number | null;
  views: number | null;
  engagementAt: number | null;
}

export interface PostView {
  id: string;
  position: number;
  text: string;
  images: string[];
  dueAt: number;
  /** The due time in the series' zone, `YYYY-MM-DD HH:MM`. */
  dueLocal: string;
  deliveries: DeliveryView[];
  figures: Figures;
}

export interface SeriesView {
  id: string;
  name: string;
  timezone: string;
  recurrence: JsonObject | null;
  accountIds: string[];
  utm: JsonObject;
  posts: PostView[];
  figures: Figures & { pending: number; published: number; failed: number; unknown: number };
  createdAt: number;
  updatedAt: number;
}

const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function sum(figs: readonly Figures[]): Figures {
  const views = figs.filter((f) => f.views !== null);
  return {
    favourites: figs.reduce((a, f) => a + f.favourites, 0),
    reblogs: figs.reduce((a, f) => a + f.reblogs, 0),
    replies: figs.reduce((a, f) => a + f.replies, 0),
    views: views.length > 0 ? views.reduce((a, f) => a + (f.views ?? 0), 0) : null,
    clicks: figs.reduce((a, f) => a + f.clicks, 0),
  };
}

export async function getSeries(deps: Pick<PostsDeps, 'store'>, workspaceId: string, id: string): Promise<SeriesView> {
  const db = deps.store.db;
  const s = await db.selectFrom('post_series').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!s) throw new NotFoundError('post series', id);
  const posts = await db.selectFrom('posts').selectAll().where('workspace_id', '=', workspaceId).where('series_id', '=', id).orderBy('position').execute();
  const ids = posts.length > 0 ? posts.map((p) => p.id) : [''];
  const deliveries = await db.selectFrom('post_deliveries').selectAll().where('workspace_id', '=', workspaceId).where('post_id', 'in', ids).orderBy('account_id').execute();
  const clicks = await db
    .selectFrom('post_links')
    .select(['post_id', db.fn.sum<number>('clicks').as('clicks')])
    .where('workspace_id', '=', workspaceId)
    .where('post_id', 'in', ids)
    .groupBy('post_id')
    .execute();
  const clicksOf = new Map(clicks.map((c) => [c.post_id, Number(c.clicks)]));
  const counts = { pending: 0, published: 0, failed: 0, unknown: 0 };
  const postViews: PostView[] = posts.map((p) => {
    const ds: DeliveryView[] = deliveries
      .filter((d) => d.post_id === p.id)
      .map((d) => {
        counts[d.status]++;
        return {
          accountId: d.account_id,
          status: d.status,
          attempts: Number(d.attempts),
          dueAt: Number(d.due_at),
          reason: d.reason,
          remoteId: d.remote_id,
          remoteUrl: d.remote_url,
          publishedAt: n(d.published_at),
          favourites: n(d.favourites),
          reblogs: n(d.reblogs),
          replies: n(d.replies),
          views: n(d.views),
          engagementAt: n(d.engagement_at),
        };
      });
    const viewed = ds.filter((d) => d.views !== null);
    const figures: Figures = {
      favourites: ds.reduce((a, d) => a + (d.favourites ?? 0), 0),
      reblogs: ds.reduce((a, d) => a + (d.reblogs ?? 0), 0),
      replies: ds.reduce((a, d) => a + (d.replies ?? 0), 0),
      views: viewed.length > 0 ? viewed.reduce((a, d) => a + (d.views ?? 0), 0) : null,
      clicks: clicksOf.get(p.id) ?? 0,
    };
    return {
      id: p.id,
      position: Number(p.position),
      text: p.text,
      images: fromJson<string[]>(p.images),
      dueAt: Number(p.due_at),
      dueLocal: localLabel(Number(p.due_at), s.timezone),
      deliveries: ds,
      figures,
    };
  });
  return {
    id: s.id,
    name: s.name,
    timezone: s.timezone,
    recurrence: s.recurrence === null ? null : fromJson<JsonObject>(s.recurrence),
    accountIds: fromJson<string[]>(s.account_ids),
    utm: fromJson<JsonObject>(s.utm),
    posts: postViews,
    figures: { ...sum(postViews.map((p) => p.figures)), ...counts },
    createdAt: Number(s.created_at),
    updatedAt: Number(s.updated_at),
  };
}

export interface SeriesSummary {
  id: string;
  name: string;
  timezone: string;
  posts: number;
  nextDueAt: number | null;
  createdAt: number;
}

export async function listSeries(deps: Pick<PostsDeps, 'store'>, workspaceId: string): Promise<SeriesSummary[]> {
  const db = deps.store.db;
  const rows = await db.selectFrom('post_series').select(['id', 'name', 'timezone', 'created_at']).where('workspace_id', '=', workspaceId).orderBy('id').limit(1000).execute();
  const counts = await db
    .selectFrom('posts')
    .select(['series_id', db.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('series_id')
    .execute();
  const next = await db
    .selectFrom('post_deliveries')
    .innerJoin('posts', (j) => j.onRef('posts.workspace_id', '=', 'post_deliveries.workspace_id').onRef('posts.id', '=', 'post_deliveries.post_id'))
    .select(['posts.series_id', db.fn.min<number>('post_deliveries.due_at').as('next')])
    .where('post_deliveries.workspace_id', '=', workspaceId)
    .where('post_deliveries.status', '=', 'pending')
    .groupBy('posts.series_id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    posts: Number(counts.find((c) => c.series_id === r.id)?.n ?? 0),
    nextDueAt: n(next.find((x) => x.series_id === r.id)?.next),
    createdAt: Number(r.created_at),
  }));
}
