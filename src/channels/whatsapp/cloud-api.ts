/**
 * @module The WhatsApp Business Cloud API client (Meta's Graph API), plain HTTP over the guarded
 * outbound client (../outbound-http.ts: keep-alive agents owned by this client, the address guard in
 * the socket's lookup, a timeout, answers cut at 64 KB):
 * `POST {apiRoot}/{version}/{phoneNumberId}/messages` with `Authorization: Bearer <accessToken>` and
 * `messaging_product: "whatsapp"`, either `type: "template"` (an approved template: name, language
 * code, body parameters as text) or `type: "text"` (free-form, inside the 24-hour window).
 * No vendor SDK: Meta publishes none for Node that is maintained, and the call is one JSON POST.
 *
 * Answers (`{ messages: [{ id: "wamid…" }] }` on success; `{ error: { message, type, code,
 * error_subcode, fbtrace_id } }` otherwise), mapped by `classifyGraphError`:
 *  - 2xx with a `wamid`: sent (status webhooks name that id);
 *  - 2xx without one: permanent, not retried (it may have been sent);
 *  - 130429 / 80007 / 131056 (rate limits), 131000 / 131016 (WhatsApp's own errors), 190 or HTTP
 *    401 (the token: fixed by an admin, so the message waits), HTTP 429 and 5xx, a timeout or a
 *    network error: retryable (Retry-After honoured);
 *  - 132001 (the template does not exist in that language), 131047 (re-engagement: outside the
 *    24-hour window), 131026 (undeliverable), 131051, 100 and any other code: permanent, with the
 *    provider's own message in the reason.
 */
import type { Clock } from '../../core/clock.js';
import { answerText, createOutboundClient, retryAfterMs, type OutboundResult } from '../outbound-http.js';

export const GRAPH_API_ROOT = 'https://graph.facebook.com';
export const GRAPH_API_VERSION = 'v21.0';
const DEFAULT_TIMEOUT_MS = 10_000;
/** Answers are cut here: the messages endpoint answers a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** What one message is, as the Cloud API takes it. */
/** The rendered variable of a template's header: text, or the link of its media. */
export type WhatsappHeader = { type: 'text'; text: string } | { type: 'image' | 'video'; link: string } | { type: 'document'; link: string; filename?: string | undefined };

export type WhatsappPayload =
  | {
      type: 'template';
      name: string;
      language: string;
      parameters: readonly string[];
      header?: WhatsappHeader | undefined;
      /** URL buttons' rendered suffixes, by the button's index. */
      buttons?: readonly { index: number; text: string }[] | undefined;
    }
  | { type: 'text'; text: string };

export type WhatsappSendResult =
  | { status: 'sent'; providerMessageId: string }
  | { status: 'retryable'; reason: string; code?: number | undefined; retryAfterMs?: number | undefined }
  | { status: 'permanent'; reason: string; code?: number | undefined };

export interface CloudApiOptions {
  accessToken: string;
  phoneNumberId: string;
  /** Default https://graph.facebook.com (tests: the local fake, ./cloud-api.testkit.ts). */
  apiRoot?: string | undefined;
  /** Default GRAPH_API_VERSION. */
  version?: string | undefined;
  allowPrivateOutbound?: boolean | undefined;
  timeoutMs?: number | undefined;
  clock?: Clock | undefined;
}

export interface CloudApi {
  send(to: string, payload: WhatsappPayload): Promise<WhatsappSendResult>;
  close(): void;
}

/** The Graph error codes whose meaning we act on (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). */
export const GRAPH_ERRORS: Readonly<Record<number, { retryable: boolean; what: string }>> = {
  190: { retryable: true, what: 'the access token was refused: an admin must renew the provider’s accessToken' },
  4: { retryable: true, what: 'application request limit reached' },
  80007: { retryable: true, what: 'rate limit of the WhatsApp Business Account reached' },
  130429: { retryable: true, what: 'throughput limit of the phone number reached' },
  131056: { retryable: true, what: 'too many messages to this recipient in a short time (pair rate limit)' },
  131000: { retryable: true, what: 'WhatsApp could not send it (unknown error)' },
  131016: { retryable: true, what: 'WhatsApp is overloaded' },
  132001: { retryable: false, what: 'the template does not exist in that language (or is not approved)' },
  132000: { retryable: false, what: 'the number of parameters does not match the template' },
  132012: { retryable: false, what: 'a parameter does not match the format of the template (its header or a button)' },
  132015: { retryable: false, what: 'the template is paused for low quality' },
  131047: { retryable: false, what: 'more than 24 hours since the customer last wrote: only a template message may be sent (re-engagement)' },
  131026: { retryable: false, what: 'the message is undeliverable (not a WhatsApp user, or an old app)' },
  131051: { retryable: false, what: 'unsupported message type' },
  131049: { retryable: false, what: 'not delivered to keep the ecosystem healthy (per-user marketing limit)' },
  100: { retryable: false, what: 'invalid parameter' },
};

interface GraphErrorBody {
  error?: { message?: unknown; type?: unknown; code?: unknown; error_subcode?: unknown; error_data?: { details?: unknown }; fbtrace_id?: unknown };
  messages?: { id?: unknown }[];
}

function parse(text: string): GraphErrorBody | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as GraphErrorBody) : null;
  } catch {
    return null;
  }
}

/** One HTTP answer (or failure) of the messages endpoint as a send result. */
export function classifyGraphAnswer(res: OutboundResult, now: number): WhatsappSendResult {
  if (res.kind === 'private' || res.kind === 'invalid') return { status: 'permanent', reason: res.reason };
  if (res.kind !== 'answer') return { status: 'retryable', reason: res.reason };
  const body = parse(answerText(res));
  if (res.status >= 200 && res.status < 300) {
    const id = body?.messages?.[0]?.id;
    if (typeof id === 'string' && id !== '') return { status: 'sent', providerMessageId: id };
    return { status: 'permanent', reason: `HTTP ${res.status} without a message id: not retried, it may have been sent` };
  }
  const e = body?.error;
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message.slice(0, 300) : '';
  const details = typeof e?.error_data?.details === 'string' ? e.error_data.details.slice(0, 300) : '';
  const known = code === undefined ? undefined : GRAPH_ERRORS[code];
  const said = [message, details].filter(Boolean).join(': ');
  const reason = `WhatsApp ${code ?? `HTTP ${res.status}`}: ${known?.what ?? 'refused'}${said ? ` (provider: ${said})` : ''}`;
  const after = retryAfterMs(res.headers['retry-after'], now);
  if (known?.retryable || (known === undefined && (res.status === 401 || res.status === 429 || res.status >= 500))) {
    return { status: 'retryable', reason, code, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  return { status: 'permanent', reason, code };
}

/** The request body of one message (the number as digits: the Cloud API takes E.164 without `+`). */
export function messageBody(to: string, payload: WhatsappPayload): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: to.replace(/^\+/, '') };
  if (payload.type === 'text') return { ...base, type: 'text', text: { preview_url: false, body: payload.text } };
  const components: Record<string, unknown>[] = [];
  const h = payload.header;
  if (h)
    components.push({
      type: 'header',
      parameters: [h.type === 'text' ? { type: 'text', text: h.text } : { type: h.type, [h.type]: { link: h.link, ...(h.type === 'document' && h.filename ? { filename: h.filename } : {}) } }],
    });
  if (payload.parameters.length > 0) components.push({ type: 'body', parameters: payload.parameters.map((text) => ({ type: 'text', text })) });
  for (const b of payload.buttons ?? []) components.push({ type: 'button', sub_type: 'url', index: String(b.index), parameters: [{ type: 'text', text: b.text }] });
  return { ...base, type: 'template', template: { name: payload.name, language: { code: payload.language }, components } };
}

export function createCloudApi(options: CloudApiOptions): CloudApi {
  const root = (options.apiRoot ?? GRAPH_API_ROOT).replace(/\/+$/, '');
  const endpoint = new URL(`${root}/${options.version ?? GRAPH_API_VERSION}/${encodeURIComponent(options.phoneNumberId)}/messages`);
  const client = createOutboundClient({
    allowPrivate: options.allowPrivateOutbound,
    allowedBy: 'allowPrivateOutbound on the provider',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxAnswerBytes: MAX_ANSWER_BYTES,
  });
  const headers = { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json', accept: 'application/json' };
  const now = () => (options.clock ? options.clock.now() : Date.now());
  return {
    async send(to, payload) {
      return classifyGraphAnswer(await client.request(endpoint, { method: 'POST', headers, body: JSON.stringify(messageBody(to, payload)) }), now());
    },
    close: () => client.close(),
  };
}
