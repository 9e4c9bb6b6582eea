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
import { listPendingInvites, withdrawInvite } from './invites.js';
import { sendInviteMail } from './invite-mail.js';
import { emailChannel } from '../channels/email/index.js';

const RoleSchema = z.enum(ROLES as [Role, ...Role[]]);
const memberSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), role: RoleSchema, createdAt: z.number() });
const inviteSchema = z.object({ id: z.string(), email: z.string().nullable(), role: RoleSchema, createdAt: z.number(), expiresAt: z.number() });
const mailSchema = z.object({ status: z.enum(['sent', 'failed']), reason: z.string().optional() }).describe('the invitation email: sent, or why not (the link still works)');

/** Who is acting: an owner, an admin, or an admin API key (a machine, never an owner). */
function actorOf(request: FastifyRequest): Role | 'key' {
  const p = request.principal;
  return p && p.kind === 'session' ? p.role : 'key';
}

export const usersRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['users'];
  // Invitation emails go through the workspace's email provider, as the email channel pools it.
  const channel = emailChannel(deps);
  app.addHook('onClose', async () => channel.close());

  app.get(
    '/api/users',
    { onRequest: admin, schema: { tags, summary: "The workspace's members and their roles", response: { 200: z.object({ data: z.array(memberSchema) }), ...errorResponses } } },
    async (request) => ({ data: await listMembers(deps, workspaceOf(request)) }),
  );

  app.get(
    '/api/users/invites',
    { onRequest: admin, schema: { tags, summary: 'Pending invitations (not yet used, not expired), newest first', response: { 200: z.object({ data: z.array(inviteSchema) }), ...errorResponses } } },
    async (request) => ({ data: await listPendingInvites(deps, workspaceOf(request)) }),
  );

  app.post(
    '/api/users/invites',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Invite someone: emails them a one-time setup link (valid 7 days) and returns it too, to hand over if the mail does not arrive',
        body: z.strictObject({ email: z.email().max(320), role: RoleSchema }),
        response: { 201: z.object({ id: z.string(), setupUrl: z.string(), email: z.string(), role: RoleSchema, expiresAt: z.number(), mail: mailSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (request.body.role === 'owner' && actorOf(request) !== 'owner') throw new ForbiddenError('only an owner can invite an owner');
      const workspaceId = workspaceOf(request);
      const invite = await createInvite(deps, { workspaceId, role: request.body.role, email: request.body.email });
      const url = setupUrl(deps.config.publicUrl, invite.token);
      const mail = await sendInviteMail(deps, channel, { workspaceId, to: invite.email!, role: invite.role, setupUrl: url, expiresAt: invite.expiresAt, invitedBy: await inviterName(request) });
      if (mail.status === 'failed') request.log.warn({ workspaceId, reason: mail.reason }, 'invitation email not sent');
      return reply.status(201).send({ id: invite.id, setupUrl: url, email: invite.email!, role: invite.role, expiresAt: invite.expiresAt, mail });
    },
  );

  app.delete(
    '/api/users/invites/:id',
    { onRequest: admin, schema: { tags, summary: 'Withdraw a pending invitation (its link stops working)', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await withdrawInvite(deps, workspaceOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  /** The inviting member's name for the email; null for an API key. */
  async function inviterName(request: FastifyRequest): Promise<string | null> {
    const p = request.principal;
    if (!p || p.kind !== 'session') return null;
    const user = await deps.store.db.selectFrom('users').select('name').where('id', '=', p.userId).executeTakeFirst();
    return user?.name ?? null;
  }

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
