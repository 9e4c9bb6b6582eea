/**
 * @module One call to an OpenAI-compatible chat-completions endpoint (`POST <baseUrl>/chat/completions`),
 * bounded and with its failures put in words a person can act on:
 *  - 401 / 403: the endpoint refused the key (`assistant_key_refused`, not retryable: an admin must fix it);
 *  - 408, 429, 5xx, a timeout, a refused or reset connection: `assistant_unavailable`, retryable;
 *  - any other answer, a body that is not a chat completion, or one larger than `maxAnswerBytes`:
 *    `assistant_bad_answer` (not retryable);
 *  - a private or loopback endpoint the operator and workspace did not both allow: `assistant_private_endpoint`.
 *
 * node:http(s) rather than fetch, for the same reason as the webhook channel: the SSRF guard must
 * check the address the socket connects to (src/channels/address-guard.ts). Redirects are not followed.
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../channels/address-guard.js';
import { UpstreamError } from '../core/errors.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  baseUrl: string;
  model: string;
  apiKey: string | null;
  messages: ChatMessage[];
  timeoutMs: number;
  /** Largest answer body read (bytes); a larger one is refused, not cut. */
  maxAnswerBytes: number;
  allowPrivate: boolean;
  temperature?: number;
}

class Timeout extends Error {}
class TooLarge extends Error {}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function unavailable(what: string): UpstreamError {
  return new UpstreamError('assistant_unavailable', `the assistant endpoint ${what}; nothing was changed, try again in a moment`, true);
}

function badAnswer(what: string): UpstreamError {
  return new UpstreamError('assistant_bad_answer', `the assistant endpoint gave an answer Qatra cannot use: ${what}`, false);
}

function post(url: URL, headers: Record<string, string>, body: string, req: ChatRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!req.allowPrivate && isIpLiteral(host) && isPrivateAddress(host)) return reject(new PrivateAddressError(host, host, ASSISTANT_PRIVATE_OPT_IN));
    const lib = url.protocol === 'https:' ? https : http;
    const request = lib.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(req.allowPrivate ? {} : { lookup: guardedLookup }),
      agent: false,
    });
    const timer = setTimeout(() => request.destroy(new Timeout()), req.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    request.on('error', fail);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxAnswerBytes) {
          // Reject first: once the response is under way, destroying the request need not emit 'error'.
          fail(new TooLarge());
          res.destroy();
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (size > req.maxAnswerBytes) return;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    request.end(body);
  });
}

export const ASSISTANT_PRIVATE_OPT_IN = 'QATRA_ALLOW_PRIVATE_OUTBOUND=1 and the assistant setting allowPrivateEndpoint';

/** The text of the first choice; throws UpstreamError as described in the module comment. */
export async function chatCompletion(req: ChatRequest): Promise<string> {
  const url = new URL(`${req.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (req.apiKey) headers.authorization = `Bearer ${req.apiKey}`;
  const body = JSON.stringify({ model: req.model, messages: req.messages, temperature: req.temperature ?? 0.7, stream: false });
  let answer: { status: number; text: string };
  try {
    answer = await post(url, headers, body, req);
  } catch (err) {
    if (err instanceof PrivateAddressError) throw new UpstreamError('assistant_private_endpoint', err.message, false);
    if (err instanceof Timeout) throw unavailable(`did not answer within ${req.timeoutMs} ms`);
    if (err instanceof TooLarge) throw badAnswer(`the answer is larger than ${req.maxAnswerBytes} bytes`);
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw unavailable(`could not be reached (${code})`);
  }
  const { status, text } = answer;
  if (status === 401 || status === 403) {
    throw new UpstreamError('assistant_key_refused', `the assistant endpoint refused the API key (HTTP ${status}): an admin should check the key in Settings → Writing assistant`, false);
  }
  if (status === 408 || status === 429 || status >= 500) throw unavailable(status === 429 ? 'is rate-limiting requests (HTTP 429)' : `answered HTTP ${status}`);
  if (status < 200 || status >= 300) throw badAnswer(`HTTP ${status}${snippet(text)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badAnswer('the body is not JSON');
  }
  const content = (parsed as { choices?: Array<{ message?: { content?: unknown } }> })?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw badAnswer('no choices[0].message.content in the answer');
  return content;
}

/** The start of a provider's error text, for the message (their errors say what was wrong). */
function snippet(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return clean ? `: ${clean}` : '';
}
