/**
 * @module Routing rules: which of a workspace's email providers carries a message, evaluated per
 * message (pure: no database, no clock).
 *
 *   1. The first rule that matches the message wins: `kind` (transactional or marketing, absent:
 *      both) and `domains` (the recipient's domain, exactly `gmail.com` or any subdomain of
 *      `*.example.com`; absent: every domain).
 *   2. Without weights, the rule's providers are tried in the order it lists them. With weights, they
 *      pick the first one (an 80/20 split while migrating) deterministically from the message record
 *      id, so a retry of the same message picks the same; a provider without a weight (or 0) is a
 *      standby: never picked first, tried on failover.
 *   3. Failover: the rule's other providers, in the order the rule lists them.
 *   No rule matches: every provider, in the list's order.
 *
 * A rule that routes nowhere (no provider, an unknown one, or only weights of 0) is refused when it
 * is saved (`checkRules`), with the field path of the reason, so a message always has a provider.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../../core/errors.js';

export const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const domainPattern = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a domain such as gmail.com, or *.example.com for its subdomains');

export const routingRuleSchema = z
  .object({
    kind: z.enum(['transactional', 'marketing']).optional().describe('Messages of this kind only (absent: both)'),
    domains: z.array(domainPattern).min(1).max(500).optional().describe('Recipient domains: exact, or *.example.com for subdomains (absent: all)'),
    providers: z
      .array(
        z
          .object({
            id: z.string().regex(PROVIDER_ID, 'must be a provider id'),
            weight: z.number().int().min(0).max(10_000).optional().describe('Share of first attempts (absent in every entry: the listed order; else absent is 0, failover only)'),
          })
          .strict(),
      )
      .max(20),
  })
  .strict();

export const routingPolicySchema = z
  .object({
    failures: z.number().int().min(1).max(1000).default(5).describe('Consecutive retryable failures that open a circuit'),
    windowSeconds: z.number().int().min(1).max(86_400).default(60).describe('Within this many seconds'),
    coolDownSeconds: z.number().int().min(1).max(86_400).default(30).describe('An open circuit lets one probe through after this long'),
    deferralBaseSeconds: z.number().int().min(1).max(86_400).default(60).describe('After a 4xx from a recipient domain, its sends wait this long, doubling with each 4xx in a row'),
    deferralMaxSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(3600)
      .describe('The longest a recipient domain waits after 4xx answers'),
  })
  .strict();

export type RoutingRule = z.output<typeof routingRuleSchema>;
export type RoutingPolicy = z.output<typeof routingPolicySchema>;
export const DEFAULT_POLICY: RoutingPolicy = Object.freeze(routingPolicySchema.parse({}));

export interface RouteInput {
  kind: 'marketing' | 'transactional';
  /** The recipient's domain, lower case. */
  domain: string;
  /** The message record id: the weighted pick is a function of it. */
  messageId: string;
}

export function ruleMatches(rule: RoutingRule, input: RouteInput): boolean {
  if (rule.kind && rule.kind !== input.kind) return false;
  if (!rule.domains) return true;
  return rule.domains.some((d) => (d.startsWith('*.') ? input.domain.endsWith(d.slice(1)) : input.domain === d));
}

/** A number in [0, 1) that depends on the message id only. */
function unitOf(messageId: string): number {
  return createHash('sha1').update(messageId).digest().readUInt32BE(0) / 2 ** 32;
}

/** The provider ids to try for one message, in order (`order`: every provider id, in the list's order). */
export function route(order: readonly string[], rules: readonly RoutingRule[], input: RouteInput): string[] {
  const rule = rules.find((r) => ruleMatches(r, input));
  if (!rule) return [...order];
  const known = new Set(order);
  const entries = rule.providers.filter((p) => known.has(p.id));
  const total = entries.reduce((sum, p) => sum + (p.weight ?? 0), 0);
  if (total === 0) return entries.map((p) => p.id);
  let at = unitOf(input.messageId) * total;
  const first = entries.find((p) => (p.weight ?? 0) > 0 && (at -= p.weight!) < 0) ?? entries.find((p) => (p.weight ?? 0) > 0)!;
  return [first.id, ...entries.filter((p) => p !== first).map((p) => p.id)];
}

function describeRule(rule: RoutingRule): string {
  const kind = rule.kind ? `${rule.kind} mail` : 'mail';
  return rule.domains ? `${kind} to ${rule.domains.slice(0, 3).join(', ')}${rule.domains.length > 3 ? ', …' : ''}` : kind;
}

/** Refuses rules that route nowhere or name providers that do not exist; `at` is the rules' field path. */
export function checkRules(providerIds: readonly string[], rules: readonly RoutingRule[], at = 'body.rules'): void {
  const known = new Set(providerIds);
  const issues: FieldIssue[] = [];
  rules.forEach((rule, i) => {
    const seen = new Set<string>();
    rule.providers.forEach((p, j) => {
      if (!known.has(p.id)) issues.push({ path: `${at}.${i}.providers.${j}.id`, message: `no provider "${p.id}" in the list` });
      else if (seen.has(p.id)) issues.push({ path: `${at}.${i}.providers.${j}.id`, message: `provider "${p.id}" is named twice in this rule` });
      seen.add(p.id);
    });
    if (rule.providers.length === 0) issues.push({ path: `${at}.${i}.providers`, message: `routes nowhere: ${describeRule(rule)} would have no provider` });
    else if (rule.providers.some((p) => p.weight !== undefined) && rule.providers.every((p) => !p.weight))
      issues.push({ path: `${at}.${i}.providers`, message: `routes nowhere: every weight of the rule for ${describeRule(rule)} is 0` });
  });
  if (issues.length > 0) throw new ValidationError(issues);
}
