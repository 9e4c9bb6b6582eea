/**
 * @module The generic webhook destination, for networks Qatra has no client for: one JSON POST per
 * post and account, `{ idempotencyKey, post: { id, seriesId, position, text, images }, accountId }`
 * (images as base64), with headers
 *  - `X-Qatra-Timestamp`: epoch milliseconds;
 *  - `X-Qatra-Signature`: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the account's
 *    signing secret (the timestamp is signed too, so a receiver can refuse old replays);
 *  - `Idempotency-Key`: the same on every attempt of the post on this account.
 * The receiver answers 2xx (its post id in `X-Post-Id` or a JSON `id`, else the key is kept);
 * 408/429/5xx and connection errors are retried, other answers fail for good.
 *
 * Outbound through the address guard in the socket's lookup (../channels/address-guard.ts): a
 * private, loopback or link-local target is refused unless the operator and the workspace allow it,
 * as for the webhook channel. Redirects are not followed.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../channels/address-guard.js';
import type { Clock } from '../core/clock.js';
import type { Destination, PublishInput, PublishResult } from './destination.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Largest answer body read (for its `id`). */
const MAX_ANSWER_BYTES = 64 * 1024;

export function signPost(timestamp: string, body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function post(url: URL, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Node skips `lookup` for IP literals, so those are checked here.
    if (!allowPrivate && (/^[\d.]+$/.test(host) || host.includes(':')) && isPrivateAddress(host)) return reject(new PrivateAddressError(host, host));
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(allowPrivate ? {} : { lookup: guardedLookup }),
      agent: false,
      timeout: WEBHOOK_TIMEOUT_MS,
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${WEBHOOK_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

function remoteIdOf(answer: Answer, fallback: string): string {
  const header = answer.headers['x-post-id'];
  if (typeof header === 'string' && header) return header.slice(0, 200);
  try {
    const id = (JSON.parse(answer.body) as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return String(id).slice(0, 200);
  } catch {
    // not JSON: keep the key
  }
  return fallback;
}

export function webhookDestination(settings: { url: string }, secret: string, clock: Clock, allowPrivate: boolean): Destination {
  return {
    kind: 'webhook',
    idempotent: true,
    maxImages: 4,
    maxCharacters: () => null,
    async publish(input: PublishInput): Promise<PublishResult> {
      const body = JSON.stringify({
        idempotencyKey: input.idempotencyKey,
        accountId: input.meta.accountId,
        post: {
          id: input.meta.postId,
          seriesId: input.meta.seriesId,
          position: input.meta.position,
          text: input.text,
          images: input.images.map((i) => ({ id: i.id, contentType: i.contentType, base64: i.data.toString('base64') })),
        },
      });
      const timestamp = String(clock.now());
      const headers = { 'content-type': 'application/json', 'x-qatra-timestamp': timestamp, 'x-qatra-signature': signPost(timestamp, body, secret), 'idempotency-key': input.idempotencyKey };
      let answer: Answer;
      try {
        answer = await post(new URL(settings.url), headers, body, allowPrivate);
      } catch (err) {
        if (err instanceof PrivateAddressError) return { status: 'permanent', reason: err.message };
        return { status: 'retryable', reason: `connection failed: ${(err as Error).message}`.slice(0, 500) };
      }
      if (answer.status >= 200 && answer.status < 300) return { status: 'published', remoteId: remoteIdOf(answer, input.idempotencyKey), remoteUrl: null };
      if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
        const s = Number(answer.headers['retry-after']);
        return Number.isFinite(s) && s >= 0 ? { status: 'retryable', reason: `HTTP ${answer.status}`, retryAfterMs: s * 1000 } : { status: 'retryable', reason: `HTTP ${answer.status}` };
      }
      return { status: 'permanent', reason: `HTTP ${answer.status}` };
    },
    engagement: null,
  };
}
