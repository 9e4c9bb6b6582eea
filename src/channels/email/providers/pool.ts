/**
 * @module Providers are long-lived (an SMTP pool keeps its connections), so the email channel keeps
 * one per workspace and settings version, replacing (and closing) it when the settings change.
 */
import { loadEmailSettings, type ResolvedEmailSettings } from '../settings.js';
import { ENV_VERSION } from '../env.js';
import type { EmailProvider } from '../provider.js';
import { emailProviders, type ProviderDeps } from './registry.js';
import type { SecretBox } from '../../../secrets/secret-box.js';

export interface ProviderPool {
  /** The workspace's settings and its provider (stored settings, else the process defaults). */
  get(workspaceId: string): Promise<{ resolved: ResolvedEmailSettings; provider: EmailProvider }>;
  close(): Promise<void>;
}

export function createProviderPool(deps: ProviderDeps & { secretBox: SecretBox }, defaults: ResolvedEmailSettings): ProviderPool {
  const cache = new Map<string, { version: string; provider: EmailProvider }>();
  return {
    async get(workspaceId) {
      const resolved = (await loadEmailSettings(deps.store.db, workspaceId, deps.secretBox)) ?? defaults;
      const cached = cache.get(workspaceId);
      if (cached && cached.version === resolved.version) return { resolved, provider: cached.provider };
      if (cached) await cached.provider.close();
      // The process defaults (QATRA_SMTP_URL) are the operator's own choice, not a workspace admin's:
      // the address guard applies to stored workspace settings only.
      const allowPrivateOutbound = Boolean(deps.allowPrivateOutbound) || resolved.version === ENV_VERSION;
      const provider = emailProviders[resolved.settings.provider]({ ...deps, allowPrivateOutbound }, resolved.settings, resolved.secrets);
      cache.set(workspaceId, { version: resolved.version, provider });
      return { resolved, provider };
    },
    async close() {
      const all = [...cache.values()];
      cache.clear();
      await Promise.all(all.map((c) => c.provider.close()));
    },
  };
}
