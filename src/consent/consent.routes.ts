/**
 * @module /api/contacts/:id/consent: a contact's current consent per channel and topic, changes to it
 * (recording the caller's IP and user agent as proof), and the append-only history.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { actorOf, requireKey, workspaceOf } from '../api/auth.js';
import { ValidationError } from '../core/errors.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { consentHistory, getConsent, setConsent } from './consent.js';
import { liftErasureSuppression } from '../privacy/erasure-suppression.js';
import { channelName, consentHistorySchema, consentParams, consentPutBody, consentRecordSchema } from './schemas.js';

export const consentRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['consent'];

  app.get(
    '/api/contacts/:id/consent',
    {
      onRequest: admin,
      schema: { tags, summary: "A contact's current consent per channel and topic", params: idParams, response: { 200: z.object({ data: z.array(consentRecordSchema) }), ...errorResponses } },
    },
    async (request) => ({ data: await getConsent(deps, workspaceOf(request), request.params.id) }),
  );

  app.put(
    '/api/contacts/:id/consent/:channel',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Record consent given or withdrawn for a channel (and topic); appends to the history',
        params: consentParams,
        body: consentPutBody,
        response: { 200: consentRecordSchema, ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      const contactId = request.params.id;
      return deps.store.transaction(async (trx) => {
        const record = await setConsent(deps, workspaceId, contactId, { ...request.body, channel: request.params.channel, ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, trx);
        // An explicit grant through the API is new consent: it lifts the suppression an erasure left
        // on this address (docs/privacy.md), in the same transaction as the ledger row.
        if (record.status === 'subscribed') {
          await liftErasureSuppression(trx, { workspaceId, contactId, channel: record.channel, actor: actorOf(request), via: 'consent_api', now: deps.clock.now() });
        }
        return record;
      });
    },
  );

  app.get(
    '/api/contacts/:id/consent/history',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "A contact's consent history, oldest first",
        params: idParams,
        querystring: z.object({ ...pageQuery, channel: channelName.optional() }),
        response: { 200: pageOf(consentHistorySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor, channel } = request.query;
      const after = decodeCursor(cursor);
      const afterId = after === undefined ? undefined : Number(after);
      if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw ValidationError.at('querystring.cursor', 'not a cursor returned by this API');
      const rows = await consentHistory(deps, workspaceOf(request), request.params.id, { limit, channel, afterId });
      return toPage(rows, limit, (e) => e.id);
    },
  );
};
