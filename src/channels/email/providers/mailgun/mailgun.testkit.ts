/**
 * @module A test server that speaks Mailgun's messages.mime API (https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages/post-v3--domain-name--messages-mime)
 * on 127.0.0.1: `POST /v3/<domain>/messages.mime` requires basic auth `api:<key>` (401 `Forbidden`
 * otherwise), the configured domain (404 `Domain not found`), and a multipart/form-data body with
 * `to` and the `message` file (400 otherwise); it answers `{ id: "<Message-ID of the MIME>", message:
 * "Queued. Thank you." }` and fails on demand per recipient (400, 429, 500, or no answer). `postEvent`
 * POSTs a webhook as Mailgun does: JSON with `signature` (timestamp, token, HMAC-SHA256 under the
 * signing key) and `event-data`.
 */
import { randomBytes } from 'node:crypto';
import { json, postHook, startFakeServer, type FakeAnswer, type FakeServer } from '../esp/fake-server.testkit.js';
import { mailgunSignature } from './webhook.js';

export type MailgunFailure = { status: number; message: string } | 'hang';

export interface ReceivedForm {
  fields: Record<string, string>;
  message: string;
}

export interface MailgunFake extends FakeServer {
  domain: string;
  apiKey: string;
  signingKey: string;
  failures: Map<string, MailgunFailure>;
  forms: ReceivedForm[];
  postEvent(url: string, eventData: unknown, options: { timestamp: number; token?: string; key?: string; signature?: string }): Promise<{ status: number; body: string }>;
}

/** The parts of a multipart/form-data body (enough of RFC 7578 for what the provider sends). */
export function parseMultipart(body: string, contentType: string): ReceivedForm | null {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) return null;
  const fields: Record<string, string> = {};
  let message = '';
  for (const part of body.split(`--${boundary}`).slice(1, -1)) {
    const [head, ...rest] = part.replace(/^\r\n/, '').split('\r\n\r\n');
    const value = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head ?? '')?.[1];
    if (!name) return null;
    if (/filename=/.test(head ?? '')) message = value;
    else fields[name] = value;
  }
  return { fields, message };
}

export async function startMailgunFake(): Promise<MailgunFake> {
  const domain = 'mg.news.example.com';
  const apiKey = `key-${randomBytes(16).toString('hex')}`;
  const signingKey = randomBytes(16).toString('hex');
  const failures = new Map<string, MailgunFailure>();
  const forms: ReceivedForm[] = [];
  const server = await startFakeServer((req): FakeAnswer => {
    const m = /^\/v3\/([^/]+)\/messages\.mime$/.exec(req.path);
    if (req.method !== 'POST' || !m) return json(404, { message: 'Not found' });
    if (req.headers.authorization !== `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`) return { status: 401, headers: { 'content-type': 'text/plain' }, body: 'Forbidden' };
    if (decodeURIComponent(m[1]!) !== domain) return json(404, { message: `Domain not found: ${decodeURIComponent(m[1]!)}` });
    const form = parseMultipart(req.body, String(req.headers['content-type']));
    if (!form || !form.fields.to) return json(400, { message: "'to' parameter is missing" });
    if (!form.message) return json(400, { message: "'message' parameter is missing" });
    forms.push(form);
    const failure = failures.get(form.fields.to);
    if (failure === 'hang') return 'hang';
    if (failure) return json(failure.status, { message: failure.message });
    const messageId = /^Message-ID:\s+(<[^>]+>)/im.exec(form.message)?.[1] ?? `<${randomBytes(8).toString('hex')}@${domain}>`;
    return json(200, { id: messageId, message: 'Queued. Thank you.' });
  });
  return {
    ...server,
    domain,
    apiKey,
    signingKey,
    failures,
    forms,
    postEvent(url, eventData, o) {
      const timestamp = String(o.timestamp);
      const token = o.token ?? randomBytes(25).toString('hex');
      const signature = o.signature ?? mailgunSignature(o.key ?? signingKey, timestamp, token);
      return postHook(url, JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData }), { 'content-type': 'application/json' });
    },
  };
}

/** Mailgun event-data as its webhooks post it (https://documentation.mailgun.com/docs/mailgun/user-manual/events/). */
export function mailgunEvent(event: string, ids: { recordId?: string; messageId: string; to: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomBytes(11).toString('base64url'),
    timestamp: 1767614401.5,
    event,
    recipient: ids.to,
    message: { headers: { 'message-id': ids.messageId.replace(/^<|>$/g, ''), to: ids.to, from: 'hello@news.example.com', subject: 'Welcome' } },
    'user-variables': ids.recordId ? { qatra_message_id: ids.recordId } : {},
    ...extra,
  };
}
