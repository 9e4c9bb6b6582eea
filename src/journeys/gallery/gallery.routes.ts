/**
 * @module /api/gallery: the journeys a marketer can start from (./catalogue.ts), and using one
 * (./use.ts), which creates its templates and a draft journey.
 */
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { GALLERY } from './catalogue.js';
import { useGalleryItem } from './use.js';

const Issue = z.object({ path: z.string(), message: z.string() });

export const galleryRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['journeys'];
  app.get(
    '/api/gallery',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Journeys to start from: welcome series, abandoned cart, win-back, birthday',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                description: z.string(),
                trigger: z.string(),
                steps: z.number().int(),
                templates: z.array(z.object({ key: z.string(), name: z.string(), subject: z.string() })),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async () => ({
      items: GALLERY.map((g) => ({
        id: g.id,
        name: g.name,
        description: g.description,
        trigger: (g.journey.trigger as { type: string }).type,
        steps: (g.journey.nodes as unknown[]).length,
        templates: g.templates.map((t) => ({ key: t.key, name: t.name, subject: t.subject })),
      })),
    }),
  );
  app.post(
    '/api/gallery/:id/use',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "Create a gallery item's templates (English and Arabic) and its journey as a draft; ids get -2, -3 … when taken",
        params: z.object({ id: z.string().max(64) }),
        response: {
          201: z.object({ journey: z.object({ id: z.string(), outcome: z.string(), version: z.number().int(), status: z.string(), warnings: z.array(Issue) }), templates: z.array(z.string()) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.status(201).send(await useGalleryItem(deps, workspaceOf(request), request.params.id)),
  );
};
