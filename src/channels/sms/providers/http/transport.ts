/**
 * @module The HTTP transport the HTTP-based SMS providers (Twilio-compatible, generic HTTP) send
 * through: one keep-alive agent per provider instance, so a send reuses a warm connection and costs
 * one request, not a TCP (and TLS) handshake. The address guard (../../../address-guard.ts) runs in
 * the agent's `lookup`, so every socket the agent opens is checked; an IP-literal host is checked
 * once here, since Node skips `lookup` for literals. Pooling is safe where the webhook channel's is
 * not (it uses `agent: false`): the agent belongs to one provider, whose target and private-address
 * permission never change, so a socket opened for one sender is never reused for another's rules.
 *
 * `request` never throws for a delivery problem: it resolves to an answer, or to a failure
 * (`timeout`, `network`, `private`) that the provider maps to its result.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../../../address-guard.js';

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

class TransportTimeout extends Error {}

function privateLiteral(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return net.isIP(host) && isPrivateAddress(host) ? host : null;
}

export function createTransport(options: TransportOptions): Transport {
  const allowPrivate = options.allowPrivateOutbound === true;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  return {
    request(url, method, headers, body) {
      if (!allowPrivate) {
        const literal = privateLiteral(url);
        if (literal) return Promise.resolve({ kind: 'private', reason: new PrivateAddressError(literal, literal, 'allowPrivateOutbound on the provider').message });
      }
      return new Promise((resolve) => {
        const secure = url.protocol === 'https:';
        let req: http.ClientRequest;
        try {
          req = (secure ? https : http).request(url, {
            method,
            headers: body === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            agent: secure ? httpsAgent : httpAgent,
            ...(allowPrivate ? {} : { lookup: guardedLookup }),
          });
        } catch (err) {
          // Thrown, not emitted: e.g. ERR_INVALID_CHAR for a header value Node will not send.
          return resolve({ kind: 'invalid', reason: `request refused: ${(err as Error).message}` });
        }
        let done = false;
        const finish = (value: HttpAnswer | HttpFailure) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => req.destroy(new TransportTimeout()), timeoutMs);
        req.on('error', (err: Error) => {
          if (err instanceof TransportTimeout) finish({ kind: 'timeout', reason: `timeout after ${timeoutMs} ms` });
          else if (err instanceof PrivateAddressError || (err as { code?: string }).code === 'EPRIVATEADDR') finish({ kind: 'private', reason: err.message });
          else finish({ kind: 'network', reason: `connection failed: ${err.message}` });
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
          });
          res.on('end', () => finish({ kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err: Error) => req.emit('error', err));
        });
        req.end(body ?? undefined);
      });
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Retry-After in ms: delta-seconds, or an HTTP date measured against `now` (the injected clock). */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
