/**
 * @module Every HTTP request Qatra makes to an address someone configured (webhook targets, SMS and
 * print-mail provider URLs, a print template's images, the assistant's endpoint, alert webhooks)
 * goes through here: node:http(s), not fetch, because fetch cannot take a `lookup`, and the address
 * guard (./address-guard.ts) must check the very addresses the socket connects to. Node does not
 * call `lookup` for an IP literal, so a literal is checked here before connecting.
 *
 * Two ways to call:
 *   - `outboundRequest`: one request on a fresh connection (`agent: false`). For targets whose
 *     private-address permission differs between callers (webhooks: a kept-alive socket opened for a
 *     sender allowed private targets would skip the lookup, and so the guard, for the next sender);
 *   - `createOutboundClient`: keep-alive agents owned by one configured target (a provider
 *     instance), whose target and permission never change, so a send costs one request, not a TCP
 *     and TLS handshake.
 *
 * Never throws for a delivery problem: the answer, or a failure kind the caller maps onto its own
 * result (`timeout`, `network`, `private`, `invalid` when Node refuses to build the request, e.g. a
 * header value it cannot send, `too_large` when the answer passes `maxAnswerBytes` and the caller
 * asked for `oversize: 'fail'`; by default a longer answer is cut at the limit). The timeout covers
 * the whole exchange.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from './address-guard.js';

export interface OutboundAnswer {
  kind: 'answer';
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** `code`: the system error's code for a `network` failure (ECONNREFUSED, ENOTFOUND, …). */
export type OutboundFailure = { kind: 'timeout' | 'network' | 'private' | 'invalid' | 'too_large'; reason: string; code?: string | undefined };

export type OutboundResult = OutboundAnswer | OutboundFailure;

export interface OutboundOptions {
  /** Lets the request reach loopback and private addresses (the operator allowed it). */
  allowPrivate?: boolean | undefined;
  /** What allows private targets, named in the refusal (./address-guard.ts PrivateAddressError). */
  allowedBy?: string | undefined;
  timeoutMs: number;
  maxAnswerBytes: number;
  /** 'truncate' (default): keep the first `maxAnswerBytes`; 'fail': a longer answer is `too_large`. */
  oversize?: 'truncate' | 'fail' | undefined;
}

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string> | undefined;
  body?: string | Uint8Array | null | undefined;
}

export interface OutboundClient {
  request(url: URL, request: OutboundRequest): Promise<OutboundResult>;
  /** Closes the kept-alive connections. */
  close(): void;
}

class OutboundTimeout extends Error {}

/** One request on a fresh connection. */
export function outboundRequest(url: URL, request: OutboundRequest, options: OutboundOptions): Promise<OutboundResult> {
  return send(url, request, options, false);
}

/** Keep-alive agents for one configured target (see the module comment for when that is safe). */
export function createOutboundClient(options: OutboundOptions & { maxSockets?: number | undefined }): OutboundClient {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  return {
    request: (url, request) => send(url, request, options, agents),
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** The answer's body as text (UTF-8). */
export const answerText = (answer: OutboundAnswer): string => answer.body.toString('utf8');

/** One header of the answer (the first when repeated), or null. */
export function answerHeader(answer: OutboundAnswer, name: string): string | null {
  const v = answer.headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
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

function send(url: URL, request: OutboundRequest, options: OutboundOptions, agents: { http: http.Agent; https: https.Agent } | false): Promise<OutboundResult> {
  const allowPrivate = options.allowPrivate === true;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve({ kind: 'invalid', reason: `not an http(s) URL: ${url.protocol}` });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve({ kind: 'private', reason: new PrivateAddressError(host, host, options.allowedBy).message });
  }
  const body = request.body ?? null;
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(url, {
        method: request.method,
        headers: body === null ? (request.headers ?? {}) : { ...request.headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: agents === false ? false : secure ? agents.https : agents.http,
        ...(allowPrivate ? {} : { lookup: guardedLookup }),
      });
    } catch (err) {
      // Thrown, not emitted: e.g. ERR_INVALID_CHAR for a header value Node will not send.
      return resolve({ kind: 'invalid', reason: `request refused: ${(err as Error).message}` });
    }
    let done = false;
    const finish = (value: OutboundResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => req.destroy(new OutboundTimeout()), options.timeoutMs);
    req.on('error', (err: Error) => {
      if (err instanceof OutboundTimeout) finish({ kind: 'timeout', reason: `timeout after ${options.timeoutMs} ms` });
      else if (err instanceof PrivateAddressError || (err as { code?: string }).code === 'EPRIVATEADDR') {
        finish({ kind: 'private', reason: options.allowedBy && err instanceof PrivateAddressError ? new PrivateAddressError(err.host, err.address, options.allowedBy).message : err.message });
      } else finish({ kind: 'network', reason: `connection failed: ${err.message}`, code: (err as NodeJS.ErrnoException).code });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= options.maxAnswerBytes) chunks.push(chunk);
        else if (options.oversize === 'fail') {
          finish({ kind: 'too_large', reason: `answer larger than ${options.maxAnswerBytes} bytes` });
          req.destroy();
        } else {
          const kept = size - chunk.length;
          if (kept < options.maxAnswerBytes) chunks.push(chunk.subarray(0, options.maxAnswerBytes - kept));
        }
      });
      res.on('end', () => finish({ kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (err: Error) => req.emit('error', err));
    });
    req.end(body ?? undefined);
  });
}
