/**
 * @module The HTTP transport the HTTP-based SMS providers (Twilio-compatible, generic HTTP) send
 * through: a guarded outbound client (../../../outbound-http.ts) with keep-alive agents owned by one
 * provider instance, whose target and private-address permission never change, so a send reuses a
 * warm connection and costs one request, not a TCP (and TLS) handshake.
 *
 * `request` never throws for a delivery problem: it resolves to an answer, or to a failure
 * (`timeout`, `network`, `private`, `invalid`) that the provider maps to its result.
 */
import type http from 'node:http';
import { answerText, createOutboundClient } from '../../../outbound-http.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Bodies longer than this are cut off: an SMS API's answer is a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface HttpAnswer {
  kind: 'answer';
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** `invalid`: Node refused to build the request (a header value it cannot send): it can never succeed. */
export type HttpFailure = { kind: 'timeout'; reason: string } | { kind: 'network'; reason: string } | { kind: 'private'; reason: string } | { kind: 'invalid'; reason: string };

export interface TransportOptions {
  /** Lets the provider connect to loopback and private addresses (operator and workspace allow it). */
  allowPrivateOutbound?: boolean | undefined;
  timeoutMs?: number | undefined;
  /** Connections kept per host (default 64). */
  maxSockets?: number | undefined;
}

export interface Transport {
  request(url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body: string | null): Promise<HttpAnswer | HttpFailure>;
  close(): void;
}

export function createTransport(options: TransportOptions): Transport {
  const client = createOutboundClient({
    allowPrivate: options.allowPrivateOutbound,
    allowedBy: 'allowPrivateOutbound on the provider',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxAnswerBytes: MAX_ANSWER_BYTES,
    maxSockets: options.maxSockets,
  });
  return {
    async request(url, method, headers, body) {
      const answer = await client.request(url, { method, headers, body });
      if (answer.kind === 'answer') return { kind: 'answer', status: answer.status, headers: answer.headers, body: answerText(answer) };
      // `too_large` cannot happen: answers are cut at the limit.
      return { kind: answer.kind === 'too_large' ? 'network' : answer.kind, reason: answer.reason };
    },
    close: () => client.close(),
  };
}
