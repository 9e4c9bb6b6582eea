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
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../address-guard.js';
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

interface WebhookSettings {
  secret: string | null;
  allowPrivate: boolean;
}

async function workspaceSettings(deps: ServiceDeps, workspaceId: string): Promise<WebhookSettings> {
  const row = await deps.store.db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  const settings = row ? fromJson<Record<string, unknown> | null>(row.settings) : null;
  const secret = settings?.webhookSecret;
  return { secret: typeof secret === 'string' && secret ? secret : null, allowPrivate: settings?.allowPrivateWebhookTargets === true };
}

class WebhookTimeout extends Error {}

interface Answer {
  status: number;
  header(name: string): string | null;
}

/**
 * One POST through node:http(s) rather than fetch, because fetch cannot take a `lookup`: the guard
 * must check the very addresses the socket connects to. The timeout covers the whole exchange.
 */
function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivate: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Node skips `lookup` for IP literals, so those are checked here.
    if (!allowPrivate && isIpLiteral(host) && isPrivateAddress(host)) return reject(new PrivateAddressError(host, host));
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(allowPrivate ? {} : { lookup: guardedLookup }),
      // No pooled socket: a kept-alive connection made for a sender allowed private targets would
      // skip the lookup (and so the guard) for the next sender to the same host.
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new WebhookTimeout()), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      // Drain the body so the connection can be reused.
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const v = res.headers[name];
            return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
          },
        });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.end(body);
  });
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

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
    const settings = await workspaceSettings(deps, request.workspaceId);
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
    let res: Answer;
    try {
      res = await post(target, headers, body, timeoutMs, operatorAllows && settings.allowPrivate);
    } catch (err) {
      if (err instanceof PrivateAddressError) return { status: 'permanent', reason: err.message };
      const e = err as Error;
      const reason = e instanceof WebhookTimeout ? `timeout after ${timeoutMs} ms` : `connection failed: ${e.message}`;
      return { status: 'retryable', reason };
    }
    if (res.status >= 200 && res.status < 300) {
      const id = res.header('x-message-id');
      return id ? { status: 'sent', providerMessageId: id, detail: { httpStatus: res.status } } : { status: 'sent', detail: { httpStatus: res.status } };
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const after = retryAfterMs(res.header('retry-after'));
      return after === undefined ? { status: 'retryable', reason: `HTTP ${res.status}` } : { status: 'retryable', reason: `HTTP ${res.status}`, retryAfterMs: after };
    }
    return { status: 'permanent', reason: `HTTP ${res.status}` };
  };
}
