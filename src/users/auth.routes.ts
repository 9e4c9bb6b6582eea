/**
 * @module /api/auth: the web app's sign-in. Setting up an account from a one-time link, signing in
 * (rate limited), reading the current session (with its CSRF token), signing out here or everywhere.
 * These routes take no API key: they are how a person gets a session cookie.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../api/deps.js';
import type { AppDeps } from '../core/app-deps.js';
import { errorResponses } from '../api/schemas.js';
import { AuthError, ForbiddenError } from '../core/errors.js';
import { login } from './login.js';
import { acceptInvite, inspectInvite, ROLES } from './users.js';
import { clearSessionCookie, createSession, CSRF_HEADER, csrfMatches, endAllSessions, endSession, sessionOf, setSessionCookie, switchWorkspace, type SessionPrincipal } from './sessions.js';

const Role = z.enum(ROLES as [string, ...string[]]);
const sessionSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  workspace: z.object({ id: z.string(), name: z.string(), archivedAt: z.number().nullable().describe('When it was archived; null: active') }),
  role: Role,
  csrfToken: z.string().describe(`Send it back in the ${CSRF_HEADER} header on every state-changing request`),
});
const rateLimited = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

async function sessionBody(deps: AppDeps, userId: string, workspaceId: string, csrfToken: string) {
  const db = deps.store.db;
  const user = await db.selectFrom('users').select(['id', 'email', 'name']).where('id', '=', userId).executeTakeFirstOrThrow();
  const row = await db.selectFrom('workspaces').select(['id', 'name', 'archived_at']).where('id', '=', workspaceId).executeTakeFirstOrThrow();
  const ws = { id: row.id, name: row.name, archivedAt: row.archived_at === null ? null : Number(row.archived_at) };
  const member = await db.selectFrom('workspace_members').select('role').where('user_id', '=', userId).where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow();
  return { user, workspace: ws, role: member.role, csrfToken };
}

export const authRoutes: RouteModule = (app, deps) => {
  const tags = ['auth'];
  const secure = deps.config.publicUrl.startsWith('https:');

  /** Signing out changes state, so it needs the CSRF token too (a forged sign-out is a nuisance). */
  const currentSession = async (request: FastifyRequest): Promise<SessionPrincipal> => {
    const session = await sessionOf(deps, request);
    if (!session) throw new AuthError('not signed in');
    if (!csrfMatches(session, request)) throw new ForbiddenError(`missing or wrong ${CSRF_HEADER} header`);
    return session;
  };

  app.post(
    '/api/auth/setup/inspect',
    {
      schema: {
        tags,
        summary: 'What a one-time setup link is for (role, fixed address); it stays unused',
        body: z.object({ token: z.string().min(1).max(200) }),
        response: { 200: z.object({ role: Role, email: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const invite = await inspectInvite(deps, request.body.token);
      return { role: invite.role, email: invite.email };
    },
  );

  app.post(
    '/api/auth/setup',
    {
      schema: {
        tags,
        summary: 'Create an account from a one-time setup link and sign in; an address that has an account joins the workspace with its password',
        body: z.object({ token: z.string().min(1).max(200), email: z.string().max(320).optional(), name: z.string().max(200).optional(), password: z.string().max(1000) }),
        response: { 201: sessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const done = await acceptInvite(deps, { ...request.body, ip: request.ip });
      const s = await createSession(deps, done.user.id, done.workspaceId);
      setSessionCookie(reply, s.token, s.expiresAt, secure, deps.clock.now());
      return reply.status(201).send(await sessionBody(deps, done.user.id, done.workspaceId, s.csrfToken));
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password; sets the session cookie (429 after repeated failures)',
        body: z.object({ email: z.string().min(1).max(320), password: z.string().max(1000) }),
        response: { 200: sessionSchema, 429: rateLimited, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await login(deps, { ...request.body, ip: request.ip });
      if (result.outcome === 'rate_limited') {
        return reply
          .status(429)
          .header('retry-after', String(result.retryAfterSeconds))
          .send({ error: { code: 'rate_limited', message: `too many failed sign-ins; try again in ${result.retryAfterSeconds} s` } });
      }
      const s = await createSession(deps, result.userId, result.workspaceId);
      setSessionCookie(reply, s.token, s.expiresAt, secure, deps.clock.now());
      return sessionBody(deps, result.userId, result.workspaceId, s.csrfToken);
    },
  );

  app.get(
    '/api/auth/session',
    {
      schema: {
        tags,
        summary: 'The signed-in user, workspace, role and CSRF token (401 when signed out; 204 with ?optional=1, so a signed-out page load logs no error)',
        querystring: z.object({ optional: z.enum(['1', 'true']).optional() }),
        response: { 200: sessionSchema, 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(deps, request);
      if (!session && request.query.optional) return reply.status(204).send(null);
      if (!session) throw new AuthError('not signed in');
      return sessionBody(deps, session.userId, session.workspaceId, session.csrfToken);
    },
  );

  app.post(
    '/api/auth/workspace',
    {
      schema: {
        tags,
        summary: "Switch this session to another of the person's workspaces (no new sign-in); answers the session as it is now",
        body: z.strictObject({ workspaceId: z.string().min(1).max(64) }),
        response: { 200: sessionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const session = await currentSession(request);
      await switchWorkspace(deps, session, request.body.workspaceId);
      return sessionBody(deps, session.userId, request.body.workspaceId, session.csrfToken);
    },
  );
  app.post('/api/auth/logout', { schema: { tags, summary: 'Sign out of this browser', response: { 204: z.null(), ...errorResponses } } }, async (request, reply) => {
    await endSession(deps, (await currentSession(request)).tokenHash);
    clearSessionCookie(reply, secure);
    return reply.status(204).send(null);
  });

  app.post(
    '/api/auth/logout-all',
    { schema: { tags, summary: 'Sign out everywhere: ends every session of the user', response: { 200: z.object({ ended: z.number().int() }), ...errorResponses } } },
    async (request, reply) => {
      const ended = await endAllSessions(deps, (await currentSession(request)).userId);
      clearSessionCookie(reply, secure);
      return { ended };
    },
  );
};
