/**
 * @module A test server that speaks Twilio's Messages API, errors included, on 127.0.0.1 (a real
 * `http.createServer`): `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` checks Basic auth
 * (401 + code 20003), answers 201 with the documented message resource (`sid` `SM…`, `status`
 * `queued`), records every body it received, and fails on demand per `To` number: a Twilio error
 * code (21211, 21614, 21610, …, answered with the documented `{ code, message, more_info, status }`),
 * 429 with Retry-After, 500, a dropped connection, or no answer at all. `postStatus` and
 * `postInbound` call back like Twilio does: form-encoded and signed with `X-Twilio-Signature`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { twilioSignature } from './signature.js';

export type TwilioFailure = { kind: 'error'; code: number; status?: number; retryAfter?: string } | { kind: 'http'; status: number; retryAfter?: string } | { kind: 'drop' } | { kind: 'hang' };

export interface ReceivedMessage {
  accountSid: string;
  params: Record<string, string>;
  sid: string | null;
  /** When the server wrote its answer (ms since epoch); null while it is held by `delayMs`. */
  answeredAt: number | null;
}

export interface TwilioTestServer {
  /** The base URL to give the provider (`baseUrl`). */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  received: ReceivedMessage[];
  /** TCP connections accepted so far (keep-alive reuses them). */
  readonly connections: number;
  /** Failures by `To` number; `once` failures are removed after one use. */
  failures: Map<string, TwilioFailure & { once?: boolean }>;
  /** How long to hold the answer to a message (recorded on arrival); none when null. For kills mid-send. */
  delayMs: ((params: Record<string, string>) => number) | null;
  /**
   * POSTs a StatusCallback to `url` as Twilio does: signed with the auth token (or `signWith`; null:
   * no signature header) over `signedUrl` (default `url`: the public URL Twilio was given, when the
   * test reaches the server at another address). Answers the HTTP status and body.
   */
  postStatus(url: string, params: Record<string, string>, options?: CallbackOptions): Promise<{ status: number; body: string; contentType: string }>;
  postInbound(url: string, params: Record<string, string>, options?: CallbackOptions): Promise<{ status: number; body: string; contentType: string }>;
  /**
   * Reports what became of a message it accepted, as Twilio does: POSTs the documented StatusCallback
   * fields (MessageSid, MessageStatus, ErrorCode, …) to the StatusCallback the message was sent with,
   * signed over that URL. `postTo` reaches the server at another address than the signed one.
   */
  reportStatus(
    sid: string,
    status: 'sent' | 'delivered' | 'undelivered' | 'failed',
    options?: CallbackOptions & { errorCode?: string; postTo?: string },
  ): Promise<{ status: number; body: string; contentType: string }>;
  close(): Promise<void>;
}

export interface CallbackOptions {
  signWith?: string | null;
  signedUrl?: string;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

const ERROR_TEXT: Record<number, string> = {
  20003: 'Authenticate',
  20429: 'Too Many Requests',
  21211: "The 'To' number is not a valid phone number.",
  21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
  21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.",
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
};

function errorBody(code: number, status: number): string {
  return JSON.stringify({ code, message: ERROR_TEXT[code] ?? `error ${code}`, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function messageResource(accountSid: string, sid: string, params: Record<string, string>): string {
  const now = new Date().toUTCString().replace('GMT', '+0000');
  return JSON.stringify({
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: params.Body ?? '',
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: params.From ?? null,
    messaging_service_sid: params.MessagingServiceSid ?? null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid,
    status: params.MessagingServiceSid && !params.From ? 'accepted' : 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: params.To ?? '',
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
  });
}

async function postSigned(url: string, params: Record<string, string>, token: string | null, signedUrl: string): Promise<{ status: number; body: string; contentType: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' };
  if (token !== null) headers['x-twilio-signature'] = twilioSignature(signedUrl, params, token);
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

export async function startTwilioServer(options: { accountSid?: string; authToken?: string } = {}): Promise<TwilioTestServer> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const received: ReceivedMessage[] = [];
  const failures = new Map<string, TwilioFailure & { once?: boolean }>();
  let counter = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = MESSAGES_PATH.exec(req.url ?? '');
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const record: ReceivedMessage = { accountSid: decodeURIComponent(match?.[1] ?? ''), params, sid: null, answeredAt: null };
      const send = (status: number, body: string, extra: Record<string, string> = {}) => {
        const write = () => {
          record.answeredAt = Date.now();
          res.writeHead(status, { 'content-type': 'application/json', ...extra });
          res.end(body);
        };
        const delay = match ? (api.delayMs?.(params) ?? 0) : 0;
        if (delay > 0) setTimeout(write, delay);
        else write();
      };
      if (req.method !== 'POST' || !match) return send(404, errorBody(20404, 404));
      received.push(record);
      if (req.headers.authorization !== expectedAuth || record.accountSid !== accountSid) return send(401, errorBody(20003, 401), { 'www-authenticate': 'Basic realm="Twilio API"' });
      if (!params.To) return send(400, errorBody(21604, 400));
      const failure = failures.get(params.To);
      if (failure?.once) failures.delete(params.To);
      if (failure?.kind === 'drop') return req.socket.destroy();
      if (failure?.kind === 'hang') return;
      if (failure?.kind === 'http')
        return send(failure.status, failure.status === 429 ? errorBody(20429, 429) : JSON.stringify({ status: failure.status }), failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
      if (failure?.kind === 'error') {
        const status = failure.status ?? 400;
        return send(status, errorBody(failure.code, status), failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
      }
      counter += 1;
      record.sid = `SM${counter.toString(16).padStart(32, '0')}`;
      return send(201, messageResource(accountSid, record.sid, params));
    });
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: TwilioTestServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    received,
    get connections() {
      return connections;
    },
    failures,
    delayMs: null,
    postStatus: (url, params, options = {}) => postSigned(url, params, options.signWith === undefined ? authToken : options.signWith, options.signedUrl ?? url),
    postInbound: (url, params, options = {}) => postSigned(url, params, options.signWith === undefined ? authToken : options.signWith, options.signedUrl ?? url),
    reportStatus(sid, status, options = {}) {
      const message = received.find((m) => m.sid === sid);
      const callback = message?.params.StatusCallback;
      if (!message || !callback) throw new Error(`no message ${sid} with a StatusCallback`);
      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        From: message.params.From ?? '',
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        To: message.params.To ?? '',
      };
      if (options.errorCode) params.ErrorCode = options.errorCode;
      return postSigned(options.postTo ?? callback, params, options.signWith === undefined ? authToken : options.signWith, options.signedUrl ?? callback);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}
