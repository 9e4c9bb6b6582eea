/**
 * @module Twilio's callbacks into Qatra, public (no API key; the signature is the authentication):
 *  - `POST /hooks/sms/twilio/:providerId/status`  StatusCallback: a delivery receipt;
 *  - `POST /hooks/sms/twilio/:providerId/inbound` an inbound message (a reply: STOP, HELP, …);
 *    answered with empty TwiML (`<Response/>`): replies are sent by the pipeline, not in TwiML.
 * Bodies are `application/x-www-form-urlencoded`, at most 16 KB (a parser local to this plugin).
 *
 * Each request is checked with `X-Twilio-Signature` against the provider's auth token, looked up
 * by `resolve(providerId)`. The signed URL is `publicUrl` (QATRA_PUBLIC_URL) + the request's path
 * and query, never the Host header (a client chooses that); so the URL given to Twilio must start
 * with publicUrl. A missing or wrong signature, or an unknown provider, answers 403 and hands
 * nothing on. Valid callbacks go to `onReceipt` / `onInbound`; interim statuses (queued, sending,
 * …) are acknowledged without being handed on. Receipts for message ids Qatra does not know are
 * handed on as they are: the handler decides (it ignores and logs them).
 *
 * Register with `app.register(twilioHookRoutes(deps))`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ForbiddenError, ValidationError } from '../../../../core/errors.js';
import type { SmsInbound, SmsReceipt } from '../../provider.js';
import { parseTwilioInbound, parseTwilioStatus } from './receipts.js';
import { validTwilioSignature } from './signature.js';

export const TWILIO_HOOK_BODY_LIMIT = 16_384;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export interface TwilioHookDeps {
  /** Qatra's public base URL (config.publicUrl), without a trailing slash. */
  publicUrl: string;
  /** The provider's workspace and auth token; null when there is no such Twilio provider. */
  resolve(providerId: string): Promise<{ workspaceId: string; authToken: string } | null> | { workspaceId: string; authToken: string } | null;
  onReceipt(workspaceId: string, providerId: string, receipt: SmsReceipt): void | Promise<void>;
  onInbound(workspaceId: string, providerId: string, inbound: SmsInbound): void | Promise<void>;
}

type Form = Record<string, string | string[]>;

/** A form body as name → value(s), on an object without a prototype (a `__proto__` field is just a field). */
export function parseForm(body: string): Form {
  const form: Form = Object.create(null) as Form;
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = form[name];
    if (seen === undefined) form[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else form[name] = [seen, value];
  }
  return form;
}

const params = z.object({ providerId: z.string().min(1).max(100) });

export function twilioHookRoutes(deps: TwilioHookDeps): FastifyPluginAsync {
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  return async (scope) => {
    // This scope's own parser, even when the app already has one: the limit and the prototype-free
    // object are what the signature check relies on.
    if (scope.hasContentTypeParser('application/x-www-form-urlencoded')) scope.removeContentTypeParser('application/x-www-form-urlencoded');
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: TWILIO_HOOK_BODY_LIMIT }, (_req, body, done) => {
      done(null, parseForm(body as string));
    });

    /** The provider's workspace, when the request carries its valid signature; ForbiddenError otherwise. */
    async function verified(request: { url: string; headers: Record<string, unknown>; body: unknown }, providerId: string): Promise<{ workspaceId: string; form: Form }> {
      const contentType = String(request.headers['content-type'] ?? '');
      if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) throw new ForbiddenError('expected a form-encoded callback signed with X-Twilio-Signature');
      const form = (request.body ?? Object.create(null)) as Form;
      const signature = request.headers['x-twilio-signature'];
      if (typeof signature !== 'string' || signature === '') throw new ForbiddenError('missing X-Twilio-Signature');
      const provider = await deps.resolve(providerId);
      if (!provider || !validTwilioSignature(publicUrl + request.url, form, provider.authToken, signature)) throw new ForbiddenError('invalid X-Twilio-Signature');
      return { workspaceId: provider.workspaceId, form };
    }

    const routeOptions = { bodyLimit: TWILIO_HOOK_BODY_LIMIT, schema: { hide: true, params } };

    scope.post<{ Params: z.infer<typeof params> }>('/hooks/sms/twilio/:providerId/status', routeOptions, async (request, reply) => {
      const { providerId } = request.params;
      const { workspaceId, form } = await verified(request, providerId);
      const receipt = parseTwilioStatus(form);
      if (receipt) await deps.onReceipt(workspaceId, providerId, receipt);
      return reply.status(200).type('text/plain; charset=utf-8').send('');
    });

    scope.post<{ Params: z.infer<typeof params> }>('/hooks/sms/twilio/:providerId/inbound', routeOptions, async (request, reply) => {
      const { providerId } = request.params;
      const { workspaceId, form } = await verified(request, providerId);
      const inbound = parseTwilioInbound(form);
      if (!inbound) throw ValidationError.at(typeof form.From === 'string' && form.From ? 'body.To' : 'body.From', 'an inbound message needs From and To');
      await deps.onInbound(workspaceId, providerId, inbound);
      return reply.status(200).type('text/xml; charset=utf-8').send(EMPTY_TWIML);
    });
  };
}
