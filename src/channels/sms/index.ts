/**
 * @module The SMS channel as the channel registry (src/channels/registry.ts) builds it: the sender
 * (./channel.ts) on the send pipeline, the workspace's provider from `channel_providers` (secrets
 * opened with the SecretBox) or the dev outbox, the providers' shared throughput budget, and where
 * SMPP receipts and replies go (./receipts.ts, ./inbound.ts). The Twilio callbacks reach the same
 * handlers over HTTP (./hooks.routes.ts).
 */
import pino, { type Logger } from 'pino';
import type { JsonObject } from '../../core/json.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { ServiceDeps } from '../../core/deps.js';
import type { SealingDeps } from '../../secrets/secret-box.js';
import type { Db } from '../../store/store.js';
import type { Channel } from '../channel.js';
import { pipelineChannel } from '../pipeline.js';
import { listProviders } from '../providers/providers.js';
import { takeRate } from '../rate-limit.js';
import { smsSender, type RateTaker } from './channel.js';
import { handleInbound, type InboundReply } from './inbound.js';
import { buildSmsProvider } from './provider-kinds.js';
import type { SmsProviderEvents } from './provider.js';
import { createSmsOutbox } from './providers/outbox.js';
import { createSmsProviderPool } from './providers/pool.js';
import { applyReceipt } from './receipts.js';
import { toContact } from '../../contacts/contact.js';

export type SmsChannelDeps = ServiceDeps & SealingDeps & { config?: Config; log?: Logger };

export interface SmsChannel extends Channel {
  close(): Promise<void>;
}

/**
 * A RateTaker that takes a tenth of a second's budget per database round trip and hands it out
 * locally: one upsert per message would cap SQLite near 140 messages/s (every take is a synced
 * commit; src/channels/rate-limit.measure.ts). Tokens left when the second ends are dropped, so the
 * limit is never exceeded, only under-used by at most a tenth per worker.
 */
export function batchedRateTaker(db: Db, clock: Clock): RateTaker {
  const held = new Map<string, { second: number; left: number }>();
  return async (key, perSecond) => {
    const now = clock.now();
    const second = Math.floor(now / 1000);
    const h = held.get(key);
    if (h && h.second === second && h.left > 0) {
      h.left--;
      return { granted: true, retryAfterMs: 0 };
    }
    const limit = Math.max(1, Math.floor(perSecond));
    const grant = await takeRate(db, { key: `sms:${key}`, perSecond: limit, wanted: Math.max(1, Math.ceil(limit / 10)), now });
    if (grant.granted === 0) return { granted: false, retryAfterMs: grant.retryAfterMs };
    held.set(key, { second, left: grant.granted - 1 });
    return { granted: true, retryAfterMs: 0 };
  };
}

/** Where receipts and replies of a provider go; `reply` answers a STOP, START or HELP. */
export function smsEvents(deps: ServiceDeps & { log: Logger; reply: InboundReply }, workspaceId: string, provider: string): SmsProviderEvents {
  return {
    onReceipt: async (receipt) => void (await applyReceipt(deps, { workspaceId, provider, receipt })),
    onInbound: async (inbound) => void (await handleInbound(deps, { workspaceId, provider, inbound })),
  };
}

/**
 * The answer to a keyword: a transactional SMS of `text` through `channel`, to the contact's number,
 * once per key (the pipeline's record answers a repeated key with the first outcome).
 */
export function replyThrough(db: Db, channel: () => Channel): InboundReply {
  return async (workspaceId, contact, text, idempotencyKey) => {
    const row = await db.selectFrom('contacts').selectAll().where('id', '=', contact.id).where('workspace_id', '=', workspaceId).executeTakeFirst();
    if (!row) return;
    await channel().send({ workspaceId, contact: toContact(row), idempotencyKey, config: { text }, context: {}, kind: 'transactional' });
  };
}

export function createSmsChannel(deps: SmsChannelDeps): SmsChannel {
  // Receipts and replies log what they ignore; a process without a logger (a script) drops it.
  const log = deps.log ?? pino({ enabled: false });
  const config = deps.config;
  // The channel answers the replies its own providers receive (SMPP): built below, used later.
  let channel: Channel;
  const reply = replyThrough(deps.store.db, () => channel);
  const providers = createSmsProviderPool({
    load: async (workspaceId) =>
      (await listProviders(deps.store.db, deps.secretBox, workspaceId, 'sms')).map((p) => ({ id: p.id, kind: p.kind, settings: p.settings as JsonObject, secrets: p.secrets, updatedAt: p.updatedAt })),
    build: (record, workspaceId) =>
      buildSmsProvider(
        { store: deps.store, clock: deps.clock, log, allowPrivateOutbound: config?.allowPrivateOutbound, events: (ws) => smsEvents({ ...deps, log, reply }, ws, record.kind) },
        record,
        workspaceId,
      ),
    outbox: (workspaceId) => createSmsOutbox(deps, workspaceId),
  });
  const publicUrl = (config?.publicUrl ?? 'http://localhost:8080').replace(/\/+$/, '');
  channel = pipelineChannel(
    { store: deps.store, clock: deps.clock, log: deps.log, attemptLeaseMs: config?.worker.sendLeaseMs },
    smsSender({
      store: deps.store,
      clock: deps.clock,
      publicUrl,
      providers,
      takeRate: batchedRateTaker(deps.store.db, deps.clock),
      statusCallbackUrl: (p) => (p.kind === 'twilio' ? `${publicUrl}/hooks/sms/twilio/${p.id}/status` : undefined),
    }),
  );
  return { ...channel, close: () => providers.close() };
}
