/**
 * @module /api/workspaces (docs/workspaces.md): the signed-in person's workspaces with their role in
 * each; creating one (an owner of the current workspace; the creator becomes the new one's owner);
 * renaming, setting the ingestion rate, archiving and unarchiving (owners of that workspace).
 *
 * These routes act on workspaces other than the session's, so src/users/roles.ts lets every member
 * through and the checks are here, against the person's role in the workspace named. An API key
 * belongs to one workspace and is never an owner: it lists its own workspace and changes none
 * (the CLI, `qatra workspaces`, manages workspaces on the server).
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../api/deps.js';
import { requireKey } from '../api/auth.js';
import { errorResponses, idParams } from '../api/schemas.js';
import { AuthError, ForbiddenError, NotFoundError } from '../core/errors.js';
import { roleOf, ROLES } from '../users/users.js';
import type { Role } from '../users/tables.js';
import type { SessionPrincipal } from '../users/sessions.js';
import { createManagedWorkspace, getWorkspace, MAX_INGEST_RATE, MAX_WORKSPACE_NAME, setArchived, updateWorkspace, workspacesOf } from './manage.js';

const name = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(MAX_WORKSPACE_NAME)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters (line breaks, tabs, …)');
const ingestRate = z
  .number()
  .int()
  .min(0)
  .max(MAX_INGEST_RATE)
  .nullable()
  .describe("Calls per second this workspace may send to /v1 (per server process); 0: unlimited; null: the server's default (QATRA_INGEST_RATE_PER_WORKSPACE)");

const workspaceSchema = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  createdAt: z.number(),
  archivedAt: z.number().nullable().describe('When it was archived; null: active'),
  ingestRatePerSecond: ingestRate,
  role: z
    .enum(ROLES as [Role, ...Role[]])
    .nullable()
    .describe("The signed-in person's role in it; null when asked with an API key"),
});

const NOT_WITH_KEYS = 'managing workspaces needs a signed-in owner (or `qatra workspaces` on the server): an API key belongs to one workspace';

export const workspacesRoutes: RouteModule = (app, deps) => {
  const signedIn = requireKey(deps, 'admin');
  const tags = ['workspaces'];

  /** The session of a request that passed `signedIn`; API keys are refused. */
  const sessionOf = (request: FastifyRequest): SessionPrincipal => {
    const p = request.principal;
    if (!p) throw new AuthError('not authenticated');
    if (p.kind !== 'session') throw new ForbiddenError(NOT_WITH_KEYS);
    return p;
  };
  /** The person must own the workspace named; one they are not a member of is not found. */
  const requireOwnerOf = async (request: FastifyRequest, workspaceId: string): Promise<string> => {
    const session = sessionOf(request);
    const role = await roleOf(deps, workspaceId, session.userId);
    if (!role) throw new NotFoundError('workspace', workspaceId);
    if (role !== 'owner') throw new ForbiddenError(`your role in this workspace (${role}) may not do this; it needs an owner`);
    return session.userId;
  };

  app.get(
    '/api/workspaces',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: "The signed-in person's workspaces and their role in each, active ones first (with an API key: its own)",
        response: { 200: z.object({ data: z.array(workspaceSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const p = request.principal!;
      if (p.kind === 'session') return { data: await workspacesOf(deps, p.userId) };
      return { data: [{ ...(await getWorkspace(deps, p.workspaceId)), role: null }] };
    },
  );

  app.post(
    '/api/workspaces',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Create a workspace (an owner of the current workspace); the creator becomes its owner',
        body: z.strictObject({ name }),
        response: { 201: workspaceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      if (session.role !== 'owner') throw new ForbiddenError(`your role (${session.role}) may not create workspaces; it needs an owner`);
      const ws = await createManagedWorkspace(deps, { name: request.body.name, ownerId: session.userId });
      return reply.status(201).send({ ...ws, role: 'owner' as const });
    },
  );

  app.patch(
    '/api/workspaces/:id',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Rename a workspace or set its ingestion rate (its owners)',
        params: idParams,
        body: z.strictObject({ name: name.optional(), ingestRatePerSecond: ingestRate.optional() }),
        response: { 200: workspaceSchema, ...errorResponses },
      },
    },
    async (request) => {
      await requireOwnerOf(request, request.params.id);
      return { ...(await updateWorkspace(deps, request.params.id, request.body)), role: 'owner' as const };
    },
  );

  for (const [action, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    app.post(
      `/api/workspaces/:id/${action}`,
      {
        onRequest: signedIn,
        schema: {
          tags,
          summary: archived
            ? 'Archive a workspace (its owners): its data is kept, its keys ingest nothing and the worker skips its due work'
            : 'Unarchive a workspace (its owners): ingestion and due work resume',
          params: idParams,
          response: { 200: workspaceSchema, ...errorResponses },
        },
      },
      async (request) => {
        await requireOwnerOf(request, request.params.id);
        return { ...(await setArchived(deps, request.params.id, archived)), role: 'owner' as const };
      },
    );
  }
};
