/**
 * @module POST /api/journeys/:id/simulate (admin key or session; viewers too, since it stores
 * nothing — see src/users/roles.ts): the path one contact would take, on a virtual clock.
 */
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { TemplateCache } from '../../templates/cache.js';
import { simulateBody, simulateResponse } from './schemas.js';
import { simulateJourney } from './simulate.js';

export const simulateRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  // Its own cache: a simulation renders the same templates several times (each message node).
  const templateCache = new TemplateCache({ now: () => deps.clock.now() });
  app.post(
    '/api/journeys/:id/simulate',
    {
      onRequest: admin,
      schema: {
        tags: ['journeys'],
        summary: 'Simulate one contact through a journey version on a virtual clock: the path, each message rendered, nothing sent or stored',
        params: z.object({ id: z.string() }),
        body: simulateBody,
        response: { 200: simulateResponse, ...errorResponses },
      },
    },
    async (request) => simulateJourney({ deps, templateCache }, workspaceOf(request), request.params.id, request.body),
  );
};
