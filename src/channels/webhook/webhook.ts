/**
 * @module The webhook channel: an HTTP POST of `{ contact, context, idempotencyKey }` as JSON to the
 * node's `config.url`, signed with `X-Qatra-Signature: sha256=<hex HMAC-SHA256 of the body>` using
 * `config.secret` or else the workspace's `settings.webhookSecret`, plus `X-Qatra-Timestamp` (ms) and
 * `Idempotency-Key`. Retries are the runtime's job: this only classifies the answer.
 *  - 2xx: sent (provider id from an `X-Message-Id` header when given);
 *  - 408, 429, 5xx, timeout, connection error: retryable (honouring Retry-After seconds);
 *  - other 4xx, a bad URL: permanent.
 */
import { createHmac } from 'node:crypto';
import type { Channel, SendRequest, SendResult } from '../channel.js';
import type { ServiceDeps } from '../../core/deps.js';
import { fromJson } from '../../core/json.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function workspaceSecret(deps: ServiceDeps, workspaceId: string): Promise<string | null> {
  const row = await deps.store.db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  const settings = row ? fromJson<Record<string, unknown> | null>(row.settings) : null;
  const secret = settings?.webhookSecret;
  return typeof secret === 'string' && secret ? secret : null;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

export function webhookChannel(deps: ServiceDeps): Channel {
  return {
    name: 'webhook',
    async send(request: SendRequest): Promise<SendResult> {
      const url = request.config.url;
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return { status: 'permanent', reason: 'webhook config.url must be an http(s) URL' };
      const timeoutMs = typeof request.config.timeoutMs === 'number' ? request.config.timeoutMs : DEFAULT_WEBHOOK_TIMEOUT_MS;
      const body = JSON.stringify({ contact: request.contact, context: request.context, idempotencyKey: request.idempotencyKey });
      const secret = typeof request.config.secret === 'string' ? request.config.secret : await workspaceSecret(deps, request.workspaceId);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-qatra-timestamp': String(deps.clock.now()),
        'idempotency-key': request.idempotencyKey,
      };
      if (secret) headers['x-qatra-signature'] = signBody(body, secret);
      const extra = request.config.headers;
      if (extra && typeof extra === 'object') for (const [k, v] of Object.entries(extra)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const e = err as Error;
        const reason = e.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : `connection failed: ${e.message}`;
        return { status: 'retryable', reason };
      }
      // Drain the body so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        const id = res.headers.get('x-message-id');
        return id ? { status: 'sent', providerMessageId: id, detail: { httpStatus: res.status } } : { status: 'sent', detail: { httpStatus: res.status } };
      }
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        const after = retryAfterMs(res.headers.get('retry-after'));
        return after === undefined
          ? { status: 'retryable', reason: `HTTP ${res.status}` }
          : { status: 'retryable', reason: `HTTP ${res.status}`, retryAfterMs: after };
      }
      return { status: 'permanent', reason: `HTTP ${res.status}` };
    },
  };
}
