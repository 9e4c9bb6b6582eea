/**
 * @module `/api/channels/:channel/providers`: list, create, read, change and delete the providers of
 * a channel other than email (admin key; a signed-in user needs the admin role to change them, any
 * role to read them, as for the email provider). Settings and secrets are validated by the kind's
 * schemas (./kinds.ts): a bad field is a 400 naming `body.settings.<field>` or `body.secrets.<field>`.
 * Secrets are write-only: answers carry `secrets: { <name>Set: boolean }`, never a value. An unknown
 * channel or provider is a 404.
 *
 * Registered in src/api/routes.ts over `providerKinds`; `providerRoutes(kinds)` builds the same
 * routes over another map (tests).
 */
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { NotFoundError } from '../../core/errors.js';
import { declaredSecretNames, providerKinds, type ProviderKinds } from './kinds.js';
import { createProvider, deleteProvider, getProvider, listProviders, updateProvider, type ChannelProvider } from './providers.js';

const channelParams = z.object({ channel: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a channel name such as sms') });
const providerParams = channelParams.extend({ id: z.string().min(1).max(64) });
const name = z.string().trim().min(1).max(200);
const priority = z.number().int().min(0).max(1000).describe('lower is tried first');
const settings = z.record(z.string(), z.unknown()).describe("validated by the provider kind's schema");
const secretValue = z.string().max(20_000);

const providerSchema = z.object({
  id: z.string(),
  channel: z.string(),
  kind: z.string(),
  name: z.string(),
  priority: z.number(),
  settings: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.boolean()).describe('`<name>Set` for each secret the kind declares or the provider holds; values are never returned'),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const createBody = z.object({ kind: z.string().min(1).max(64), name, priority: priority.optional(), settings, secrets: z.record(z.string(), secretValue).optional() }).strict();
const patchBody = z
  .object({
    name: name.optional(),
    priority: priority.optional(),
    settings: settings.optional().describe('replaces the stored settings'),
    secrets: z.record(z.string(), secretValue.nullable()).optional().describe('omitted fields keep their stored value; null removes one'),
  })
  .strict();

/** A provider as the API shows it: secrets replaced by `<name>Set` flags. */
export function publicProvider(kinds: ProviderKinds, p: ChannelProvider): z.output<typeof providerSchema> {
  const kind = kinds[p.channel]?.[p.kind];
  const names = new Set([...(kind ? declaredSecretNames(kind) : []), ...Object.keys(p.secrets)]);
  const secrets: Record<string, boolean> = {};
  for (const n of names) secrets[`${n}Set`] = typeof p.secrets[n] === 'string' && p.secrets[n] !== '';
  return { id: p.id, channel: p.channel, kind: p.kind, name: p.name, priority: p.priority, settings: p.settings, secrets, createdAt: p.createdAt, updatedAt: p.updatedAt };
}

export function providerRoutes(kinds: ProviderKinds): RouteModule {
  return (app, deps) => {
    const admin = requireKey(deps, 'admin');
    const tags = ['channels'];
    const pdeps = { ...deps, providerKinds: kinds };
    const knownChannel = (channel: string) => {
      if (!kinds[channel]) throw new NotFoundError('channel', channel);
    };
    const show = (p: ChannelProvider) => publicProvider(kinds, p);

    app.get(
      '/api/channels/:channel/providers',
      {
        onRequest: admin,
        schema: {
          tags,
          summary: "A channel's providers in priority order (secrets shown as flags)",
          params: channelParams,
          response: { 200: z.object({ data: z.array(providerSchema) }), ...errorResponses },
        },
      },
      async (request) => {
        knownChannel(request.params.channel);
        return { data: (await listProviders(deps.store.db, deps.secretBox, workspaceOf(request), request.params.channel)).map(show) };
      },
    );

    app.post(
      '/api/channels/:channel/providers',
      { onRequest: admin, schema: { tags, summary: 'Add a provider to a channel', params: channelParams, body: createBody, response: { 201: providerSchema, ...errorResponses } } },
      async (request, reply) => reply.status(201).send(show(await createProvider(pdeps, workspaceOf(request), request.params.channel, request.body))),
    );

    app.get(
      '/api/channels/:channel/providers/:id',
      { onRequest: admin, schema: { tags, summary: 'A provider (secrets shown as flags)', params: providerParams, response: { 200: providerSchema, ...errorResponses } } },
      async (request) => {
        knownChannel(request.params.channel);
        return show(await getProvider(deps.store.db, deps.secretBox, workspaceOf(request), request.params.channel, request.params.id));
      },
    );

    app.patch(
      '/api/channels/:channel/providers/:id',
      {
        onRequest: admin,
        schema: {
          tags,
          summary: "Change a provider's name, priority, settings or secrets (omitted secrets are kept)",
          params: providerParams,
          body: patchBody,
          response: { 200: providerSchema, ...errorResponses },
        },
      },
      async (request) => show(await updateProvider(pdeps, workspaceOf(request), request.params.channel, request.params.id, request.body)),
    );

    app.delete(
      '/api/channels/:channel/providers/:id',
      { onRequest: admin, schema: { tags, summary: 'Delete a provider', params: providerParams, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await deleteProvider(pdeps, workspaceOf(request), request.params.channel, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}

export const channelProvidersRoutes: RouteModule = providerRoutes(providerKinds);
