/**
 * @module The Segment-compatible ingestion API: POST /v1/identify, track, page, screen, group, alias
 * and batch, and Segment's short paths for the same handlers (/v1/i, t, p, s, g, a, b: what
 * analytics.js posts to), authenticated with a write key (./browser-key.ts: HTTP Basic user name,
 * Bearer, or the body's `writeKey`) and answered with `{ "success": true }` once the calls are
 * committed.
 *
 * The routes live in their own Fastify context (prefix /v1) so that browsers are served here without
 * changing the rest of the API: CORS on every answer (./browser-cors.ts) and `text/plain` bodies
 * (analytics.js ≤ 1.83, sendBeacon) parsed as JSON (./text-body.ts). Validation issues name the
 * field path inside the body (`batch.3.userId`), as the Segment documentation does.
 */
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { presentedKey, workspaceOf } from '../api/auth.js';
import { boundedJsonParser } from '../api/json-body.js';
import type { App, RouteModule } from '../api/deps.js';
import type { AppDeps } from '../core/app-deps.js';
import { toCall } from './call.js';
import { ingest } from './ingest.js';
import { MAX_BATCH_BYTES, MAX_BATCH_ITEMS, MAX_CALL_BYTES, batchBody, callBodies, successBody, type CallType, type SegmentCall } from './segment.js';
import { batchValidatorCompiler } from './batch-validation.js';
import { phoneReader, readTraitsPhones } from '../contacts/phone-input.js';
import { installBrowserCors } from './browser-cors.js';
import { ingestKey } from './browser-key.js';
import { installTextBody } from './text-body.js';
import { clickIdReader } from '../browser/click-ids.js';
import { IngestRateLimiter } from './rate-limit.js';

type ClickIds = ReturnType<typeof clickIdReader>;

const SUMMARIES: Record<CallType, string> = {
  identify: 'Identify a user and set their traits',
  track: 'Record an action the user performed',
  page: 'Record a page view',
  screen: 'Record a mobile screen view',
  group: 'Associate the user with a group (account, company)',
  alias: 'Merge a previous id into a user id',
};

/** Segment's short paths (analytics.js posts to these), each served by its long path's handler. */
export const SHORT_PATHS: Record<CallType | 'batch', string> = { identify: 'i', track: 't', page: 'p', screen: 's', group: 'g', alias: 'a', batch: 'b' };

export const ingestRoutes: RouteModule = (app, deps) => {
  const clickIds = clickIdReader(deps);
  const limiter = new IngestRateLimiter(deps.clock, deps.config.ingest?.ratePerWorkspace ?? 0);
  void app.register(
    async (scope: App) => {
      installBrowserCors(scope);
      installTextBody(scope, MAX_BATCH_BYTES, boundedJsonParser(scope));
      for (const type of Object.keys(callBodies) as CallType[]) registerCall(scope, deps, type, clickIds, limiter);
      registerBatch(scope, deps, clickIds, limiter);
    },
    { prefix: '/v1' },
  );
};

const responses = { 200: successBody };

/** The route under its long path (documented in OpenAPI) and its short one (hidden there). */
function postBoth(app: App, type: CallType | 'batch', options: RouteShorthandOptions & { schema: object }, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  // One options object and one handler for both paths; the cast spares restating Fastify's generics.
  app.route({ method: 'POST', url: `/${type}`, ...options, handler } as never);
  app.route({ method: 'POST', url: `/${SHORT_PATHS[type]}`, ...options, schema: { ...options.schema, hide: true }, handler } as never);
}

function registerCall(app: App, deps: AppDeps, type: CallType, clickIds: ClickIds, limiter: IngestRateLimiter): void {
  const body: z.ZodType = callBodies[type];
  const key = ingestKey(deps, presentedKey);
  postBoth(
    app,
    type,
    {
      bodyLimit: MAX_CALL_BYTES,
      attachValidation: true,
      onRequest: key.onRequest,
      preValidation: key.preValidation,
      schema: { tags: ['ingestion'], summary: SUMMARIES[type], body, response: responses },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      rethrowValidation(request);
      takeRate(limiter, request, 1);
      const receivedAt = deps.clock.now();
      const call = toCall({ ...(request.body as object), type } as SegmentCall, { receivedAt, ip: request.ip });
      if (type === 'identify') await readTraitsPhones(phoneReader(deps.store.db, workspaceOf(request)), [call], () => 'traits');
      await clickIds(workspaceOf(request), [call]);
      await ingest(deps, workspaceOf(request), [call]);
      return reply.send({ success: true as const });
    },
  );
}

function registerBatch(app: App, deps: AppDeps, clickIds: ClickIds, limiter: IngestRateLimiter): void {
  const key = ingestKey(deps, presentedKey);
  postBoth(
    app,
    'batch',
    {
      bodyLimit: MAX_BATCH_BYTES,
      attachValidation: true,
      validatorCompiler: batchValidatorCompiler,
      onRequest: key.onRequest,
      preValidation: [
        key.preValidation,
        async (request: FastifyRequest) => {
          checkItemCount(request);
          checkItemSizes(request);
        },
      ],
      schema: {
        tags: ['ingestion'],
        summary: `Send many calls at once (at most 500 KB, 32 KB and ${MAX_BATCH_ITEMS} calls); all are stored or none`,
        body: batchBody,
        response: responses,
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      rethrowValidation(request);
      const receivedAt = deps.clock.now();
      const body = request.body as z.output<typeof batchBody>;
      takeRate(limiter, request, body.batch.length);
      const defaults = { receivedAt, ip: request.ip, context: body.context as JsonObject | undefined, sentAt: body.sentAt };
      const calls = body.batch.map((item) => toCall(item, defaults));
      await readTraitsPhones(phoneReader(deps.store.db, workspaceOf(request)), calls, (i) => `batch.${i}.traits`);
      await clickIds(workspaceOf(request), calls);
      await ingest(deps, workspaceOf(request), calls);
      return reply.send({ success: true as const });
    },
  );
}

/** The workspace's rate limit (./rate-limit.ts), before anything of the request is read further or stored. */
function takeRate(limiter: IngestRateLimiter, request: FastifyRequest, calls: number): void {
  const principal = request.principal;
  if (principal && principal.kind !== 'session') limiter.take(principal.workspaceId, principal.ingestRatePerSecond, calls);
}

/**
 * At most MAX_BATCH_ITEMS calls per batch, refused before anything looks at the items: a public
 * write key must not buy seconds of validation (and an issue per item) with one 500 KB request.
 */
function checkItemCount(request: FastifyRequest): void {
  const batch = (request.body as { batch?: unknown } | null)?.batch;
  if (Array.isArray(batch) && batch.length > MAX_BATCH_ITEMS) {
    throw ValidationError.at('batch', `${batch.length} calls in one batch; at most ${MAX_BATCH_ITEMS}`);
  }
}

/** Segment's 32 KB bound applies to every batch item; only measured when the request could exceed it. */
function checkItemSizes(request: FastifyRequest): void {
  const length = Number(request.headers['content-length']);
  if (Number.isFinite(length) && length <= MAX_CALL_BYTES) return;
  const batch = (request.body as { batch?: unknown } | null)?.batch;
  if (!Array.isArray(batch)) return;
  for (let i = 0; i < batch.length; i++) {
    const bytes = Buffer.byteLength(JSON.stringify(batch[i]) ?? '');
    if (bytes > MAX_CALL_BYTES) {
      throw new PayloadTooLargeError(`batch item is ${bytes} bytes; at most ${MAX_CALL_BYTES} bytes per call`, `batch.${i}`);
    }
  }
}

/** Turns the schema's issues into our ValidationError with paths inside the body (`batch.3.userId`). */
function rethrowValidation(request: FastifyRequest): void {
  const error = request.validationError as (Error & { validation?: { instancePath?: string; message?: string }[] }) | undefined;
  if (!error) return;
  const issues = (error.validation ?? []).map((v) => ({
    path: (v.instancePath ?? '').split('/').filter(Boolean).join('.'),
    message: v.message ?? 'invalid',
  }));
  if (issues.length === 0) issues.push({ path: '', message: error.message });
  throw new ValidationError(issues);
}
