/**
 * @module Post series over HTTP (admin key, or a signed-in user: any role reads, an editor
 * changes series and uploads images, an admin connects accounts; src/users/roles.ts):
 *  - `/api/post-accounts`: connect (verified with the service first), list, read, delete. Tokens
 *    are write-only: answers carry `secrets: { <name>Set: true }`, never a value;
 *  - `POST /api/post-images`: an image as the raw body (PNG, JPEG, GIF, WebP; 5 MB);
 *  - `/api/post-series`: create, list, read (posts with status and figures), replace, delete;
 *  - `GET /sp/:token` (public): a post's tracked link; counts the click, redirects with UTM.
 * Bad input is a 400 naming the field (`body.posts.2.text`).
 */
import { z } from 'zod';
import type { App, RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams } from '../api/schemas.js';
import { NotFoundError } from '../core/errors.js';
import { accountInput, connectAccount, deleteAccount, getAccount, listAccounts } from './accounts.js';
import { seriesInput } from './series-input.js';
import { createSeries, deleteSeries, replaceSeries } from './series.js';
import { getSeries, listSeries } from './read.js';
import { IMAGE_TYPES, MAX_IMAGE_BYTES, saveImage } from './images.js';
import { clickPostLink } from './links.js';
import type { PostsDeps } from './deps.js';

const tags = ['posts'];
const json = z.record(z.string(), z.unknown());

const accountSchema = z.object({
  id: z.string(),
  kind: z.enum(['mastodon', 'telegram_channel', 'webhook']),
  name: z.string(),
  settings: json.describe('what was verified: server URL and its character limit, channel and chat id, webhook URL'),
  secrets: z.record(z.string(), z.boolean()).describe('`<name>Set` flags; values are never returned'),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const figures = { favourites: z.number(), reblogs: z.number(), replies: z.number(), views: z.number().nullable().describe('null: no account of the post gives views'), clicks: z.number() };
const n = z.number().nullable();
const deliverySchema = z.object({
  accountId: z.string(),
  status: z.enum(['pending', 'published', 'failed', 'unknown']),
  attempts: z.number(),
  dueAt: z.number(),
  reason: z.string().nullable(),
  remoteId: z.string().nullable(),
  remoteUrl: z.string().nullable(),
  publishedAt: n,
  favourites: n,
  reblogs: n,
  replies: n,
  views: n,
  engagementAt: n,
});
const postSchema = z.object({
  id: z.string(),
  position: z.number(),
  text: z.string(),
  images: z.array(z.string()),
  dueAt: z.number(),
  dueLocal: z.string(),
  deliveries: z.array(deliverySchema),
  figures: z.object(figures),
});
const seriesSchema = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  recurrence: json.nullable(),
  accountIds: z.array(z.string()),
  utm: json,
  posts: z.array(postSchema),
  figures: z.object({ ...figures, pending: z.number(), published: z.number(), failed: z.number(), unknown: z.number() }),
  createdAt: z.number(),
  updatedAt: z.number(),
});
const summarySchema = z.object({ id: z.string(), name: z.string(), timezone: z.string(), posts: z.number(), nextDueAt: n, createdAt: z.number() });

export function postsRoutesWith(extra: Pick<PostsDeps, 'telegramApiRoot'> = {}): RouteModule {
  return (app: App, appDeps) => {
    const deps: PostsDeps = { ...appDeps, ...extra };
    const admin = requireKey(appDeps, 'admin');
    const secrets = new Map<string, string>();

    app.get(
      '/api/post-accounts',
      { onRequest: admin, schema: { tags, summary: 'Accounts posts go to (tokens never shown)', response: { 200: z.object({ data: z.array(accountSchema) }), ...errorResponses } } },
      async (request) => ({
        data: await listAccounts(deps, workspaceOf(request)),
      }),
    );
    app.post(
      '/api/post-accounts',
      { onRequest: admin, schema: { tags, summary: 'Connect an account (verified with the service first)', body: accountInput, response: { 201: accountSchema, ...errorResponses } } },
      async (request, reply) => reply.status(201).send(await connectAccount(deps, workspaceOf(request), request.body)),
    );
    app.get('/api/post-accounts/:id', { onRequest: admin, schema: { tags, summary: 'A post account', params: idParams, response: { 200: accountSchema, ...errorResponses } } }, async (request) =>
      getAccount(deps, workspaceOf(request), request.params.id),
    );
    app.delete(
      '/api/post-accounts/:id',
      { onRequest: admin, schema: { tags, summary: 'Remove a post account (not while a series uses it)', params: idParams, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await deleteAccount(deps, workspaceOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.register(async (scope) => {
      scope.addContentTypeParser([...IMAGE_TYPES], { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES }, (_req, body, done) => done(null, body));
      scope.post(
        '/api/post-images',
        {
          onRequest: admin,
          schema: {
            tags,
            summary: `Upload an image for posts: the raw bytes with its Content-Type (${IMAGE_TYPES.join(', ')}), at most ${MAX_IMAGE_BYTES} bytes`,
            response: { 201: z.object({ id: z.string(), contentType: z.string(), bytes: z.number() }), ...errorResponses },
          },
        },
        async (request, reply) => reply.status(201).send(await saveImage(deps, workspaceOf(request), Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0))),
      );
    });

    app.get('/api/post-series', { onRequest: admin, schema: { tags, summary: 'Post series', response: { 200: z.object({ data: z.array(summarySchema) }), ...errorResponses } } }, async (request) => ({
      data: await listSeries(deps, workspaceOf(request)),
    }));
    app.post(
      '/api/post-series',
      { onRequest: admin, schema: { tags, summary: 'Create a post series', body: seriesInput, response: { 201: seriesSchema, ...errorResponses } } },
      async (request, reply) => {
        const ws = workspaceOf(request);
        const id = await createSeries(deps, ws, request.body);
        return reply.status(201).send(await getSeries(deps, ws, id));
      },
    );
    app.get(
      '/api/post-series/:id',
      { onRequest: admin, schema: { tags, summary: "A series: its posts, each one's status per account and figures", params: idParams, response: { 200: seriesSchema, ...errorResponses } } },
      async (request) => getSeries(deps, workspaceOf(request), request.params.id),
    );
    app.put(
      '/api/post-series/:id',
      {
        onRequest: admin,
        schema: { tags, summary: 'Replace a series (posts already attempted must come back unchanged)', params: idParams, body: seriesInput, response: { 200: seriesSchema, ...errorResponses } },
      },
      async (request) => {
        const ws = workspaceOf(request);
        await replaceSeries(deps, ws, request.params.id, request.body);
        return getSeries(deps, ws, request.params.id);
      },
    );
    app.delete(
      '/api/post-series/:id',
      { onRequest: admin, schema: { tags, summary: 'Delete a series and its unpublished posts', params: idParams, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await deleteSeries(deps, workspaceOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get('/sp/:token', { schema: { tags, summary: "A post's tracked link: counts the click and redirects", params: z.object({ token: z.string().max(100) }) } }, async (request, reply) => {
      const target = await clickPostLink(deps.store, request.params.token, secrets);
      if (!target) throw new NotFoundError('link', request.params.token);
      reply.header('cache-control', 'no-store');
      reply.header('referrer-policy', 'no-referrer');
      return reply.redirect(target, 302);
    });
  };
}

export const postsRoutes: RouteModule = postsRoutesWith();
