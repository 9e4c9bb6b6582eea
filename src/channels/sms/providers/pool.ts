/**
 * @module A workspace's SMS providers: the configured ones in priority order (`channel_providers`,
 * channel `sms`), tried in that order with failover (../channel.ts), else the dev outbox. Each is
 * built once per provider version and reused (an SMPP session, keep-alive connections), rebuilt when
 * its row changes, closed with the channel.
 */
import type { JsonObject } from '../../../core/json.js';
import type { SmsProvider } from '../provider.js';

/** A configured provider as stored: settings shown by the API, secrets opened. */
export interface SmsProviderRecord {
  id: string;
  kind: string;
  settings: JsonObject;
  secrets: JsonObject;
  updatedAt: number;
}

/** The provider a workspace sends with now, and what the pipeline needs to know about it. */
export interface ActiveSmsProvider {
  /** `channel_providers.id`, or `outbox:<workspace>` for the default. */
  id: string;
  kind: string;
  provider: SmsProvider;
  /** The sender when the workspace's SMS settings name none. */
  from: string | undefined;
  /** Messages per second all workers together may hand it (undefined: no limit). */
  perSecond: number | undefined;
  /** What one segment costs, in millionths of the workspace currency. */
  costMicrosPerSegment: number | undefined;
}

export interface SmsProviderPoolDeps {
  load(workspaceId: string): Promise<SmsProviderRecord[]>;
  build(record: SmsProviderRecord, workspaceId: string): SmsProvider;
  outbox(workspaceId: string): SmsProvider;
}

export interface SmsProviderPool {
  /** The providers in priority order (at least one: the outbox when none is configured). */
  list(workspaceId: string): Promise<ActiveSmsProvider[]>;
  close(): Promise<void>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

export function createSmsProviderPool(deps: SmsProviderPoolDeps): SmsProviderPool {
  // Two batches asking at once share one build (one SMPP session, not two): see `current`.
  const built = new Map<string, { version: number; active: ActiveSmsProvider }>();

  function activate(record: SmsProviderRecord | undefined, workspaceId: string): ActiveSmsProvider {
    if (!record) return { id: `outbox:${workspaceId}`, kind: 'outbox', provider: deps.outbox(workspaceId), from: undefined, perSecond: undefined, costMicrosPerSegment: undefined };
    const cost = num(record.settings.costPerSegment);
    return {
      id: record.id,
      kind: record.kind,
      provider: deps.build(record, workspaceId),
      from: typeof record.settings.from === 'string' && record.settings.from ? record.settings.from : undefined,
      perSecond: num(record.settings.messagesPerSecond),
      costMicrosPerSegment: cost === undefined ? undefined : Math.round(cost * 1_000_000),
    };
  }

  // Synchronous: two batches asking at once share one build (no await between the check and the set).
  function current(record: SmsProviderRecord | undefined, workspaceId: string): ActiveSmsProvider {
    const key = record ? record.id : `outbox:${workspaceId}`;
    const version = record?.updatedAt ?? 0;
    const have = built.get(key);
    if (have && have.version === version) return have.active;
    const active = activate(record, workspaceId);
    built.set(key, { version, active });
    if (have) void have.active.provider.close().catch(() => {});
    return active;
  }

  return {
    async list(workspaceId) {
      const records = await deps.load(workspaceId);
      if (records.length === 0) return [current(undefined, workspaceId)];
      return records.map((r) => current(r, workspaceId));
    },
    async close() {
      await Promise.all([...built.values()].map((b) => b.active.provider.close().catch(() => {})));
      built.clear();
    },
  };
}
