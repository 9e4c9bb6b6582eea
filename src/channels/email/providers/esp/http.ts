/**
 * @module How the ESP providers call their APIs: the guarded outbound client (../../../outbound-http.ts:
 * keep-alive agents owned by one provider instance, the address guard in the socket's lookup, a
 * timeout, answers cut at 64 KB) with the answer's body as text, and the outcome rules the four ESPs
 * share:
 *
 *  - no answer (timeout, refused or dropped connection) → retryable: the ESP may recover;
 *  - 429 and 5xx → retryable, honouring Retry-After;
 *  - 401/403 (credentials or sender identity refused) → retryable: the fix is the operator's, and
 *    the messages should go out once it is made, not fail for good (as SMTP's EAUTH);
 *  - any other 4xx → permanent (the ESP refused this message); each provider first picks out the
 *    answers that mean the ADDRESS is bad (a hard bounce the channel suppresses);
 *  - a private target the address guard refused → permanent (retrying will not make it public).
 */
import type http from 'node:http';
import { answerText, createOutboundClient, retryAfterMs } from '../../../outbound-http.js';
import type { ProviderResult } from '../../provider.js';

export const ESP_TIMEOUT_MS = 15_000;
/** Bodies longer than this are cut off: an ESP's answer to one send is a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** An ESP's answer, its body as text. */
export interface HttpAnswer {
  kind: 'answer';
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** No answer: `invalid` when Node refused to build the request, `private` when the address guard refused the target. */
export interface HttpFailure {
  kind: 'timeout' | 'network' | 'private' | 'invalid';
  reason: string;
}

export interface Transport {
  request(url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body: string | null): Promise<HttpAnswer | HttpFailure>;
  close(): void;
}

export interface EspTransportOptions {
  allowPrivateOutbound: boolean;
  timeoutMs?: number | undefined;
}

export function espTransport(options: EspTransportOptions): Transport {
  const client = createOutboundClient({
    allowPrivate: options.allowPrivateOutbound,
    allowedBy: 'allowPrivateOutbound on the provider',
    timeoutMs: options.timeoutMs ?? ESP_TIMEOUT_MS,
    maxAnswerBytes: MAX_ANSWER_BYTES,
    maxSockets: 16,
  });
  return {
    async request(url, method, headers, body) {
      const answer = await client.request(url, { method, headers, body });
      if (answer.kind === 'answer') return { kind: 'answer', status: answer.status, headers: answer.headers, body: answerText(answer) };
      // `too_large` cannot happen (answers are cut at the limit); were it to, it is a network fault.
      return { kind: answer.kind === 'too_large' ? 'network' : answer.kind, reason: answer.reason };
    },
    close: () => client.close(),
  };
}

/** The outcome of a call that got no HTTP answer. */
export function failureResult(name: string, failure: HttpFailure): ProviderResult {
  if (failure.kind === 'private' || failure.kind === 'invalid') return { status: 'permanent', reason: `${name}: ${failure.reason}` };
  return { status: 'retryable', reason: `${name}: ${failure.reason}` };
}

/** The outcome of an error answer the provider did not recognise (see the module comment). */
export function statusResult(name: string, answer: HttpAnswer, detail: string, now: number): ProviderResult {
  const reason = `${name} HTTP ${answer.status}: ${detail}`.slice(0, 500);
  if (answer.status === 429 || answer.status >= 500 || answer.status === 401 || answer.status === 403 || answer.status < 400) {
    const after = retryAfterMs(answer.headers['retry-after'], now);
    return after === undefined ? { status: 'retryable', reason } : { status: 'retryable', reason, retryAfterMs: after };
  }
  return { status: 'permanent', reason };
}

/** An answer's JSON body, or null when it is not JSON. */
export function jsonOf(answer: HttpAnswer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(answer.body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `base` without trailing slashes, plus `path`. */
export function endpoint(base: string, path: string): URL {
  return new URL(base.replace(/\/+$/, '') + path);
}
