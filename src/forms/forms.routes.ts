/**
 * @module `/api/forms`: create, read, update, delete and list hosted signup forms (admin key), plus
 * the public pages under `/f/` (./public.routes.ts). One route module, so the app's route list
 * names it once.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import type { AppDeps } from '../core/app-deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { emailChannel } from '../channels/email/index.js';
import { createForm, deleteForm, getForm, listForms, updateForm, type Form } from './forms.js';
import { registerPublicFormRoutes } from './public.routes.js';
import { formCreateBody, formPatchBody, formSchema } from './schemas.js';

async function present(deps: AppDeps, forms: Form[]): Promise<z.output<typeof formSchema>[]> {
  const listIds = [...new Set(forms.map((f) => f.listId))];
  const lists = listIds.length ? await deps.store.db.selectFrom('lists').select(['id', 'double_opt_in']).where('id', 'in', listIds).execute() : [];
  const doi = new Map(lists.map((l) => [l.id, Boolean(l.double_opt_in)]));
  return forms.map(({ workspaceId: _ws, ...f }) => ({ ...f, doubleOptIn: doi.get(f.listId) ?? false, url: `${deps.config.publicUrl}/f/${f.id}` }));
}

export const formsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['forms'];
  const channel = emailChannel(deps);
  app.addHook('onClose', async () => channel.close());
  const one = async (f: Form) => (await present(deps, [f]))[0]!;

  app.post(
    '/api/forms',
    { onRequest: admin, schema: { tags, summary: 'Create a hosted signup form for a list', body: formCreateBody, response: { 201: formSchema, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await one(await createForm(deps, workspaceOf(request), request.body))),
  );

  app.get(
    '/api/forms',
    { onRequest: admin, schema: { tags, summary: 'Signup forms, oldest first', querystring: z.object(pageQuery), response: { 200: pageOf(formSchema), ...errorResponses } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listForms(deps, workspaceOf(request), { limit, afterId: decodeCursor(cursor) });
      const page = toPage(rows, limit, (f) => f.id);
      return { data: await present(deps, page.data), nextCursor: page.nextCursor };
    },
  );

  app.get('/api/forms/:id', { onRequest: admin, schema: { tags, summary: 'One signup form', params: idParams, response: { 200: formSchema, ...errorResponses } } }, async (request) =>
    one(await getForm(deps, workspaceOf(request), request.params.id)),
  );

  app.patch(
    '/api/forms/:id',
    { onRequest: admin, schema: { tags, summary: 'Change a signup form (omitted fields stay; null clears)', params: idParams, body: formPatchBody, response: { 200: formSchema, ...errorResponses } } },
    async (request) => one(await updateForm(deps, workspaceOf(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/forms/:id',
    { onRequest: admin, schema: { tags, summary: 'Delete a signup form (its page answers 404; people already signed up stay)', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await deleteForm(deps, workspaceOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  registerPublicFormRoutes(app, deps, channel);
};
