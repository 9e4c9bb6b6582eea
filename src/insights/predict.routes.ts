/**
 * @module GET /api/insights/models (the prediction models and their held-out quality) and
 * GET /api/contacts/:id/predictions (a contact's scores and the features behind them), admin key.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams } from '../api/schemas.js';
import { contactPredictions, listModels } from './predict-read.js';
import { KINDS } from './predict.js';

const modelSchema = z.object({
  kind: z.enum(KINDS),
  status: z.enum(['trained', 'insufficient_data']),
  trainedAt: z.number(),
  trainCut: z.number().describe('Trained on the state at this instant, with outcomes of the 30 days after'),
  evalCut: z.number().describe('Evaluated on the state at this later instant, with outcomes of the 30 days after'),
  scoredCut: z.number(),
  trainSize: z.number(),
  trainPositives: z.number(),
  evalSize: z.number(),
  evalPositives: z.number(),
  auc: z.number().nullable().describe('Held-out AUC'),
  brier: z.number().nullable().describe('Held-out Brier score'),
  calibration: z.array(z.object({ low: z.number(), high: z.number(), count: z.number(), meanPredicted: z.number().nullable(), observedRate: z.number().nullable() })),
  durationMs: z.number(),
});

const contribution = z.object({ feature: z.string(), value: z.number(), contribution: z.number().describe('Share of the log-odds: coefficient × standardised value') });

const predictionsSchema = z.object({
  contactId: z.string(),
  scoredAt: z.number().nullable(),
  predictions: z.array(z.object({ kind: z.enum(KINDS), score: z.number().nullable(), topFeatures: z.array(contribution) })),
});

export const predictRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  app.get(
    '/api/insights/models',
    {
      onRequest: admin,
      schema: { tags: ['insights'], summary: 'The prediction models and their quality on the held-out period', response: { 200: z.object({ data: z.array(modelSchema) }), ...errorResponses } },
    },
    async (request) => ({ data: await listModels(deps.store, workspaceOf(request)) }),
  );
  app.get(
    '/api/contacts/:id/predictions',
    {
      onRequest: admin,
      schema: {
        tags: ['insights'],
        summary: "A contact's predicted conversion and churn, each with its top contributing features",
        params: idParams,
        response: { 200: predictionsSchema, ...errorResponses },
      },
    },
    async (request) => contactPredictions(deps.store, workspaceOf(request), request.params.id),
  );
};
