/**
 * @module The sending-domain check of one workspace: its From domains (From and transactional From of
 * its email settings, else the process defaults), its DKIM signing domain, selector and private key,
 * its Return-Path domain and SMTP relay (and again for each provider of its list: that provider's relay,
 * or its ESP's SPF domain), handed to ./domain-check.ts with a resolver asking
 * config.dnsServers (QATRA_DNS_SERVERS) or the system's servers.
 */
import { Resolver } from 'node:dns/promises';
import type { AppDeps } from '../core/app-deps.js';
import { domainOf, loadEmailSettings } from '../channels/email/settings.js';
import { loadProviderList } from '../channels/email/routing/list.js';
import { checkDomains, type DomainCheckInput, type DomainReport, type TxtResolver } from './domain-check.js';

export const DNS_TIMEOUT_MS = 3000;

/** Names reserved for documentation and tests (RFC 2606, RFC 6761): never real sending domains. */
const RESERVED = /(^|\.)(test|example|invalid|localhost|local|localdomain)$|(^|\.)example\.(com|net|org)$/i;

/** Refuses a reserved name without asking (code ERESERVED). */
function refuse(name: string): Promise<never> {
  return Promise.reject(Object.assign(new Error(`${name} is a reserved name (RFC 2606, RFC 6761): not looked up`), { code: 'ERESERVED' }));
}

/**
 * The configured servers answer every name (the tests' local server serves `.test`). The system's
 * servers are not asked reserved names: they cannot have records, and the question would leave the
 * machine for nothing.
 */
export function defaultResolver(servers: readonly string[] | undefined): TxtResolver {
  const r = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });
  if (servers?.length) {
    r.setServers([...servers]);
    return r;
  }
  return {
    resolveTxt: (name) => (RESERVED.test(name) ? refuse(name) : r.resolveTxt(name)),
    resolve4: (name) => (RESERVED.test(name) ? refuse(name) : r.resolve4(name)),
  };
}

export interface WorkspaceDomains {
  /** `workspace` when the workspace stored its email settings, `default` when the process defaults apply. */
  source: 'workspace' | 'default' | 'none';
  /** The From domains as the single-provider settings send them. */
  domains: DomainReport[];
  /** The same From domains checked for each provider of the list: its relay or ESP in SPF. */
  providers: { id: string; name: string; kind: string; domains: DomainReport[] }[];
}

/** The SPF domain each ESP sends from (its documented `include:`). */
const ESP_SPF: Record<string, string> = { ses: 'amazonses.com', sendgrid: 'sendgrid.net', mailgun: 'mailgun.org', postmark: 'spf.mtasv.net' };

/** What the check needs of one provider: its SMTP relay, or its ESP's SPF domain. */
function providerInput(kind: string, settings: Record<string, unknown>): Pick<DomainCheckInput, 'smtpHost' | 'spfInclude'> {
  if (kind === 'smtp') return { smtpHost: (settings.smtp as { host?: string } | undefined)?.host };
  return { spfInclude: ESP_SPF[kind] };
}

export async function checkWorkspaceDomains(
  deps: Pick<AppDeps, 'store' | 'secretBox' | 'config'>,
  workspaceId: string,
  resolver: TxtResolver = defaultResolver(deps.config.dnsServers),
): Promise<WorkspaceDomains> {
  const [stored, list] = await Promise.all([loadEmailSettings(deps.store.db, workspaceId, deps.secretBox), loadProviderList(deps.store.db, deps.secretBox, workspaceId)]);
  const resolved = stored ?? deps.config.email ?? null;
  if (!resolved) return { source: 'none', domains: [], providers: [] };
  const { settings, secrets } = resolved;
  const fromDomains = [settings.from.address, settings.transactionalFrom?.address].filter((a): a is string => !!a).map(domainOf);
  const common = {
    fromDomains,
    returnPathDomain: settings.returnPathDomain,
    dkim: settings.dkim ? { ...settings.dkim, privateKey: secrets.dkimPrivateKey } : undefined,
  };
  const [domains, providers] = await Promise.all([
    checkDomains(resolver, { ...common, ...providerInput(settings.provider, settings.smtp ? { smtp: settings.smtp } : {}) }),
    Promise.all(list.providers.map(async (p) => ({ id: p.id, name: p.name, kind: p.kind, domains: await checkDomains(resolver, { ...common, ...providerInput(p.kind, p.settings) }) }))),
  ]);
  return { source: stored ? 'workspace' : 'default', domains, providers };
}
