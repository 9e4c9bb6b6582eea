/**
 * @module A test server that speaks Amazon SES API v2 and Amazon SNS, on 127.0.0.1.
 *
 * SES (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html):
 * `POST /v2/email/outbound-emails` checks the SigV4 signature (it signs the request again with
 * aws4, the same credentials and the received X-Amz-Date, and compares: 403
 * `InvalidSignatureException` otherwise), requires `Content.Raw.Data` (base64) and
 * `Destination.ToAddresses` (400 `BadRequestException`), answers `{ MessageId }`, and fails on
 * demand per recipient with the documented error types in `x-amzn-ErrorType` and `{ message }`.
 *
 * SNS (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html): a self-signed
 * certificate generated at start with openssl (Node has no X.509 writer) is served at
 * `/SimpleNotificationService-test.pem`; `notify` and `confirmation` POST signed SNS messages
 * (`text/plain`, SignatureVersion 1 or 2) as SNS does; `/confirm` records SubscribeURL visits. `trust`
 * is the SnsTrust for Qatra: only this server's host.
 */
import { execFile } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import aws4 from 'aws4';
import { json, postHook, startFakeServer, type FakeAnswer, type FakeServer } from '../esp/fake-server.testkit.js';
import { snsStringToSign, type SnsMessage, type SnsTrust } from './sns.js';

const run = promisify(execFile);

export const TEST_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:qatra-ses-events';
export const TEST_REGION = 'eu-west-1';

export type SesFailure = { status: number; type: string; message: string } | 'hang' | 'drop';

export interface SesFake extends FakeServer {
  accessKeyId: string;
  secretAccessKey: string;
  failures: Map<string, SesFailure>;
  confirmations: string[];
  trust: SnsTrust;
  /** POSTs an SNS Notification carrying `message` (an SES event object) to `url`, signed unless told otherwise. */
  notify(url: string, message: unknown, options?: SnsPostOptions): Promise<{ status: number; body: string }>;
  confirmation(url: string, options?: SnsPostOptions): Promise<{ status: number; body: string }>;
  /** The SNS message `notify` would send, for tests that replay or alter it. */
  snsMessage(type: 'Notification' | 'SubscriptionConfirmation', message: string, options?: SnsPostOptions): SnsMessage;
  post(url: string, m: SnsMessage): Promise<{ status: number; body: string }>;
}

export interface SnsPostOptions {
  signatureVersion?: '1' | '2';
  timestamp?: string;
  topicArn?: string;
  certUrl?: string;
}

async function selfSigned(): Promise<{ key: string; cert: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-sns-'));
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '3650',
      '-subj',
      '/CN=sns.amazonaws.com',
    ]);
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSesFake(clockNow: () => number): Promise<SesFake> {
  const accessKeyId = 'AKIAQATRATESTKEY0001';
  const secretAccessKey = 'qatra/test/secret/key/0123456789abcdefABCD';
  const failures = new Map<string, SesFailure>();
  const confirmations: string[] = [];
  const { key, cert } = await selfSigned();

  const server = await startFakeServer((req): FakeAnswer => {
    if (req.method === 'GET' && req.path === '/SimpleNotificationService-test.pem') return { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: cert };
    if (req.method === 'GET' && req.path.startsWith('/confirm')) {
      confirmations.push(req.path);
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: '<ConfirmSubscriptionResponse/>' };
    }
    if (req.method !== 'POST' || req.path !== '/v2/email/outbound-emails') return json(404, { message: 'not found' }, { 'x-amzn-ErrorType': 'NotFoundException' });
    const resigned = aws4.sign(
      {
        host: String(req.headers.host),
        path: req.path,
        method: 'POST',
        service: 'ses',
        region: TEST_REGION,
        headers: { 'Content-Type': String(req.headers['content-type']), 'X-Amz-Date': String(req.headers['x-amz-date']), 'Content-Length': String(req.headers['content-length']) },
        body: req.body,
      },
      { accessKeyId, secretAccessKey },
    );
    if ((resigned.headers as Record<string, string>).Authorization !== req.headers.authorization)
      return json(403, { message: 'The request signature we calculated does not match the signature you provided.' }, { 'x-amzn-ErrorType': 'InvalidSignatureException' });
    let body: { Destination?: { ToAddresses?: string[] }; Content?: { Raw?: { Data?: string } } };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return json(400, { message: 'Invalid JSON' }, { 'x-amzn-ErrorType': 'BadRequestException' });
    }
    const to = body.Destination?.ToAddresses?.[0];
    const data = body.Content?.Raw?.Data;
    if (!to || typeof data !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(data)) return json(400, { message: 'Raw message data or destination missing' }, { 'x-amzn-ErrorType': 'BadRequestException' });
    const failure = failures.get(to);
    if (failure === 'hang' || failure === 'drop') return failure;
    if (failure) return json(failure.status, { message: failure.message }, { 'x-amzn-ErrorType': `${failure.type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` });
    return json(200, { MessageId: `0102018c${randomUUID().replace(/-/g, '')}-000000` });
  });

  const certUrl = `${server.baseUrl}/SimpleNotificationService-test.pem`;
  const snsMessage = (type: 'Notification' | 'SubscriptionConfirmation', message: string, o: SnsPostOptions = {}): SnsMessage => {
    const token = randomUUID().replace(/-/g, '');
    const m: SnsMessage = {
      Type: type,
      MessageId: randomUUID(),
      TopicArn: o.topicArn ?? TEST_TOPIC,
      ...(type === 'SubscriptionConfirmation' ? { Token: token, SubscribeURL: `${server.baseUrl}/confirm?Action=ConfirmSubscription&Token=${token}` } : {}),
      Message: message,
      Timestamp: o.timestamp ?? new Date(clockNow()).toISOString(),
      SignatureVersion: o.signatureVersion ?? '1',
      Signature: '',
      SigningCertURL: o.certUrl ?? certUrl,
    };
    m.Signature = createSign(m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
      .update(snsStringToSign(m))
      .sign(key, 'base64');
    return m;
  };
  const post = (url: string, m: SnsMessage) =>
    postHook(url, JSON.stringify(m), { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': m.Type, 'x-amz-sns-message-id': m.MessageId, 'x-amz-sns-topic-arn': m.TopicArn });

  return {
    ...server,
    accessKeyId,
    secretAccessKey,
    failures,
    confirmations,
    trust: {
      allowed: (url) => url.host === server.host,
      get: async (url) => {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return res.text();
      },
    },
    snsMessage,
    post,
    notify: (url, message, o) => post(url, snsMessage('Notification', JSON.stringify(message), o)),
    confirmation: (url, o) => post(url, snsMessage('SubscriptionConfirmation', 'You have chosen to subscribe to the topic. To confirm, visit the SubscribeURL.', o)),
  };
}

/** An SES event as event publishing writes it (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html). */
export function sesEvent(
  eventType: 'Bounce' | 'Complaint' | 'Delivery' | 'Open' | 'Click' | 'DeliveryDelay',
  ids: { recordId?: string; sesMessageId: string; to: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const timestamp = '2026-01-05T12:00:01.000Z';
  const mail = {
    timestamp: '2026-01-05T12:00:00.000Z',
    source: 'hello@news.example.com',
    messageId: ids.sesMessageId,
    destination: [ids.to],
    tags: { 'ses:configuration-set': ['qatra'], ...(ids.recordId ? { qatra_message_id: [ids.recordId] } : {}) },
  };
  const detail: Record<string, unknown> = {
    Bounce: {
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: ids.to, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
        timestamp,
      },
    },
    Complaint: { complaint: { complainedRecipients: [{ emailAddress: ids.to }], timestamp, feedbackId: 'f1', complaintFeedbackType: 'abuse' } },
    Delivery: { delivery: { timestamp, processingTimeMillis: 500, recipients: [ids.to], smtpResponse: '250 ok' } },
    Open: { open: { ipAddress: '192.0.2.1', timestamp, userAgent: 'Mozilla/5.0' } },
    Click: { click: { ipAddress: '192.0.2.1', timestamp, userAgent: 'Mozilla/5.0', link: 'https://shop.example.com/' } },
    DeliveryDelay: { deliveryDelay: { timestamp, delayType: 'TransientCommunicationFailure', delayedRecipients: [{ emailAddress: ids.to }] } },
  };
  return { eventType, mail, ...(detail[eventType] as object), ...extra };
}
