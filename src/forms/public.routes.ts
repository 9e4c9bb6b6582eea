/**
 * @module The public signup pages, without API keys:
 *   GET  /f/:formId            the form (HTML)
 *   POST /f/:formId            a signup: application/x-www-form-urlencoded from the page (answers
 *                              HTML: thank-you page or 303 to the form's redirectUrl; 400 re-renders
 *                              the form with the errors) or JSON from a site's own form (answers JSON)
 *   GET  /f/confirm/:token     the double opt-in page with a confirm button (never confirms: mail
 *                              scanners prefetch links)
 *   POST /f/confirm/:token     confirms
 *
 * Abuse: at most 10 submissions per minute per form and client IP (429 with Retry-After; in memory
 * per process, see ./rate-limit.ts), and a honeypot field: when a bot fills it we answer as if the
 * signup worked and store nothing. The routes live in their own Fastify context so that the
 * urlencoded body parser applies only here.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../api/deps.js';
import type { AppDeps } from '../core/app-deps.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { EmailChannel } from '../channels/email/channel.js';
import { getList } from '../lists/lists.js';
import { workspaceSecret } from '../tracking/tokens.js';
import { checkConfirmToken, confirmToken } from './confirm-token.js';
import { sendConfirmation } from './confirmation-mail.js';
import { findPublicForm, type Form } from './forms.js';
import { confirmPage, formPage, messagePage, thankYouPage } from './html.js';
import { RateLimiter } from './rate-limit.js';
import { confirmSignup, HONEYPOT_FIELD, submitSignup } from './signup.js';

const FORM_BODY_LIMIT = 64 * 1024;
const formParams = z.object({ formId: z.string().max(64) });
const tokenParams = z.object({ token: z.string().max(200) });

/** Submitted values as strings (the page posts strings; a JSON client may send booleans or numbers). */
function valuesOf(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'boolean' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(body);

const wantsJson = (request: FastifyRequest) => (request.headers['content-type'] ?? '').includes('application/json');

export function registerPublicFormRoutes(app: App, deps: AppDeps, channel: EmailChannel): void {
  const limiter = new RateLimiter(deps.clock, 10, 60_000);
  const secrets = new Map<string, string>();
  const proofOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

  void app.register(async (scope: App) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    async function formOr404(request: FastifyRequest, reply: FastifyReply, formId: string): Promise<Form | null> {
      const form = await findPublicForm(deps.store.db, formId);
      if (form) return form;
      if (wantsJson(request)) throw new NotFoundError('form', formId);
      await html(reply, 404, messagePage('Form not found', 'This signup form does not exist or was removed.'));
      return null;
    }

    scope.get('/f/:formId', { schema: { hide: true, params: formParams } }, async (request, reply) => {
      const form = await formOr404(request, reply, request.params.formId);
      if (form) return html(reply, 200, formPage(form, `/f/${form.id}`));
    });

    scope.post('/f/:formId', { bodyLimit: FORM_BODY_LIMIT, schema: { hide: true, params: formParams } }, async (request, reply) => {
      const form = await formOr404(request, reply, request.params.formId);
      if (!form) return;
      const json = wantsJson(request);
      const decision = limiter.hit(`${form.id}|${request.ip}`);
      if (!decision.allowed) {
        reply.header('retry-after', String(decision.retryAfterSeconds));
        const message = `too many signups from your address; try again in ${decision.retryAfterSeconds} s`;
        if (json) return reply.status(429).send({ error: { code: 'rate_limited', message } });
        return html(reply, 429, messagePage('Please wait', `Too many attempts. Please try again in ${decision.retryAfterSeconds} seconds.`, form));
      }
      const values = valuesOf(request.body);
      if (values[HONEYPOT_FIELD]) {
        // A bot: answer exactly like a real signup would, store nothing.
        const list = await getList(deps, form.workspaceId, form.listId);
        const status = list.doubleOptIn ? 'pending' : 'subscribed';
        request.log.info({ formId: form.id }, 'signup form: honeypot filled; nothing stored');
        if (json) return { status };
        return form.redirectUrl ? reply.redirect(form.redirectUrl, 303) : html(reply, 200, thankYouPage(form, status));
      }
      let result;
      try {
        result = await submitSignup(deps, form, values, proofOf(request));
      } catch (err) {
        if (err instanceof ValidationError && !json) return html(reply, 400, formPage(form, `/f/${form.id}`, values, err.issues));
        throw err;
      }
      if (result.confirm) {
        const secret = await workspaceSecret(deps.store, form.workspaceId, secrets);
        const confirmUrl = `${deps.config.publicUrl}/f/confirm/${confirmToken(secret, form.id, result.contact.id, deps.clock.now())}`;
        const sent = await sendConfirmation(deps, channel, { form, listName: result.list.name, contact: result.contact, confirmUrl });
        if (sent.status !== 'sent') request.log.warn({ formId: form.id, contactId: result.contact.id, result: sent }, 'signup form: confirmation email not sent');
      }
      if (json) return { status: result.status };
      return form.redirectUrl ? reply.redirect(form.redirectUrl, 303) : html(reply, 200, thankYouPage(form, result.status));
    });

    scope.get('/f/confirm/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const check = await checkConfirmToken(deps.store, request.params.token, deps.clock.now(), secrets);
      if (!check.ok) return invalidLink(reply, check.reason);
      const list = await getList(deps, check.form.workspaceId, check.form.listId);
      return html(reply, 200, confirmPage(check.form, list.name, `/f/confirm/${request.params.token}`));
    });

    scope.post('/f/confirm/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const check = await checkConfirmToken(deps.store, request.params.token, deps.clock.now(), secrets);
      if (!check.ok) return invalidLink(reply, check.reason);
      try {
        const { changed, list } = await confirmSignup(deps, check.form, check.contactId, proofOf(request));
        const text = changed ? `Thank you: you are now subscribed to ${list.name}.` : `You were already subscribed to ${list.name}.`;
        return html(reply, 200, messagePage('Subscription confirmed', text, check.form));
      } catch (err) {
        if (err instanceof NotFoundError) return html(reply, 404, messagePage('Link no longer valid', 'This signup was removed. Please sign up again.', check.form));
        throw err;
      }
    });
  });
}

function invalidLink(reply: FastifyReply, reason: 'invalid' | 'expired') {
  return reason === 'expired'
    ? html(reply, 410, messagePage('Link expired', 'This confirmation link has expired. Please sign up again to get a new one.'))
    : html(reply, 400, messagePage('Link not valid', 'This confirmation link is not valid. Please check that you copied all of it.'));
}
