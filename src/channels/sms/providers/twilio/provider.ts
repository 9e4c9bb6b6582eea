/**
 * @module The Twilio-compatible SMS provider: one Messages API create per SMS,
 * `POST {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded (`To`, `From` or
 * `MessagingServiceSid`, `Body`, `StatusCallback`), Basic auth with the account SID and auth token,
 * over a keep-alive agent owned by the provider (../http/transport.ts; `close()` ends it). Works with
 * any service that speaks this API (Twilio, and the compatible aggregators).
 *
 * Answers, mapped by ./codes.ts:
 *  - 2xx with a `sid`: sent, with the sid as the provider's message id (StatusCallbacks name it);
 *  - 2xx without a `sid`: permanent, not retried (it may have been sent; a retry could send it twice);
 *  - a listed error code: what the table says (invalidNumber for number-level codes);
 *  - 401, 429, 5xx, a timeout, a network error: retryable (Retry-After honoured);
 *  - any other 4xx: permanent; 3xx: permanent (redirects are not followed);
 *  - a base URL resolving to a private address without allowPrivateOutbound: permanent.
 * Twilio's create takes no idempotency key, so a retry after a lost answer can send twice; the
 * pipeline retries only what this calls retryable.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../../core/clock.js';
import { ValidationError } from '../../../../core/errors.js';
import type { SmsMessage, SmsProvider, SmsSendResult } from '../../provider.js';
import { retryAfterMs } from '../../../outbound-http.js';
import { createTransport, type HttpAnswer, type HttpFailure } from '../http/transport.js';
import { SEND_ERROR_CODES } from './codes.js';

export interface TwilioProviderOptions {
  accountSid: string;
  authToken: string;
  /** Default https://api.twilio.com. */
  baseUrl?: string | undefined;
  /** Sends through this Messaging Service instead of a `From` number. */
  messagingServiceSid?: string | undefined;
  /** The default sender when a message has none. */
  from?: string | undefined;
  /** Lets baseUrl be a loopback or private address (the operator's and the workspace's decision). */
  allowPrivateOutbound?: boolean | undefined;
  timeoutMs?: number | undefined;
  /** Connections kept open to the API (default 64). */
  maxSockets?: number | undefined;
  log?: Logger | undefined;
  /** For Retry-After given as an HTTP date. */
  clock?: Clock | undefined;
}

export const TWILIO_BASE_URL = 'https://api.twilio.com';

interface TwilioErrorBody {
  code?: unknown;
  message?: unknown;
  sid?: unknown;
}

function parseJson(text: string): TwilioErrorBody | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as TwilioErrorBody) : null;
  } catch {
    return null;
  }
}

export function createTwilioProvider(options: TwilioProviderOptions): SmsProvider {
  if (!options.accountSid) throw ValidationError.at('accountSid', 'required');
  if (!options.authToken) throw ValidationError.at('authToken', 'required');
  const base = (options.baseUrl ?? TWILIO_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/i.test(base) || !URL.canParse(base)) throw ValidationError.at('baseUrl', 'must be an http(s) URL without query or fragment');
  const endpoint = new URL(`${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`);
  const transport = createTransport(options);
  const now = () => (options.clock ? options.clock.now() : Date.now());
  // Built once: the headers are the same for every send.
  const headers = {
    authorization: `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };

  const classify = (res: HttpAnswer | HttpFailure): SmsSendResult => {
    if (res.kind === 'private' || res.kind === 'invalid') return { status: 'permanent', reason: res.reason };
    if (res.kind !== 'answer') return { status: 'retryable', reason: res.reason };
    const body = parseJson(res.body);
    if (res.status >= 200 && res.status < 300) {
      if (typeof body?.sid === 'string' && body.sid) return { status: 'sent', providerMessageId: body.sid };
      return { status: 'permanent', reason: `HTTP ${res.status} without a message sid: not retried, it may have been sent` };
    }
    const code = typeof body?.code === 'number' || typeof body?.code === 'string' ? Number(body.code) : NaN;
    const known = Number.isNaN(code) ? undefined : SEND_ERROR_CODES[code];
    const detail = typeof body?.message === 'string' ? `: ${body.message.slice(0, 300)}` : '';
    const codeText = Number.isNaN(code) ? undefined : String(code);
    const after = retryAfterMs(res.headers['retry-after'], now());
    if (known?.retryable || res.status === 401 || res.status === 429 || res.status >= 500) {
      const reason = known ? known.reason : res.status === 401 ? 'credentials refused (HTTP 401): check the account SID and auth token' : `HTTP ${res.status}${detail}`;
      if (res.status === 401 || code === 20003) options.log?.warn({ status: res.status, code: codeText }, 'twilio refused the credentials');
      return { status: 'retryable', reason, ...(codeText ? { code: codeText } : {}), ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    if (known) return { status: 'permanent', reason: known.reason, code: codeText, ...(known.invalidNumber ? { invalidNumber: true } : {}) };
    return { status: 'permanent', reason: `HTTP ${res.status}${codeText ? ` (Twilio ${codeText})` : ''}${detail}`, ...(codeText ? { code: codeText } : {}) };
  };

  return {
    kind: 'twilio',
    async send(message: SmsMessage): Promise<SmsSendResult> {
      const form = new URLSearchParams();
      form.set('To', message.to);
      if (options.messagingServiceSid) form.set('MessagingServiceSid', options.messagingServiceSid);
      else form.set('From', message.from || options.from || '');
      form.set('Body', message.body);
      if (message.statusCallbackUrl) form.set('StatusCallback', message.statusCallbackUrl);
      return classify(await transport.request(endpoint, 'POST', headers, form.toString()));
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
