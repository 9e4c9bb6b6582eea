/**
 * @module How the ESP providers call their APIs: the HTTP transport the SMS providers use
 * (../../../sms/providers/http/transport.ts: keep-alive agent, the address guard in its lookup, a
 * timeout, bounded answers), and the outcome rules the four ESPs share:
 *
 *  - no answer (timeout, refused or dropped connection) → retryable: the ESP may recover;
 *  - 429 and 5xx → retryable, honouring Retry-After;
 *  - 401/403 (credentials or sender identity refused) → retryable: the fix is the operator's, and
 *    the messages should go out once it is made, not fail for good (as SMTP's EAUTH);
 *  - any other 4xx → permanent (the ESP refused this message); each provider first picks out the
 *    answers that mean the ADDRESS is bad (a hard bounce the channel suppresses);
 *  - a private target the address guard refused → permanent (retrying will not make it public).
 */
import { retryAfterMs } from '../../../outbound-http.js';
import { createTransport, type HttpAnswer, type HttpFailure, type Transport } from '../../../sms/providers/http/transport.js';
import type { ProviderResult } from '../../provider.js';

export type { HttpAnswer, Transport };

export const ESP_TIMEOUT_MS = 15_000;

export interface EspTransportOptions {
  allowPrivateOutbound: boolean;
  timeoutMs?: number | undefined;
}

export function espTransport(options: EspTransportOptions): Transport {
  return createTransport({ allowPrivateOutbound: options.allowPrivateOutbound, timeoutMs: options.timeoutMs ?? ESP_TIMEOUT_MS, maxSockets: 16 });
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
