/**
 * @module /api/users: the workspace's members and invitations. Like every /api route these take an
 * admin key or a session; with a session, src/users/roles.ts lets viewers read and admins change.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams } from '../api/schemas.js';
import { ForbiddenError } from '../core/errors.js';
import { createInvite, listMembers, ROLES, setRole } from './users.js';
import type { Role } from './tables.js';

const RoleSchema = z.enum(ROLES as [Role, ...Role[]]);
const memberSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), role: RoleSchema, createdAt: z.number() });

/** Who is acting: an owner, an admin, or an admin API key (a machine, never an owner). */
function actorOf(request: FastifyRequest): Role | 'key' {
  const p = request.principal;
  return p && p.kind === 'session' ? p.role : 'key';
}

export const usersRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['users'];

  app.get(
    '/api/users',
    { onRequest: admin, schema: { tags, summary: "The workspace's members and their roles", response: { 200: z.object({ data: z.array(memberSchema) }), ...errorResponses } } },
    async (request) => ({ data: await listMembers(deps, workspaceOf(request)) }),
  );

  app.post(
    '/api/users/invites',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Invite someone: returns a one-time setup link (valid 7 days) to give them',
        body: z.strictObject({ email: z.email().max(320), role: RoleSchema }),
        response: { 201: z.object({ setupUrl: z.string(), email: z.string(), role: RoleSchema, expiresAt: z.number() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (request.body.role === 'owner' && actorOf(request) !== 'owner') throw new ForbiddenError('only an owner can invite an owner');
      const invite = await createInvite(deps, { workspaceId: workspaceOf(request), role: request.body.role, email: request.body.email });
      return reply.status(201).send({ setupUrl: setupUrl(deps.config.publicUrl, invite.token), email: invite.email!, role: invite.role, expiresAt: invite.expiresAt });
    },
  );

  app.patch(
    '/api/users/:id',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "Change a member's role",
        params: idParams,
        body: z.strictObject({ role: RoleSchema }),
        response: { 200: z.object({ data: z.array(memberSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      await setRole(deps, workspaceOf(request), actorOf(request), request.params.id, request.body.role);
      return { data: await listMembers(deps, workspaceOf(request)) };
    },
  );

  app.delete(
    '/api/users/:id',
    { onRequest: admin, schema: { tags, summary: 'Remove a member from the workspace', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await setRole(deps, workspaceOf(request), actorOf(request), request.params.id, null);
      return reply.status(204).send(null);
    },
  );
};

/** The link goes in the fragment so it never reaches server logs or Referer headers. */
export function setupUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/app/setup#token=${token}`;
}
