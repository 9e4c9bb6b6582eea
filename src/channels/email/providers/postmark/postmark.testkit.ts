/**
 * @module A test server that speaks Postmark's email API (https://postmarkapp.com/developer/api/email-api)
 * on 127.0.0.1: `POST /email` requires `X-Postmark-Server-Token` (401, ErrorCode 10 otherwise),
 * JSON (`Accept` and `Content-Type`), From, To and MessageStream (422, ErrorCode 300 otherwise),
 * answers `{ To, SubmittedAt, MessageID, ErrorCode: 0, Message: "OK" }`, and fails on demand per
 * recipient with Postmark's documented answers (422 ErrorCode 406 inactive recipient, 429, 500, or
 * no answer). `webhook` POSTs a Postmark webhook (JSON, basic auth from the URL as Postmark sends it).
 */
import { randomUUID } from 'node:crypto';
import { json, postHook, startFakeServer, type FakeAnswer, type FakeServer } from '../esp/fake-server.testkit.js';

export type PostmarkFailure = { status: number; errorCode: number; message: string } | 'hang';

export interface PostmarkFake extends FakeServer {
  serverToken: string;
  failures: Map<string, PostmarkFailure>;
  webhook(url: string, payload: unknown, credentials: { user: string; password: string } | null): Promise<{ status: number; body: string }>;
}

export const INACTIVE_RECIPIENT: PostmarkFailure = {
  status: 422,
  errorCode: 406,
  message:
    'You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: gone@example.org. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.',
};

export async function startPostmarkFake(): Promise<PostmarkFake> {
  const serverToken = 'pm-server-token-0000-1111';
  const failures = new Map<string, PostmarkFailure>();
  const server = await startFakeServer((req): FakeAnswer => {
    if (req.method !== 'POST' || req.path !== '/email') return json(404, { ErrorCode: 404, Message: 'Not found' });
    if (req.headers['x-postmark-server-token'] !== serverToken) return json(401, { ErrorCode: 10, Message: 'Bad or missing Server API token.' });
    if (req.headers.accept !== 'application/json' || !String(req.headers['content-type']).startsWith('application/json')) return json(415, { ErrorCode: 409, Message: 'JSON required' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { ErrorCode: 402, Message: 'Invalid JSON' });
    }
    if (typeof body.From !== 'string' || typeof body.To !== 'string' || typeof body.MessageStream !== 'string' || !(body.HtmlBody || body.TextBody))
      return json(422, { ErrorCode: 300, Message: 'Invalid email request: From, To, MessageStream and a body are required.' });
    const failure = failures.get(body.To);
    if (failure === 'hang') return 'hang';
    if (failure) return json(failure.status, { ErrorCode: failure.errorCode, Message: failure.message });
    return json(200, { To: body.To, SubmittedAt: '2026-01-05T12:00:00.0000000Z', MessageID: randomUUID(), ErrorCode: 0, Message: 'OK' });
  });
  return {
    ...server,
    serverToken,
    failures,
    webhook: (url, payload, credentials) =>
      postHook(url, JSON.stringify(payload), {
        'content-type': 'application/json',
        ...(credentials ? { authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` } : {}),
      }),
  };
}

/** Postmark webhook payloads as documented (https://postmarkapp.com/developer/webhooks/…). */
export function postmarkEvent(recordType: 'Delivery' | 'Bounce' | 'SpamComplaint' | 'Open' | 'Click', ids: { recordId?: string; messageId: string; to: string }, extra: Record<string, unknown> = {}) {
  const common = { MessageID: ids.messageId, MessageStream: 'outbound', Metadata: ids.recordId ? { qatra_message_id: ids.recordId } : {}, Tag: '' };
  switch (recordType) {
    case 'Delivery':
      return { RecordType: 'Delivery', ServerID: 23, Recipient: ids.to, DeliveredAt: '2026-01-05T12:00:01Z', Details: 'Test delivery webhook details', ...common, ...extra };
    case 'Bounce':
      return {
        RecordType: 'Bounce',
        ID: 42,
        Type: 'HardBounce',
        TypeCode: 1,
        Name: 'Hard bounce',
        Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
        Details: 'smtp;550 5.1.1 user unknown',
        Email: ids.to,
        From: 'hello@news.example.com',
        BouncedAt: '2026-01-05T12:00:01Z',
        Inactive: true,
        CanActivate: true,
        ...common,
        ...extra,
      };
    case 'SpamComplaint':
      return { RecordType: 'SpamComplaint', ID: 43, Type: 'SpamComplaint', TypeCode: 512, Email: ids.to, BouncedAt: '2026-01-05T12:00:01Z', ...common, ...extra };
    case 'Open':
      return { RecordType: 'Open', FirstOpen: true, Recipient: ids.to, ReceivedAt: '2026-01-05T12:00:05Z', Platform: 'WebMail', UserAgent: 'Mozilla/5.0', ...common, ...extra };
    case 'Click':
      return { RecordType: 'Click', ClickLocation: 'HTML', Recipient: ids.to, ReceivedAt: '2026-01-05T12:00:06Z', OriginalLink: 'https://shop.example.com/', ...common, ...extra };
  }
}
