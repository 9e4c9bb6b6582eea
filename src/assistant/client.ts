/**
 * @module One call to an OpenAI-compatible chat-completions endpoint (`POST <baseUrl>/chat/completions`),
 * bounded and with its failures put in words a person can act on:
 *  - 401 / 403: the endpoint refused the key (`assistant_key_refused`, not retryable: an admin must fix it);
 *  - 408, 429, 5xx, a timeout, a refused or reset connection: `assistant_unavailable`, retryable;
 *  - any other answer, a body that is not a chat completion, or one larger than `maxAnswerBytes`:
 *    `assistant_bad_answer` (not retryable);
 *  - a private or loopback endpoint the operator and workspace did not both allow: `assistant_private_endpoint`.
 *
 * Through the guarded outbound client (src/channels/outbound-http.ts), on a fresh connection.
 * Redirects are not followed.
 */
import { answerText, outboundRequest } from '../channels/outbound-http.js';
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

function unavailable(what: string): UpstreamError {
  return new UpstreamError('assistant_unavailable', `the assistant endpoint ${what}; nothing was changed, try again in a moment`, true);
}

function badAnswer(what: string): UpstreamError {
  return new UpstreamError('assistant_bad_answer', `the assistant endpoint gave an answer Qatra cannot use: ${what}`, false);
}

export const ASSISTANT_PRIVATE_OPT_IN = 'QATRA_ALLOW_PRIVATE_OUTBOUND=1 and the assistant setting allowPrivateEndpoint';

/** The text of the first choice; throws UpstreamError as described in the module comment. */
export async function chatCompletion(req: ChatRequest): Promise<string> {
  const url = new URL(`${req.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (req.apiKey) headers.authorization = `Bearer ${req.apiKey}`;
  const body = JSON.stringify({ model: req.model, messages: req.messages, temperature: req.temperature ?? 0.7, stream: false });
  const answer = await outboundRequest(
    url,
    { method: 'POST', headers, body },
    { allowPrivate: req.allowPrivate, allowedBy: ASSISTANT_PRIVATE_OPT_IN, timeoutMs: req.timeoutMs, maxAnswerBytes: req.maxAnswerBytes, oversize: 'fail' },
  );
  if (answer.kind === 'private') throw new UpstreamError('assistant_private_endpoint', answer.reason, false);
  if (answer.kind === 'timeout') throw unavailable(`did not answer within ${req.timeoutMs} ms`);
  if (answer.kind === 'too_large') throw badAnswer(`the answer is larger than ${req.maxAnswerBytes} bytes`);
  if (answer.kind !== 'answer') throw unavailable(`could not be reached (${answer.code ?? 'error'})`);
  const status = answer.status;
  const text = answerText(answer);
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
