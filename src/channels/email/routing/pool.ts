/**
 * @module The providers a workspace's email goes through, built once and reused (an SMTP pool keeps
 * its connections), rebuilt when their settings change, closed with the channel.
 *
 * Each provider is built twice, lazily, one per lane: `bulk` (journeys' and broadcasts' marketing)
 * and `transactional` (the transactional API, transactional journey messages). Each lane is its own
 * SMTP connection pool with its own queue, so a receipt never waits behind a broadcast's thousands
 * of queued messages in the same nodemailer pool.
 *
 * A workspace without a provider list (./list.ts) has one provider: its single-provider settings
 * (`email_providers`), else the process defaults. It is routed the same way, without circuits (there
 * is nowhere else to go), so its mail behaves as before the list existed.
 */
import type { Clock } from '../../../core/clock.js';
import type { SecretBox } from '../../../secrets/secret-box.js';
import type { Store } from '../../../store/store.js';
import { ENV_VERSION } from '../env.js';
import type { EmailProvider } from '../provider.js';
import { isEspKind } from '../providers/esp/kinds.js';
import { emailProviders } from '../providers/registry.js';
import { loadEmailSettings, type EmailSecrets, type EmailSettings, type ResolvedEmailSettings } from '../settings.js';
import type { EmailProviderKind } from '../tables.js';
import { CircuitBoard } from '../../circuits.js';
import { SendGate } from '../limits/gate.js';
import { loadProviderList, type ListedProvider } from './list.js';
import { route, type RouteInput } from './rules.js';

export type Lane = 'bulk' | 'transactional';

export interface RoutedProvider {
  /** The list entry's id (`default` for a workspace without a list). */
  id: string;
  /** What the message record names as its provider: `smtp:backup`, or the kind alone without a list. */
  label: string;
  provider: EmailProvider;
}

export interface WorkspaceRoutes {
  resolved: ResolvedEmailSettings;
  /** Circuits of the list's providers (null without a list). */
  circuits: CircuitBoard | null;
  /** Throttles, warm-up and the recipient domains' 4xx backoff (../limits/gate.ts). */
  gate: SendGate;
  /** The providers to try for one message, in order. */
  candidates(input: RouteInput): RoutedProvider[];
}

export interface RoutedPoolDeps {
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  allowPrivateOutbound?: boolean | undefined;
}

export interface RoutedPool {
  routes(workspaceId: string): Promise<WorkspaceRoutes>;
  close(): Promise<void>;
}

export function createRoutedPool(deps: RoutedPoolDeps, defaults: ResolvedEmailSettings): RoutedPool {
  const built = new Map<string, { version: string; provider: EmailProvider }>();

  function build(workspaceId: string, resolved: ResolvedEmailSettings, entry: ListedProvider, lane: Lane): EmailProvider {
    const key = `${workspaceId}\u0000${entry.id}\u0000${lane}`;
    const version = `${entry.updatedAt}|${resolved.version}`;
    const have = built.get(key);
    if (have && have.version === version) return have.provider;
    if (have) void have.provider.close().catch(() => {});
    const settings = { ...resolved.settings, ...entry.settings, provider: entry.kind } as EmailSettings;
    const own = isEspKind(entry.kind) ? { esp: entry.secrets } : entry.secrets;
    const secrets: EmailSecrets = { ...own, ...(resolved.secrets.dkimPrivateKey ? { dkimPrivateKey: resolved.secrets.dkimPrivateKey } : {}) };
    // The process defaults (QATRA_SMTP_URL) are the operator's own choice: the address guard applies to workspace settings only.
    const allowPrivateOutbound = Boolean(deps.allowPrivateOutbound) || resolved.version === ENV_VERSION;
    const provider = emailProviders[entry.kind as EmailProviderKind]({ store: deps.store, clock: deps.clock, allowPrivateOutbound }, settings, secrets);
    built.set(key, { version, provider });
    return provider;
  }

  return {
    async routes(workspaceId) {
      const [stored, list] = await Promise.all([loadEmailSettings(deps.store.db, workspaceId, deps.secretBox), loadProviderList(deps.store.db, deps.secretBox, workspaceId)]);
      const resolved = stored ?? defaults;
      if (list.providers.length === 0) {
        const { settings, secrets } = resolved;
        const single: ListedProvider = {
          id: 'default',
          name: 'default',
          kind: settings.provider,
          settings: settings.smtp ? { smtp: settings.smtp } : settings.esp ? { esp: settings.esp } : {},
          // An ESP's credentials are the entry's secrets, as in a list (`build` hands them on as `secrets.esp`).
          secrets: isEspKind(settings.provider) ? { ...secrets.esp } : secrets.password ? { password: secrets.password } : {},
          throttle: null,
          connections: null,
          warmup: null,
          updatedAt: 0,
        };
        return {
          resolved,
          circuits: null,
          // No throttles or warm-up without a list; the domains' 4xx backoff applies all the same.
          gate: await SendGate.load(deps, workspaceId, { providers: new Map(), throttles: [], policy: list.policy }),
          candidates: (input) => {
            const provider = build(workspaceId, resolved, single, input.kind === 'transactional' ? 'transactional' : 'bulk');
            return [{ id: single.id, label: provider.name, provider }];
          },
        };
      }
      const byId = new Map(list.providers.map((p) => [p.id, p]));
      const order = list.providers.map((p) => p.id);
      const [circuits, gate] = await Promise.all([
        CircuitBoard.load(deps, workspaceId, list.policy),
        SendGate.load(deps, workspaceId, { providers: new Map(list.providers.map((p) => [p.id, p])), throttles: list.throttles, policy: list.policy }),
      ]);
      return {
        resolved,
        circuits,
        gate,
        candidates: (input) =>
          route(order, list.rules, input).map((id) => {
            const entry = byId.get(id)!;
            return { id, label: `${entry.kind}:${id}`, provider: build(workspaceId, resolved, entry, input.kind === 'transactional' ? 'transactional' : 'bulk') };
          }),
      };
    },
    async close() {
      const all = [...built.values()];
      built.clear();
      await Promise.all(all.map((b) => b.provider.close().catch(() => {})));
    },
  };
}
