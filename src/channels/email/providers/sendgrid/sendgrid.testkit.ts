/**
 * @module A test server that speaks SendGrid's v3 Mail Send (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send)
 * on 127.0.0.1: `POST /v3/mail/send` requires `Authorization: Bearer <key>` (401 with `errors[]`
 * otherwise) and personalizations[0].to[0].email, from.email, subject and content (400 naming the
 * `field`), answers 202 with an empty body and `X-Message-Id`, and fails on demand per recipient (413,
 * 429, 500, or no answer). `postEvents` POSTs a Signed Event Webhook request: an array of events,
 * signed ECDSA P-256 / SHA-256 over timestamp + body with this server's key (`publicKey`: base64
 * DER, as SendGrid shows it), in `X-Twilio-Email-Event-Webhook-Signature` / `-Timestamp`.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { json, postHook, startFakeServer, type FakeAnswer, type FakeServer } from '../esp/fake-server.testkit.js';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './webhook.js';

export type SendgridFailure = { status: number; message: string } | 'hang';

export interface SendgridFake extends FakeServer {
  apiKey: string;
  publicKey: string;
  failures: Map<string, SendgridFailure>;
  /** Signs (unless `signature` is given) and POSTs `events`; `timestamp` in seconds. */
  postEvents(url: string, events: unknown[], options: { timestamp: number; signature?: string; body?: string }): Promise<{ status: number; body: string }>;
  signature(timestamp: number, body: string): string;
}

export async function startSendgridFake(): Promise<SendgridFake> {
  const apiKey = `SG.${randomBytes(11).toString('hex')}.${randomBytes(21).toString('hex')}`;
  const failures = new Map<string, SendgridFailure>();
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const error = (status: number, message: string, field: string | null = null): FakeAnswer => json(status, { errors: [{ message, field, help: null }] });
  const server = await startFakeServer((req): FakeAnswer => {
    if (req.method !== 'POST' || req.path !== '/v3/mail/send') return error(404, 'Not found');
    if (req.headers.authorization !== `Bearer ${apiKey}`) return error(401, 'The provided authorization grant is invalid, expired, or revoked');
    let body: { personalizations?: Array<{ to?: Array<{ email?: string }> }>; from?: { email?: string }; subject?: string; content?: Array<{ type: string; value: string }> };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return error(400, 'Bad Request', null);
    }
    const to = body.personalizations?.[0]?.to?.[0]?.email;
    if (!to) return error(400, 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.', 'personalizations.0.to');
    if (!body.from?.email) return error(400, 'The from object must be provided for every email send.', 'from');
    if (!body.subject) return error(400, 'The subject is required.', 'subject');
    if (!body.content?.length || body.content[0]!.type !== 'text/plain') return error(400, 'The text/plain content type must be first.', 'content');
    const failure = failures.get(to);
    if (failure === 'hang') return 'hang';
    if (failure) return error(failure.status, failure.message);
    return { status: 202, headers: { 'x-message-id': randomBytes(11).toString('base64url') }, body: '' };
  });
  const signature = (timestamp: number, body: string) => sign('sha256', Buffer.from(`${timestamp}${body}`, 'utf8'), keys.privateKey).toString('base64');
  return {
    ...server,
    apiKey,
    publicKey,
    failures,
    signature,
    postEvents(url, events, o) {
      const body = o.body ?? JSON.stringify(events);
      return postHook(url, body, { 'content-type': 'application/json', [SENDGRID_SIGNATURE_HEADER]: o.signature ?? signature(o.timestamp, body), [SENDGRID_TIMESTAMP_HEADER]: String(o.timestamp) });
    },
  };
}

/** A SendGrid event as the Event Webhook posts it (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event). */
export function sendgridEvent(event: string, ids: { recordId?: string; sgMessageId: string; to: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: ids.to,
    timestamp: 1767614401,
    event,
    sg_event_id: randomBytes(16).toString('base64url'),
    sg_message_id: `${ids.sgMessageId}.filterdrecv-5645d9c87f-78xgx-1-5FE0A3F4-4.0`,
    'smtp-id': '<abc@news.example.com>',
    ...(ids.recordId ? { qatra_message_id: ids.recordId } : {}),
    ...extra,
  };
}
