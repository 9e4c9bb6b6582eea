/**
 * @module A test server that speaks the WhatsApp Cloud API (Meta's Graph API), errors included, on
 * 127.0.0.1 (a real `http.createServer`):
 *
 *  - `POST /v<ver>/<phone-number-id>/messages` checks `Authorization: Bearer <token>` (401, error
 *    190 OAuthException) and `messaging_product: "whatsapp"` (400, error 100), then:
 *     - `type: "template"`: the template must be one of `templates` (name + language code: else 404
 *       is not what Meta does; it answers 400 with error 132001 and `error_data.details` naming the
 *       template and language) with as many body parameters as it declares (else 132000), and
 *       the header parameter and URL button suffixes it declares, media by an https `link`
 *       (else 132012, "parameter format does not match");
 *     - `type: "text"`: only to a number whose 24-hour window is open (`openWindow`), else 131047
 *       (re-engagement message);
 *     - failures on demand per recipient (`failures`): 131026 undeliverable, 130429 / 80007 rate
 *       limits (with HTTP 429 when asked), 190 bad token, or any code;
 *    and answers `{ messaging_product, contacts: [{ input, wa_id }], messages: [{ id: "wamid.…" }] }`.
 *  - `postWebhook(url, body)` POSTs a webhook to Qatra as Meta does: JSON, signed with
 *    `X-Hub-Signature-256` under the app secret (or `signWith`; null: unsigned); `statusEvent` and
 *    `inboundEvent` build the documented payloads.
 * Every request body it took is in `received`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubSignature } from './signature.js';

export interface FakeTemplate {
  name: string;
  language: string;
  /** Body parameters it declares ({{1}}, {{2}}, …). */
  parameters: number;
  /** Its header's variable: a text parameter, or media of this kind (none: no header parameter). */
  header?: 'text' | 'image' | 'video' | 'document';
  /** Indexes of its URL buttons whose address ends in a variable. */
  urlButtons?: number[];
}

export type FakeFailure = { code: number; httpStatus?: number; message?: string; retryAfter?: string };

export interface ReceivedRequest {
  phoneNumberId: string;
  body: Record<string, unknown>;
  /** The wamid answered, or null when it was refused. */
  wamid: string | null;
  errorCode: number | null;
}

export interface CloudApiTestServer {
  /** The `apiRoot` to give the provider. */
  apiRoot: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  wabaId: string;
  templates: FakeTemplate[];
  received: ReceivedRequest[];
  /** Failures by recipient (digits, as sent); `once` ones are removed after one use. */
  failures: Map<string, FakeFailure & { once?: boolean }>;
  /** Opens the customer-service window of a recipient (digits or E.164) on the server's side. */
  openWindow(number: string): void;
  postWebhook(url: string, body: unknown, options?: { signWith?: string | null; rawBody?: string }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const ERRORS: Record<number, { message: string; type: string; status: number }> = {
  100: { message: '(#100) Invalid parameter', type: 'OAuthException', status: 400 },
  190: { message: 'Error validating access token: The session has been invalidated', type: 'OAuthException', status: 401 },
  80007: { message: '(#80007) Rate limit issues', type: 'OAuthException', status: 400 },
  130429: { message: '(#130429) Rate limit hit', type: 'OAuthException', status: 400 },
  131026: { message: '(#131026) Message Undeliverable', type: 'OAuthException', status: 400 },
  131047: { message: '(#131047) Re-engagement message', type: 'OAuthException', status: 400 },
  132000: { message: '(#132000) Number of parameters does not match the expected number of params', type: 'OAuthException', status: 400 },
  132001: { message: '(#132001) Template name does not exist in the translation', type: 'OAuthException', status: 400 },
  132012: { message: '(#132012) Parameter format does not match format in the created template', type: 'OAuthException', status: 400 },
};

function errorAnswer(code: number, details?: string, message?: string): { status: number; body: string } {
  const known = ERRORS[code] ?? { message: `(#${code}) error`, type: 'OAuthException', status: 400 };
  const error: Record<string, unknown> = { message: message ?? known.message, type: known.type, code, fbtrace_id: `A${randomBytes(9).toString('base64url')}` };
  if (details) error.error_data = { messaging_product: 'whatsapp', details };
  if (code === 190) error.error_subcode = 463;
  return { status: known.status, body: JSON.stringify({ error }) };
}

const digits = (n: string) => n.replace(/^\+/, '');

type Component = { type?: unknown; sub_type?: unknown; index?: unknown; parameters?: unknown[] };

/** What is wrong with a template message's header and button components, as Meta words it, or null. */
function templateFormatError(known: FakeTemplate, components: Component[]): string | null {
  const header = components.filter((c) => c.type === 'header');
  const p = header[0]?.parameters?.[0] as Record<string, any> | undefined;
  if (!known.header) {
    if (header.length > 0) return 'header: the template has no header parameter';
  } else if (!p || p.type !== known.header) {
    return `header: Format mismatch, expected ${known.header.toUpperCase()}, received ${String(p?.type ?? 'nothing').toUpperCase()}`;
  } else if (known.header === 'text' ? typeof p.text !== 'string' || p.text === '' || [...p.text].length > 60 : !/^https:\/\//.test(String(p[known.header]?.link ?? ''))) {
    return `header: invalid ${known.header} parameter`;
  }
  const buttons = components.filter((c) => c.type === 'button');
  const want = [...(known.urlButtons ?? [])].sort().join(',');
  const got = buttons
    .map((b) => Number(b.index))
    .sort()
    .join(',');
  if (want !== got) return `buttons: the template's URL buttons with a variable are [${want}], received [${got}]`;
  for (const b of buttons) {
    const text = (b.parameters?.[0] as { text?: unknown } | undefined)?.text;
    if (b.sub_type !== 'url' || typeof text !== 'string' || text === '') return `button ${String(b.index)}: a url button takes one text parameter`;
  }
  return null;
}

export async function startCloudApiServer(options: { templates?: FakeTemplate[]; phoneNumberId?: string } = {}): Promise<CloudApiTestServer> {
  const accessToken = `EAA${randomBytes(16).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');
  const verifyToken = `verify-${randomBytes(6).toString('hex')}`;
  const phoneNumberId = options.phoneNumberId ?? '106540352242922';
  const templates = options.templates ?? [];
  const received: ReceivedRequest[] = [];
  const failures = new Map<string, FakeFailure & { once?: boolean }>();
  const windows = new Set<string>();

  const answer = (body: Record<string, unknown>, pathId: string): { status: number; body: string; headers?: Record<string, string> } => {
    const rec: ReceivedRequest = { phoneNumberId: pathId, body, wamid: null, errorCode: null };
    received.push(rec);
    const fail = (code: number, details?: string, message?: string) => {
      rec.errorCode = code;
      return errorAnswer(code, details, message);
    };
    if (body.messaging_product !== 'whatsapp') return fail(100, 'messaging_product must be whatsapp');
    const to = typeof body.to === 'string' ? digits(body.to) : '';
    if (!/^[0-9]{6,20}$/.test(to)) return fail(100, 'to: invalid phone number');
    const failure = failures.get(to);
    if (failure) {
      if (failure.once) failures.delete(to);
      const a = fail(failure.code, undefined, failure.message);
      return { ...a, status: failure.httpStatus ?? a.status, ...(failure.retryAfter ? { headers: { 'retry-after': failure.retryAfter } } : {}) };
    }
    if (body.type === 'template') {
      const t = (body.template ?? {}) as { name?: unknown; language?: { code?: unknown }; components?: Component[] };
      const known = templates.find((x) => x.name === t.name && x.language === t.language?.code);
      if (!known) return fail(132001, `template name (${String(t.name)}) does not exist in ${String(t.language?.code)}`);
      const params = (t.components ?? []).find((c) => c.type === 'body')?.parameters ?? [];
      if (params.length !== known.parameters || params.some((p) => typeof (p as { text?: unknown }).text !== 'string' || (p as { text: string }).text === '')) {
        return fail(132000, `body: number of localizable_params (${params.length}) does not match the expected number of params (${known.parameters})`);
      }
      const formatError = templateFormatError(known, t.components ?? []);
      if (formatError) return fail(132012, formatError);
    } else if (body.type === 'text') {
      const text = (body.text ?? {}) as { body?: unknown };
      if (typeof text.body !== 'string' || text.body === '') return fail(100, 'text.body is required');
      if (!windows.has(to)) return fail(131047, 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.');
    } else {
      return fail(100, `unsupported type ${String(body.type)}`);
    }
    rec.wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    return { status: 200, body: JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: to }], messages: [{ id: rec.wamid }] }) };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (a: { status: number; body: string; headers?: Record<string, string> }) => {
        res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
        res.end(a.body);
      };
      const m = /^\/v[0-9]+\.[0-9]+\/([0-9]+)\/messages$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) return send({ status: 404, body: JSON.stringify({ error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } }) });
      if (req.headers.authorization !== `Bearer ${accessToken}`) return send(errorAnswer(190));
      if (m[1] !== phoneNumberId) return send(errorAnswer(100, `Unsupported post request. Object with ID '${m[1]}' does not exist`));
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(errorAnswer(100, 'the body is not JSON'));
      }
      send(answer((body ?? {}) as Record<string, unknown>, m[1]!));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    accessToken,
    appSecret,
    verifyToken,
    phoneNumberId,
    wabaId: '102290129340398',
    templates,
    received,
    failures,
    openWindow: (n) => void windows.add(digits(n)),
    async postWebhook(url, body, opts = {}) {
      const raw = opts.rawBody ?? JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const signWith = opts.signWith === undefined ? appSecret : opts.signWith;
      if (signWith !== null) headers['x-hub-signature-256'] = hubSignature(signWith, raw);
      const res = await fetch(url, { method: 'POST', headers, body: raw });
      return { status: res.status, body: await res.text() };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A webhook body as Meta sends it, holding one change of the `messages` field. */
function envelope(phoneNumberId: string, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId }, ...value } }],
      },
    ],
  };
}

/** A status update of a message Qatra sent (`wamid`), at `atMs`. */
export function statusEvent(phoneNumberId: string, wamid: string, status: 'sent' | 'delivered' | 'read' | 'failed', recipient: string, atMs: number, errorCode?: number): Record<string, unknown> {
  const s: Record<string, unknown> = { id: wamid, status, timestamp: String(Math.floor(atMs / 1000)), recipient_id: digits(recipient) };
  if (errorCode !== undefined) s.errors = [{ code: errorCode, title: ERRORS[errorCode]?.message ?? 'error', message: ERRORS[errorCode]?.message ?? 'error', error_data: { details: 'details' } }];
  return envelope(phoneNumberId, { statuses: [s] });
}

/** An inbound text message from `from` (E.164 or digits). */
export function inboundEvent(phoneNumberId: string, from: string, text: string, atMs: number, wamid = `wamid.${randomBytes(18).toString('base64url')}`): Record<string, unknown> {
  return envelope(phoneNumberId, {
    contacts: [{ profile: { name: 'Customer' }, wa_id: digits(from) }],
    messages: [{ from: digits(from), id: wamid, timestamp: String(Math.floor(atMs / 1000)), type: 'text', text: { body: text } }],
  });
}
