/**
 * @module /api/deliverability: the workspace's breaker and sunset settings, the breaker's trips (why a
 * journey or broadcast paused; resuming one), the sending-domain check, and a contact's sunset
 * standing (`GET /api/contacts/:id/sunset`). Reads are a viewer's; changes an admin's
 * (src/users/roles.ts). Resuming through the journey or broadcast routes works as well: the breaker
 * closes the trip when it sees the target running again.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams, timeParam } from '../api/schemas.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { getContact } from '../contacts/contacts.js';
import { setStatus } from '../journeys/journeys.js';
import { resumeBroadcast } from '../broadcasts/broadcasts.js';
import { deliverabilitySettingsSchema, loadDeliverabilitySettings, saveDeliverabilitySettings } from './settings.js';
import { closeTrip, listTrips, toTrip } from './trips.js';
import { checkWorkspaceDomains } from './domains.js';
import { sunsetStatus } from './sunset.js';
import { skipsByReason } from './skips.js';

const tripBody = z.object({
  id: z.string(),
  targetKind: z.enum(['journey', 'broadcast']),
  targetId: z.string(),
  reason: z.enum(['complaints', 'hard_bounces']),
  rate: z.number().describe('the rate that reached its threshold, a fraction (0.004 is 0.4%)'),
  threshold: z.number(),
  sent: z.number(),
  complaints: z.number(),
  hardBounces: z.number(),
  windowStart: z.number(),
  windowMs: z.number(),
  trippedAt: z.number(),
  notifiedAt: z.number().nullable(),
  resumedAt: z.number().nullable().describe('null while it stays paused by this trip'),
  summary: z.string().describe('why it paused and how to resume, in words'),
});

const recordCheck = {
  name: z.string(),
  status: z.enum(['ok', 'missing', 'wrong', 'multiple', 'error']),
  found: z.array(z.string()),
  publish: z.string().nullable().describe('the TXT value to publish at `name`; null: nothing to change'),
  explanation: z.array(z.string()),
};
const domainReport = z.object({
  domain: z.string(),
  spf: z.object({ ...recordCheck, envelopeDomain: z.string(), aligned: z.boolean() }),
  dkim: z.object({ ...recordCheck, selector: z.string().nullable(), signingDomain: z.string().nullable(), aligned: z.boolean() }),
  dmarc: z.object({ ...recordCheck, policy: z.string().nullable() }),
  ok: z.boolean(),
  summary: z.string(),
});
const domainBody = z.object({
  source: z.enum(['workspace', 'default', 'none']),
  domains: z.array(domainReport),
  providers: z
    .array(z.object({ id: z.string(), name: z.string(), kind: z.string(), domains: z.array(domainReport) }))
    .describe('The same From domains checked for each provider of the email provider list (its SMTP relay, or its ESP, in SPF)'),
});

const sunsetBody = z.object({
  enabled: z.boolean(),
  lastEngagedAt: z.number().nullable().describe('the last human open or click (machine opens never count)'),
  sunsetAt: z.number().nullable().describe('when the contact leaves (or left) marketing email; null while the policy is off'),
  sunset: z.boolean(),
});

export const deliverabilityRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['deliverability'];

  app.get(
    '/api/deliverability/settings',
    { onRequest: admin, schema: { tags, summary: 'Reputation breaker thresholds and sunset policy', response: { 200: deliverabilitySettingsSchema, ...errorResponses } } },
    async (request) => loadDeliverabilitySettings(deps.store.db, workspaceOf(request)),
  );

  app.put(
    '/api/deliverability/settings',
    {
      onRequest: admin,
      schema: { tags, summary: 'Set the reputation breaker thresholds and the sunset policy', body: deliverabilitySettingsSchema, response: { 200: deliverabilitySettingsSchema, ...errorResponses } },
    },
    async (request) => saveDeliverabilitySettings(deps.store.db, deps.clock, workspaceOf(request), request.body),
  );

  app.get(
    '/api/deliverability/trips',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Journeys and broadcasts the reputation breaker paused, newest first',
        querystring: z.object({ kind: z.enum(['journey', 'broadcast']).optional(), targetId: z.string().min(1).max(64).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ data: z.array(tripBody) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listTrips(deps.store.db, workspaceOf(request), request.query) }),
  );

  app.post(
    '/api/deliverability/trips/:id/resume',
    {
      onRequest: admin,
      schema: { tags, summary: 'Resume the journey or broadcast a trip paused; its earlier sends no longer count', params: idParams, response: { 200: tripBody, ...errorResponses } },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      const row = await deps.store.db.selectFrom('reputation_trips').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', request.params.id).executeTakeFirst();
      if (!row) throw new NotFoundError('trip', request.params.id);
      const trip = toTrip(row);
      if (trip.resumedAt === null) {
        // Resume first: a refused resume (archived, cancelled, no postal address) leaves the trip open.
        if (trip.targetKind === 'journey') await setStatus(deps, workspaceId, trip.targetId, 'live');
        else await resumeBroadcast(deps, workspaceId, trip.targetId);
        await closeTrip(deps.store.db, workspaceId, trip.targetKind, trip.targetId, deps.clock.now());
      }
      const after = await deps.store.db.selectFrom('reputation_trips').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', trip.id).executeTakeFirstOrThrow();
      return toTrip(after);
    },
  );

  app.get(
    '/api/deliverability/domains',
    { onRequest: admin, schema: { tags, summary: 'SPF, DKIM and DMARC of each From domain, looked up in DNS and explained', response: { 200: domainBody, ...errorResponses } } },
    async (request) => checkWorkspaceDomains(deps, workspaceOf(request)),
  );

  app.get(
    '/api/deliverability/skips',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Messages skipped at send time by reason (sunset, suppressed, unsubscribed, …)',
        querystring: z.object({ from: timeParam.optional().describe('default 30 days before `to`'), to: timeParam.optional().describe('default now'), channel: z.string().min(1).max(64).optional() }),
        response: { 200: z.object({ from: z.number(), to: z.number(), data: z.array(z.object({ reason: z.string(), count: z.number() })) }), ...errorResponses },
      },
    },
    async (request) => {
      const to = request.query.to ?? deps.clock.now();
      const from = request.query.from ?? to - 30 * 86_400_000;
      if (from >= to) throw ValidationError.at('from', 'must be before to');
      return { from, to, data: await skipsByReason(deps.store.db, workspaceOf(request), { from, to, channel: request.query.channel }) };
    },
  );

  app.get(
    '/api/contacts/:id/sunset',
    { onRequest: admin, schema: { tags, summary: "The contact's standing under the sunset policy", params: idParams, response: { 200: sunsetBody, ...errorResponses } } },
    async (request) => {
      const workspaceId = workspaceOf(request);
      const contact = await getContact(deps, workspaceId, request.params.id);
      return sunsetStatus(deps.store.db, workspaceId, contact, deps.clock.now());
    },
  );
};
