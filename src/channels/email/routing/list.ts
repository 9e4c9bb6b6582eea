/**
 * @module A workspace's email provider list and routing rules (`email_provider_list`,
 * `email_routing`), read for sending and replaced whole by `PUT /api/email/providers`.
 *
 * A save is one transaction and all or nothing: each provider is validated by its kind's schemas
 * (./kinds.ts), the rules by `checkRules` (a rule that routes nowhere is refused with its field
 * path), then the list is rewritten. Secrets merge field by field with the stored ones of the same
 * provider id (omitted: kept, null: removed) and are stored sealed; answers show `<name>Set` flags
 * only. The entry `primary` is mirrored into the single-provider settings (`email_providers`) when
 * they exist, so `GET /api/email/provider` keeps telling the truth about it.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ServiceDeps } from '../../../core/deps.js';
import { ValidationError, type FieldIssue } from '../../../core/errors.js';
import { fromJson, toJson } from '../../../core/json.js';
import type { SealingDeps, SecretBox } from '../../../secrets/secret-box.js';
import type { Db } from '../../../store/store.js';
import { openEmailSecrets, sealEmailSecrets } from '../settings.js';
import { emailProviderKinds, isEmailProviderKind } from './kinds.js';
import { checkRules, DEFAULT_POLICY, PROVIDER_ID, routingPolicySchema, routingRuleSchema, type RoutingPolicy, type RoutingRule } from './rules.js';
import type { EmailProviderListTable } from './tables.js';
import type { EmailProviderKind } from '../tables.js';
import { connectionsSchema, domainThrottleSchema, throttleSchema, warmupSchema, type DomainThrottle, type Throttle, type Warmup } from '../limits/limits.js';

export const MAX_EMAIL_PROVIDERS = 20;

export interface ListedProvider {
  id: string;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  /** Opened: for sending only, never for an answer. */
  secrets: Record<string, string>;
  /** At most this many sends per window through this provider (../limits/limits.ts). */
  throttle: Throttle | null;
  /** The provider's warm-up schedule: a daily cap on marketing sends. */
  warmup: Warmup | null;
  /** At most this many sends in flight through this provider at once, across every worker. */
  connections: number | null;
  updatedAt: number;
}

export interface ProviderList {
  providers: ListedProvider[];
  rules: RoutingRule[];
  policy: RoutingPolicy;
  /** Per-recipient-domain throttles (gmail.com 50 per minute). */
  throttles: DomainThrottle[];
  /** Changes whenever the list or the rules change (the pool rebuilds on it). */
  version: string;
}

export const providerListInputSchema = z
  .object({
    providers: z
      .array(
        z
          .object({
            id: z.string().regex(PROVIDER_ID, 'must be a lower-case slug such as primary or backup'),
            name: z.string().trim().min(1).max(100),
            kind: z.string().min(1).max(40),
            settings: z.record(z.string(), z.unknown()).default({}),
            /** Write-only; omitted fields keep their stored value, null removes one. */
            secrets: z.record(z.string(), z.string().max(20_000).nullable()).optional(),
            throttle: throttleSchema.nullable().optional().describe('At most this many sends per window through this provider, shared by every worker'),
            warmup: warmupSchema.nullable().optional().describe('A daily cap on marketing sends that grows (a new provider, IP or domain); transactional mail is never held back'),
            connections: connectionsSchema.nullable().optional(),
          })
          .strict(),
      )
      .max(MAX_EMAIL_PROVIDERS),
    rules: z.array(routingRuleSchema).max(100).default([]),
    policy: routingPolicySchema.default(DEFAULT_POLICY),
    throttles: z.array(domainThrottleSchema).max(100).default([]).describe('Per-recipient-domain throttles, the first whose domains match applies'),
  })
  .strict();

export type ProviderListInput = z.output<typeof providerListInputSchema>;

function toListed(box: SecretBox, row: Selectable<EmailProviderListTable>): ListedProvider {
  // The DKIM key belongs to the workspace: a row copied from `email_providers` may carry it, it is not the provider's.
  const { dkimPrivateKey: _dkim, ...secrets } = openEmailSecrets(box, row.secrets) as Record<string, string>;
  const limits = fromJson<{ throttle?: Throttle; warmup?: Warmup; connections?: number } | null>(row.limits) ?? {};
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    settings: fromJson<Record<string, unknown>>(row.settings),
    secrets,
    throttle: limits.throttle ?? null,
    warmup: limits.warmup ? warmupSchema.parse(limits.warmup) : null,
    connections: limits.connections ?? null,
    updatedAt: Number(row.updated_at),
  };
}

export async function loadProviderList(db: Db, box: SecretBox, workspaceId: string): Promise<ProviderList> {
  const [rows, routing] = await Promise.all([
    db.selectFrom('email_provider_list').selectAll().where('workspace_id', '=', workspaceId).orderBy('position').orderBy('id').execute(),
    db.selectFrom('email_routing').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst(),
  ]);
  const providers = rows.map((r) => toListed(box, r));
  const version = `${providers.map((p) => `${p.id}@${p.updatedAt}`).join(',')}|${routing ? Number(routing.updated_at) : 0}`;
  return {
    providers,
    rules: routing ? fromJson<RoutingRule[]>(routing.rules) : [],
    policy: routing ? { ...DEFAULT_POLICY, ...fromJson<Partial<RoutingPolicy>>(routing.policy) } : DEFAULT_POLICY,
    throttles: routing ? (fromJson<DomainThrottle[] | null>(routing.throttles) ?? []) : [],
    version,
  };
}

function parseAt(schema: z.ZodType, value: unknown, at: string, issues: FieldIssue[]): unknown {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const i of r.error.issues) issues.push({ path: [at, ...i.path.map(String)].join('.'), message: i.message });
  return undefined;
}

/** Replaces the workspace's list, rules and policy; a ValidationError (with field paths) changes nothing. */
export async function saveProviderList(deps: ServiceDeps & SealingDeps, workspaceId: string, input: ProviderListInput): Promise<ProviderList> {
  const issues: FieldIssue[] = [];
  const ids = new Set<string>();
  input.providers.forEach((p, i) => {
    if (ids.has(p.id)) issues.push({ path: `body.providers.${i}.id`, message: `provider id "${p.id}" is used twice` });
    ids.add(p.id);
    if (!isEmailProviderKind(p.kind)) issues.push({ path: `body.providers.${i}.kind`, message: `unknown email provider kind "${p.kind}"; known: ${Object.keys(emailProviderKinds).join(', ')}` });
  });
  if (issues.length > 0) throw new ValidationError(issues);
  checkRules([...ids], input.rules);
  return deps.store.transaction(async (trx) => {
    const stored = new Map((await loadProviderList(trx, deps.secretBox, workspaceId)).providers.map((p) => [p.id, p]));
    const now = deps.clock.now();
    const rows = input.providers.map((p, position) => {
      const kind = emailProviderKinds[p.kind as keyof typeof emailProviderKinds];
      const settings = parseAt(kind.settings, p.settings, `body.providers.${position}.settings`, issues) as Record<string, unknown>;
      const merged: Record<string, unknown> = { ...(stored.get(p.id)?.kind === p.kind ? stored.get(p.id)!.secrets : {}) };
      for (const [k, v] of Object.entries(p.secrets ?? {})) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      const secrets = parseAt(kind.secrets, merged, `body.providers.${position}.secrets`, issues) as Record<string, string>;
      const previous = stored.get(p.id);
      // Strictly increasing per provider, so a pool holding the old build sees it is stale.
      const updatedAt = Math.max(now, (previous?.updatedAt ?? 0) + 1);
      const limits = { ...(p.throttle ? { throttle: p.throttle } : {}), ...(p.warmup ? { warmup: p.warmup } : {}), ...(p.connections ? { connections: p.connections } : {}) };
      return { workspace_id: workspaceId, id: p.id, name: p.name, position, kind: p.kind, settings, secrets, limits, created_at: now, updated_at: updatedAt };
    });
    if (issues.length > 0) throw new ValidationError(issues);
    await trx.deleteFrom('email_provider_list').where('workspace_id', '=', workspaceId).execute();
    if (rows.length > 0) {
      await trx
        .insertInto('email_provider_list')
        .values(rows.map((r) => ({ ...r, settings: toJson(r.settings), secrets: sealEmailSecrets(deps.secretBox, r.secrets), limits: toJson(r.limits) })))
        .execute();
    }
    const routing = { rules: toJson(input.rules), policy: toJson(input.policy), throttles: toJson(input.throttles), updated_at: now };
    await trx
      .insertInto('email_routing')
      .values({ workspace_id: workspaceId, ...routing })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(routing))
      .execute();
    // Circuits of providers that left the list go with them.
    const kept = rows.map((r) => r.id);
    let gone = trx.deleteFrom('email_circuits').where('workspace_id', '=', workspaceId);
    if (kept.length > 0) gone = gone.where('provider_id', 'not in', kept);
    await gone.execute();
    await mirrorIntoSettings(
      trx,
      deps.secretBox,
      workspaceId,
      rows.find((r) => r.id === 'primary'),
      now,
    );
    return loadProviderList(trx, deps.secretBox, workspaceId);
  });
}

/** The list's `primary`, written back into the single-provider settings when the workspace has them. */
async function mirrorIntoSettings(
  trx: Db,
  box: SecretBox,
  workspaceId: string,
  primary: { kind: string; settings: Record<string, unknown>; secrets: Record<string, string> } | undefined,
  now: number,
): Promise<void> {
  if (!primary || (primary.kind !== 'smtp' && primary.kind !== 'outbox')) return;
  const row = await trx.selectFrom('email_providers').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return;
  const settings: Record<string, unknown> = { ...fromJson<Record<string, unknown>>(row.settings), provider: primary.kind };
  if (primary.settings.smtp) settings.smtp = primary.settings.smtp;
  else delete settings.smtp;
  const secrets = { ...openEmailSecrets(box, row.secrets) };
  if (primary.secrets.password) secrets.password = primary.secrets.password;
  else delete secrets.password;
  await trx
    .updateTable('email_providers')
    .set({ kind: primary.kind as EmailProviderKind, settings: toJson(settings), secrets: sealEmailSecrets(box, secrets), updated_at: Math.max(now, Number(row.updated_at) + 1) })
    .where('workspace_id', '=', workspaceId)
    .execute();
}

/** What an answer shows of a provider: its settings, and which secrets are set. */
export function publicProvider(p: ListedProvider): {
  id: string;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
  throttle: Throttle | null;
  warmup: Warmup | null;
  connections: number | null;
} {
  const declared = isEmailProviderKind(p.kind) ? Object.keys(emailProviderKinds[p.kind].secrets.shape) : [];
  const secretsSet: Record<string, boolean> = {};
  for (const name of new Set([...declared, ...Object.keys(p.secrets)])) secretsSet[name] = Boolean(p.secrets[name]);
  return { id: p.id, name: p.name, kind: p.kind, settings: p.settings, secretsSet, throttle: p.throttle, warmup: p.warmup, connections: p.connections };
}
