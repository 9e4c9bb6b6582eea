/**
 * @module The webhook channel: an HTTP POST of `{ contact, context, idempotencyKey }` as JSON to the
 * node's `config.url`, signed with `X-Qatra-Signature: sha256=<hex HMAC-SHA256 of the body>` using
 * `config.secret` or else the workspace's `settings.webhookSecret`, plus `X-Qatra-Timestamp` (ms) and
 * `Idempotency-Key`. Retries are the runtime's job: this only classifies the answer.
 *  - 2xx: sent (provider id from an `X-Message-Id` header when given);
 *  - 408, 429, 5xx, timeout, connection error: retryable (honouring Retry-After seconds);
 *  - other 4xx, 3xx (redirects are not followed: they could lead to a private address), a bad URL,
 *    a target that resolves to a private, loopback or link-local address: permanent.
 *
 * Private targets are refused unless the operator allows private outbound connections
 * (`QATRA_ALLOW_PRIVATE_OUTBOUND`, config.allowPrivateOutbound) AND the workspace opts in with its
 * setting `allowPrivateWebhookTargets` (see ../address-guard.ts): a workspace admin alone must not
 * reach Qatra's own network through it.
 */
import { createHmac } from 'node:crypto';
import { answerHeader, outboundRequest, retryAfterMs } from '../outbound-http.js';
import type { Channel, SendRequest, SendResult } from '../channel.js';
import type { Logger } from 'pino';
import { webhookDescriptor } from '../descriptors.js';
import { pipelineChannel } from '../pipeline.js';
import type { ServiceDeps } from '../../core/deps.js';
import type { Config } from '../../config/config.js';
import { fromJson } from '../../core/json.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookSettings {
  /** The workspace's `webhookSecret`, signing every outbound webhook and alert; null: unsigned. */
  secret: string | null;
  /** The workspace's `allowPrivateWebhookTargets` (effective only with the operator's QATRA_ALLOW_PRIVATE_OUTBOUND). */
  allowPrivate: boolean;
}

/** How a workspace's outbound webhooks are signed and where they may go: for the webhook channel and the alerts. */
export async function webhookSettingsOf(deps: Pick<ServiceDeps, 'store'>, workspaceId: string): Promise<WebhookSettings> {
  const row = await deps.store.db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  const settings = row ? fromJson<Record<string, unknown> | null>(row.settings) : null;
  const secret = settings?.webhookSecret;
  return { secret: typeof secret === 'string' && secret ? secret : null, allowPrivate: settings?.allowPrivateWebhookTargets === true };
}

/** Only the status and two headers are read: the body is kept to this size and dropped. */
const MAX_ANSWER_BYTES = 4096;

/**
 * The webhook channel on the send pipeline (../pipeline.ts): every webhook send is a message record
 * (channel `webhook`, address the URL), so statistics count it like any other channel and a repeated
 * key is answered from its record instead of posting again. No consent or suppression applies.
 */
export function webhookChannel(deps: ServiceDeps & { config?: (Pick<Config, 'allowPrivateOutbound'> & Partial<Pick<Config, 'worker'>>) | undefined; log?: Logger | undefined }): Channel {
  const post = webhookPost(deps);
  return pipelineChannel(
    { store: deps.store, clock: deps.clock, log: deps.log, attemptLeaseMs: deps.config?.worker?.sendLeaseMs },
    {
      descriptor: webhookDescriptor,
      plan: (request) => (typeof request.config.url === 'string' ? { templateId: null } : { error: 'webhook config.url must be an http(s) URL' }),
      address: (raw) => ({ ok: true, value: raw }),
      workspace: async () => undefined,
      async deliver({ request }) {
        const result = await post(request);
        const to = String(request.config.url).slice(0, 2000);
        return { result, content: { provider: 'webhook', to, subject: '', links: [], headerMessageId: null, templateVersion: null, segments: 1 } };
      },
    },
  );
}

/** One signed POST of a request, classified; never throws (no record: the channel above keeps it). */
export function webhookPost(deps: ServiceDeps & { config?: Pick<Config, 'allowPrivateOutbound'> | undefined }): (request: SendRequest) => Promise<SendResult> {
  const operatorAllows = deps.config?.allowPrivateOutbound === true;
  return async function send(request: SendRequest): Promise<SendResult> {
    const url = request.config.url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return { status: 'permanent', reason: 'webhook config.url must be an http(s) URL' };
    const timeoutMs = typeof request.config.timeoutMs === 'number' ? request.config.timeoutMs : DEFAULT_WEBHOOK_TIMEOUT_MS;
    const body = JSON.stringify({ contact: request.contact, context: request.context, idempotencyKey: request.idempotencyKey });
    const settings = await webhookSettingsOf(deps, request.workspaceId);
    const secret = typeof request.config.secret === 'string' ? request.config.secret : settings.secret;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-qatra-timestamp': String(deps.clock.now()),
      'idempotency-key': request.idempotencyKey,
    };
    if (secret) headers['x-qatra-signature'] = signBody(body, secret);
    const extra = request.config.headers;
    if (extra && typeof extra === 'object') for (const [k, v] of Object.entries(extra)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return { status: 'permanent', reason: 'webhook config.url is not a valid URL' };
    }
    // A fresh connection per send: a kept-alive socket opened for a sender allowed private targets
    // would skip the lookup (and so the guard) for the next sender to the same host.
    const res = await outboundRequest(target, { method: 'POST', headers, body }, { allowPrivate: operatorAllows && settings.allowPrivate, timeoutMs, maxAnswerBytes: MAX_ANSWER_BYTES });
    if (res.kind === 'private' || res.kind === 'invalid') return { status: 'permanent', reason: res.reason };
    if (res.kind !== 'answer') return { status: 'retryable', reason: res.reason };
    if (res.status >= 200 && res.status < 300) {
      const id = answerHeader(res, 'x-message-id');
      return id ? { status: 'sent', providerMessageId: id, detail: { httpStatus: res.status } } : { status: 'sent', detail: { httpStatus: res.status } };
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const after = retryAfterMs(res.headers['retry-after'], deps.clock.now());
      return after === undefined ? { status: 'retryable', reason: `HTTP ${res.status}` } : { status: 'retryable', reason: `HTTP ${res.status}`, retryAfterMs: after };
    }
    return { status: 'permanent', reason: `HTTP ${res.status}` };
  };
}
