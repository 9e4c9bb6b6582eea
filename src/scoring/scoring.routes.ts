/**
 * @module Lead-scoring routes (admin key): /api/scoring/rules CRUD, /api/scoring/settings (decay),
 * and a contact's score: GET /api/contacts/:id/score (current score and history, newest first) and
 * POST /api/contacts/:id/score (a manual adjustment).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage, encodeCursor } from '../api/schemas.js';
import { ValidationError } from '../core/errors.js';
import { ruleInput, rulePatch, ruleSchema } from './rule.js';
import { createRule, deleteRule, getRule, listRules, updateRule } from './rules.js';
import { adjustBody, adjustScore, getScore, getSettings, putSettings, settingsBody } from './scores.js';

const historyEntry = z.object({
  id: z.number().int(),
  contactId: z.string(),
  delta: z.number().int(),
  from: z.number().int(),
  to: z.number().int(),
  reason: z.enum(['rule', 'decay', 'manual', 'attribute', 'merge']),
  ruleId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  at: z.number(),
});

const scoreSchema = z.object({
  contactId: z.string(),
  score: z.number().int(),
  lastActivityAt: z.number().nullable(),
  history: pageOf(historyEntry),
});

const settingsSchema = z.object({ decayPercent: z.number().int(), decayPeriod: z.string() });

export const scoringRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['scoring'];

  app.post('/api/scoring/rules', { onRequest: admin, schema: { tags, summary: 'Create a scoring rule', body: ruleInput, response: { 201: ruleSchema, ...errorResponses } } }, async (request, reply) =>
    reply.status(201).send(await createRule(deps, workspaceOf(request), request.body)),
  );

  app.get(
    '/api/scoring/rules',
    { onRequest: admin, schema: { tags, summary: 'List scoring rules in id order', querystring: z.object(pageQuery), response: { 200: pageOf(ruleSchema), ...errorResponses } } },
    async (request) => {
      const { limit, cursor } = request.query;
      return toPage(await listRules(deps, workspaceOf(request), { limit, afterId: decodeCursor(cursor) }), limit, (r) => r.id);
    },
  );

  app.get('/api/scoring/rules/:id', { onRequest: admin, schema: { tags, summary: 'Get a scoring rule', params: idParams, response: { 200: ruleSchema, ...errorResponses } } }, async (request) =>
    getRule(deps, workspaceOf(request), request.params.id),
  );

  app.patch(
    '/api/scoring/rules/:id',
    {
      onRequest: admin,
      schema: { tags, summary: 'Change a scoring rule (it applies from now on; past points stay)', params: idParams, body: rulePatch, response: { 200: ruleSchema, ...errorResponses } },
    },
    async (request) => updateRule(deps, workspaceOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/scoring/rules/:id',
    { onRequest: admin, schema: { tags, summary: 'Delete a scoring rule (past points and their history stay)', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await deleteRule(deps, workspaceOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/scoring/settings', { onRequest: admin, schema: { tags, summary: 'The decay setting', response: { 200: settingsSchema, ...errorResponses } } }, async (request) =>
    getSettings(deps, workspaceOf(request)),
  );

  app.put(
    '/api/scoring/settings',
    { onRequest: admin, schema: { tags, summary: 'Set the decay (not retroactive)', body: settingsBody, response: { 200: settingsSchema, ...errorResponses } } },
    async (request) => putSettings(deps, workspaceOf(request), request.body),
  );

  app.get(
    '/api/contacts/:id/score',
    {
      onRequest: admin,
      schema: { tags, summary: "A contact's lead score and its history, newest first", params: idParams, querystring: z.object(pageQuery), response: { 200: scoreSchema, ...errorResponses } },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const before = decodeCursor(cursor);
      if (before !== undefined && !/^\d+$/.test(before)) throw ValidationError.at('querystring.cursor', 'not a cursor returned by this API');
      const s = await getScore(deps, workspaceOf(request), request.params.id, { limit, beforeId: before === undefined ? undefined : Number(before) });
      const data = s.history.slice(0, limit);
      const next = s.history.length > limit ? encodeCursor(data[data.length - 1]!.id) : null;
      return { contactId: s.contactId, score: s.score, lastActivityAt: s.lastActivityAt, history: { data, nextCursor: next } };
    },
  );

  app.post(
    '/api/contacts/:id/score',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Adjust a score by hand: { delta } or { set }, with an optional note',
        params: idParams,
        body: adjustBody,
        response: { 200: z.object({ score: z.number().int(), entry: historyEntry.nullable() }), ...errorResponses },
      },
    },
    async (request) => adjustScore(deps, workspaceOf(request), request.params.id, request.body),
  );
};
