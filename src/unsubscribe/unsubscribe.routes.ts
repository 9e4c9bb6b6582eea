/**
 * @module Public unsubscribe endpoints (no key; reached from emails and mailbox providers):
 *  - `GET /u/:token`  a page with a button (a GET never unsubscribes: scanners prefetch links);
 *  - `POST /u/:token` RFC 8058 one-click (body `List-Unsubscribe=One-Click`, form-encoded or
 *    multipart, no cookies) unsubscribes at once; the page's own form does too, with its choices;
 *  - `GET/POST /p/:token` the preference center.
 * Tokens are signed and do not expire (docs/standards.md §14). Bad tokens answer 404 and change nothing.
 */
import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';
import type { App, RouteModule } from '../api/deps.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { signToken, workspaceSecret } from '../tracking/tokens.js';
import { preferences, resolveUnsubscribe, savePreferences, unsubscribe, type UnsubscribeTarget } from './unsubscribe.js';
import { preferencesPage, unsubscribePage, unsubscribedPage } from './pages.js';

type Form = Record<string, string | string[]>;

/** Just enough multipart/form-data for RFC 8058 clients that use it: simple text fields. */
function parseMultipart(body: string, contentType: string): Form {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const form: Form = {};
  if (!boundary) return form;
  for (const part of body.split(`--${boundary}`)) {
    const m = /name="([^"]+)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n?$/.exec(part);
    if (m) form[m[1]!] = m[2]!;
  }
  return form;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const unsubscribeRoutes: RouteModule = (app, deps) => {
  void app.register(async (scope: App) => {
    const secrets = new Map<string, string>();
    const parser = (_req: unknown, body: string, done: (err: Error | null, value?: Form) => void) => done(null, parseQuery(body) as Form);
    if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, parser);
    if (!scope.hasContentTypeParser('multipart/form-data')) {
      scope.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16_384 }, (req, body: string, done) => done(null, parseMultipart(body, String(req.headers['content-type']))));
    }
    const params = z.object({ token: z.string().max(100) });
    const target = async (token: string, purpose: 'unsubscribe' | 'preferences'): Promise<UnsubscribeTarget> => {
      const t = await resolveUnsubscribe(deps.store, token, purpose, secrets);
      if (!t) throw new NotFoundError('link', token);
      return t;
    };
    const preferencesUrl = async (t: UnsubscribeTarget) =>
      `${deps.config.publicUrl}/p/${signToken(await workspaceSecret(deps.store, t.message.workspaceId, secrets), 'preferences', { messageId: t.message.id })}`;
    const accept = (request: { headers: Record<string, unknown> }) => (typeof request.headers['accept-language'] === 'string' ? request.headers['accept-language'] : undefined);
    const proof = (request: { ip: string; headers: Record<string, unknown> }, source: string) => ({ source, ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') || undefined });

    scope.get('/u/:token', { schema: { tags: ['unsubscribe'], summary: 'Unsubscribe page (shows a button; never unsubscribes by itself)', params } }, async (request, reply) => {
      const t = await target(request.params.token, 'unsubscribe');
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(unsubscribePage(t, request.params.token, await preferencesUrl(t), accept(request)));
    });

    scope.post('/u/:token', { schema: { tags: ['unsubscribe'], summary: 'RFC 8058 one-click unsubscribe (List-Unsubscribe=One-Click), or the page form', params } }, async (request, reply) => {
      const t = await target(request.params.token, 'unsubscribe');
      const form = (request.body ?? {}) as Form;
      if (first(form['List-Unsubscribe']) === 'One-Click') {
        await unsubscribe(deps, t, 'topic', proof(request, 'one-click'));
        return reply.type('text/plain; charset=utf-8').send('unsubscribed');
      }
      const chosen = first(form.scope);
      if (chosen !== 'topic' && chosen !== 'all') throw ValidationError.at('body.List-Unsubscribe', 'expected List-Unsubscribe=One-Click (RFC 8058) or the form field scope=topic|all');
      const scopeChoice = chosen;
      const { topic } = await unsubscribe(deps, t, scopeChoice, proof(request, 'unsubscribe-page'), first(form.reason));
      return reply.type('text/html; charset=utf-8').send(unsubscribedPage(t, topic, await preferencesUrl(t), accept(request)));
    });

    scope.get('/p/:token', { schema: { tags: ['unsubscribe'], summary: 'Preference center', params } }, async (request, reply) => {
      const t = await target(request.params.token, 'preferences');
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(preferencesPage(t, request.params.token, await preferences(deps.store, t), false, accept(request)));
    });

    scope.post('/p/:token', { schema: { tags: ['unsubscribe'], summary: 'Save the preference center form', params } }, async (request, reply) => {
      const t = await target(request.params.token, 'preferences');
      const form = (request.body ?? {}) as Form;
      await savePreferences(deps, t, { all: first(form.all) === '1', topics: new Set(all(form.topic)) }, proof(request, 'preference-center'));
      return reply.type('text/html; charset=utf-8').send(preferencesPage(t, request.params.token, await preferences(deps.store, t), true, accept(request)));
    });
  });
};
