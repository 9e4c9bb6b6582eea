/**
 * @module GET /api/insights/correlations (admin key): what goes with a conversion, as associations
 * with their intervals and Benjamini–Hochberg-corrected p-values (./correlations.ts).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { findCorrelations } from './correlations.js';

const interval = z.object({ low: z.number(), high: z.number() });

export const correlationsQuery = z.object({
  goal: z
    .string()
    .regex(/^(purchase|journey:[\w-]{1,64})$/, 'purchase, or journey:<journey id>')
    .describe('purchase (an Order Completed event in the window) or journey:<id> (runs entering in the window reach the goal)'),
  windowDays: z.coerce.number().int().min(1).max(365).default(30).describe('The outcome window: the last N days'),
  lookbackDays: z.coerce.number().int().min(1).max(730).default(90).describe('Events and messages in the N days before the window count as candidates'),
  minSupport: z.coerce.number().int().min(5).max(1_000_000).default(30).describe('Contacts needed with and without a candidate before it is tested'),
  alpha: z.coerce.number().gt(0).lt(1).default(0.05).describe('False discovery rate for "significant" (Benjamini–Hochberg)'),
});

const rowSchema = z.object({
  kind: z.enum(['attribute', 'segment', 'event', 'message']),
  label: z.string(),
  key: z.string(),
  value: z.string(),
  withN: z.number(),
  withConverted: z.number(),
  withoutN: z.number(),
  withoutConverted: z.number(),
  rateWith: z.number(),
  rateWithout: z.number(),
  difference: z.number(),
  differenceCi: interval.describe('95 % Newcombe (hybrid Wilson) interval of rateWith − rateWithout'),
  lift: z.number().nullable().describe('rateWith / rateWithout; null when nobody without it converted'),
  liftCi: interval.nullable().describe('95 % log-ratio (Katz) interval of the lift'),
  pValue: z.number().describe('Two-sided, pooled two-proportion z test'),
  qValue: z.number().describe('Benjamini–Hochberg adjusted across every tested row'),
  significant: z.boolean().describe('qValue ≤ alpha'),
  interpretation: z.literal('association').describe('An association in past data, never a cause'),
  test: z.object({ design: z.enum(['holdout', 'ab_split']), how: z.string() }).describe('How to test whether it causes conversions'),
});

const reportSchema = z.object({
  goal: z.string(),
  interpretation: z.literal('association'),
  note: z.string(),
  window: z.object({ from: z.number(), to: z.number(), candidatesBefore: z.number(), lookbackFrom: z.number() }),
  population: z.number(),
  converted: z.number(),
  tested: z.number(),
  rows: z.array(rowSchema),
});

export const correlationsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  app.get(
    '/api/insights/correlations',
    {
      onRequest: admin,
      schema: {
        tags: ['insights'],
        summary: 'Attributes, segments, events and messages associated with a conversion',
        querystring: correlationsQuery,
        response: { 200: reportSchema, ...errorResponses },
      },
    },
    async (request) => findCorrelations(deps, workspaceOf(request), request.query),
  );
};
