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
 * Outbound through the guarded client (../channels/outbound-http.ts) on a fresh connection: a
 * private, loopback or link-local target is refused unless the operator and the workspace allow it,
 * as for the webhook channel. Redirects are not followed; the timeout covers the whole exchange.
 */
import { createHmac } from 'node:crypto';
import { answerHeader, answerText, outboundRequest, retryAfterMs, type OutboundAnswer } from '../channels/outbound-http.js';
import type { Clock } from '../core/clock.js';
import type { Destination, PublishInput, PublishResult } from './destination.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Largest answer body read (for its `id`). */
const MAX_ANSWER_BYTES = 64 * 1024;

export function signPost(timestamp: string, body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function remoteIdOf(answer: OutboundAnswer, fallback: string): string {
  const header = answerHeader(answer, 'x-post-id');
  if (header) return header.slice(0, 200);
  try {
    const id = (JSON.parse(answerText(answer)) as { id?: unknown }).id;
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
      const answer = await outboundRequest(new URL(settings.url), { method: 'POST', headers, body }, { allowPrivate, timeoutMs: WEBHOOK_TIMEOUT_MS, maxAnswerBytes: MAX_ANSWER_BYTES });
      if (answer.kind === 'private' || answer.kind === 'invalid') return { status: 'permanent', reason: answer.reason };
      if (answer.kind !== 'answer') return { status: 'retryable', reason: answer.reason.slice(0, 500) };
      if (answer.status >= 200 && answer.status < 300) return { status: 'published', remoteId: remoteIdOf(answer, input.idempotencyKey), remoteUrl: null };
      if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
        const after = retryAfterMs(answer.headers['retry-after'], clock.now());
        return after === undefined ? { status: 'retryable', reason: `HTTP ${answer.status}` } : { status: 'retryable', reason: `HTTP ${answer.status}`, retryAfterMs: after };
      }
      return { status: 'permanent', reason: `HTTP ${answer.status}` };
    },
    engagement: null,
  };
}
