/**
 * @module The sending-domain check of one workspace: its From domains (From and transactional From of
 * its email settings, else the process defaults), its DKIM signing domain, selector and private key,
 * its Return-Path domain and SMTP relay, handed to ./domain-check.ts with a resolver asking
 * config.dnsServers (QATRA_DNS_SERVERS) or the system's servers.
 */
import { Resolver } from 'node:dns/promises';
import type { AppDeps } from '../core/app-deps.js';
import { domainOf, loadEmailSettings } from '../channels/email/settings.js';
import { checkDomains, type DomainReport, type TxtResolver } from './domain-check.js';

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
  domains: DomainReport[];
}

export async function checkWorkspaceDomains(
  deps: Pick<AppDeps, 'store' | 'secretBox' | 'config'>,
  workspaceId: string,
  resolver: TxtResolver = defaultResolver(deps.config.dnsServers),
): Promise<WorkspaceDomains> {
  const stored = await loadEmailSettings(deps.store.db, workspaceId, deps.secretBox);
  const resolved = stored ?? deps.config.email ?? null;
  if (!resolved) return { source: 'none', domains: [] };
  const { settings, secrets } = resolved;
  const fromDomains = [settings.from.address, settings.transactionalFrom?.address].filter((a): a is string => !!a).map(domainOf);
  const domains = await checkDomains(resolver, {
    fromDomains,
    returnPathDomain: settings.returnPathDomain,
    dkim: settings.dkim ? { ...settings.dkim, privateKey: secrets.dkimPrivateKey } : undefined,
    smtpHost: settings.provider === 'smtp' ? settings.smtp?.host : undefined,
  });
  return { source: stored ? 'workspace' : 'default', domains };
}
