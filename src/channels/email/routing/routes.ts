/**
 * @module `GET/PUT /api/email/providers`: the workspace's email providers (tried in the list's
 * order), the routing rules between them, the circuit policy, and each provider's circuit. The PUT
 * replaces all of it at once (./list.ts): a rule that routes nowhere is refused (400, with the
 * rule's field path), and nothing changes. Secrets are write-only: answers show `secretsSet` flags.
 * `PUT /api/email/provider` (one provider) keeps working: it edits the entry `primary`. The answer
 * also shows each provider's throttle and warm-up (today's allowance and use), the per-domain
 * throttles and the recipient domains backing off after 4xx answers (../limits/).
 */
import { z } from 'zod';
import type { RouteModule } from '../../../api/deps.js';
import { requireKey, workspaceOf } from '../../../api/auth.js';
import { errorResponses } from '../../../api/schemas.js';
import { ValidationError } from '../../../core/errors.js';
import { privateTargetOf } from '../../address-guard.js';
import { SMTP_ALLOWED_BY } from '../providers/smtp/connect.js';
import type { Clock } from '../../../core/clock.js';
import type { Store } from '../../../store/store.js';
import { usedIn } from '../limits/counters.js';
import { slotsInUse } from '../limits/slots.js';
import { DAY_MS, domainThrottleSchema, throttleSchema, warmupDay, warmupSchema, windowStart } from '../limits/limits.js';
import { loadCircuits } from '../../circuits.js';
import { loadProviderList, providerListInputSchema, publicProvider, saveProviderList, type ProviderList } from './list.js';
import { routingPolicySchema, routingRuleSchema } from './rules.js';

const circuitSchema = z.object({
  state: z.enum(['closed', 'open', 'half_open']),
  failures: z.number(),
  since: z.number().nullable().describe('When it opened (or its probe started); null when closed'),
  lastError: z.string().nullable(),
});

const answerSchema = z.object({
  providers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      settings: z.record(z.string(), z.unknown()),
      secretsSet: z.record(z.string(), z.boolean()),
      throttle: throttleSchema.nullable(),
      warmup: warmupSchema.nullable(),
      connections: z.number().nullable().describe('Sends in flight at once through it, across every worker; null: no cap'),
      today: z
        .object({
          warmupDay: z.number().nullable().describe('Day of the warm-up (1 on its start date); null without one'),
          allowance: z.number().nullable().describe("Today's marketing allowance under the warm-up (UTC day); null: no cap"),
          used: z.number().describe('Marketing sends counted against it today'),
          inFlight: z.number().describe('Connection slots held now (with a connection cap)'),
        })
        .describe("The warm-up's day"),
      circuit: circuitSchema,
    }),
  ),
  rules: z.array(routingRuleSchema),
  policy: routingPolicySchema,
  throttles: z.array(domainThrottleSchema),
  deferrals: z
    .array(z.object({ domain: z.string(), failures: z.number(), until: z.number(), lastError: z.string().nullable() }))
    .describe('Recipient domains backing off after 4xx answers (at most 100, latest first)'),
});

async function answer(deps: { store: Store; clock: Clock }, workspaceId: string, list: ProviderList): Promise<z.output<typeof answerSchema>> {
  const now = deps.clock.now();
  const [circuits, used, deferrals, inFlight] = await Promise.all([
    loadCircuits(deps.store, workspaceId),
    usedIn(
      deps.store.db,
      workspaceId,
      list.providers.filter((p) => p.warmup).map((p) => `warmup:${p.id}`),
      () => windowStart(now, DAY_MS),
    ),
    deps.store.db.selectFrom('email_domain_backoff').selectAll().where('workspace_id', '=', workspaceId).orderBy('updated_at', 'desc').limit(100).execute(),
    slotsInUse(deps.store, workspaceId, now),
  ]);
  return {
    providers: list.providers.map((p) => {
      const c = circuits.get(p.id);
      const day = p.warmup ? warmupDay(p.warmup, now) : null;
      return {
        ...publicProvider(p),
        today: { warmupDay: day?.day ?? null, allowance: day?.allowance ?? null, used: used.get(`warmup:${p.id}`) ?? 0, inFlight: inFlight.get(`provider:${p.id}`) ?? 0 },
        circuit: c
          ? { state: c.state, failures: c.failures, since: c.state === 'open' ? c.openedAt : c.state === 'half_open' ? c.probeAt : null, lastError: c.lastError }
          : { state: 'closed' as const, failures: 0, since: null, lastError: null },
      };
    }),
    rules: list.rules,
    policy: list.policy,
    throttles: list.throttles,
    deferrals: deferrals.map((d) => ({ domain: d.domain, failures: Number(d.failures), until: Number(d.until_at), lastError: d.last_error })),
  };
}

export const emailProvidersRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['email'];

  app.get(
    '/api/email/providers',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "The workspace's email providers with their circuits, the routing rules and the circuit policy (secrets never shown)",
        response: { 200: answerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      return answer(deps, workspaceId, await loadProviderList(deps.store.db, deps.secretBox, workspaceId));
    },
  );

  app.put(
    '/api/email/providers',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Replace the email providers, routing rules and circuit policy; a rule that routes nowhere is refused; omitted secrets are kept, null removes one',
        body: providerListInputSchema,
        response: { 200: answerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      // The address guard (../../address-guard.ts) at save time; the provider checks again at connect.
      if (!deps.config.allowPrivateOutbound) {
        for (const [i, p] of request.body.providers.entries()) {
          const host = (p.settings.smtp as { host?: unknown } | undefined)?.host;
          if (p.kind !== 'smtp' || typeof host !== 'string') continue;
          const refused = await privateTargetOf(host, SMTP_ALLOWED_BY);
          if (refused) throw ValidationError.at(`body.providers.${i}.settings.smtp.host`, refused.message);
        }
      }
      const saved = await saveProviderList(deps, workspaceId, request.body);
      return answer(deps, workspaceId, saved);
    },
  );
};
