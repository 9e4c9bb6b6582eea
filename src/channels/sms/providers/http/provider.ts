/**
 * @module The generic HTTP SMS provider, for local aggregators that are neither Twilio-compatible nor
 * SMPP: one request per SMS, built from the settings (./settings.ts) and templates (./template.ts),
 * over the provider's keep-alive agent with the address guard (./transport.ts).
 *
 * Answers:
 *  - a status in `successStatuses`: sent, with the id found at `idPath` in the JSON answer (or the
 *    message's record id without an idPath); an answer without that id is permanent, not retried
 *    (many aggregators answer 200 with an error in the body; a retry of a real acceptance could
 *    send twice);
 *  - 408, 425, 429, 5xx, a timeout, a network error: retryable (Retry-After honoured);
 *  - any other status (other 2xx, 3xx: redirects are not followed, 4xx): permanent;
 *  - a URL resolving to a private address without allowPrivateOutbound: permanent.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../../core/clock.js';
import type { SmsMessage, SmsProvider, SmsSendResult } from '../../provider.js';
import { parseHttpProviderSettings } from './settings.js';
import { renderTemplate } from './template.js';
import { retryAfterMs } from '../../../outbound-http.js';
import { createTransport } from './transport.js';

export interface HttpProviderOptions {
  /** The settings as saved; checked here (ValidationError with `settings.<field>` paths). */
  settings: unknown;
  allowPrivateOutbound?: boolean | undefined;
  /** Connections kept open to the aggregator (default 64). */
  maxSockets?: number | undefined;
  log?: Logger | undefined;
  /** For Retry-After given as an HTTP date. */
  clock?: Clock | undefined;
}

const RETRYABLE = new Set([408, 425, 429]);

/** The value at `path` in a parsed JSON answer, as a string, when it is a non-empty string or a number. */
export function valueAtPath(value: unknown, path: readonly string[]): string | null {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, key)) return null;
    at = (at as Record<string, unknown>)[key];
  }
  if (typeof at === 'string' && at !== '') return at;
  if (typeof at === 'number' && Number.isFinite(at)) return String(at);
  return null;
}

export function createHttpProvider(options: HttpProviderOptions): SmsProvider {
  const settings = parseHttpProviderSettings(options.settings);
  const transport = createTransport({ allowPrivateOutbound: options.allowPrivateOutbound, timeoutMs: settings.timeoutMs, maxSockets: options.maxSockets });
  const now = () => (options.clock ? options.clock.now() : Date.now());
  const headers: Record<string, string> = { accept: 'application/json', ...settings.headers };
  if (settings.body && !('content-type' in headers)) headers['content-type'] = settings.contentType === 'json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded';

  return {
    kind: 'http',
    async send(message: SmsMessage): Promise<SmsSendResult> {
      const url = new URL(renderTemplate(settings.url, message));
      const body = settings.body ? renderTemplate(settings.body, message) : null;
      const res = await transport.request(url, settings.method, headers, body);
      if (res.kind === 'private' || res.kind === 'invalid') return { status: 'permanent', reason: res.reason };
      if (res.kind !== 'answer') return { status: 'retryable', reason: res.reason };
      if (settings.successStatuses.has(res.status)) {
        if (!settings.idPath) return { status: 'sent', providerMessageId: message.recordId };
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(res.body);
        } catch {
          // not JSON: no id
        }
        const id = valueAtPath(parsed, settings.idPath);
        if (id) return { status: 'sent', providerMessageId: id };
        options.log?.warn({ status: res.status, answer: res.body.slice(0, 500) }, 'sms http provider: accepted without an id');
        return { status: 'permanent', reason: `HTTP ${res.status} without an id at ${settings.idPath.join('.')}: not retried, it may have been sent` };
      }
      if (RETRYABLE.has(res.status) || res.status >= 500) {
        const after = retryAfterMs(res.headers['retry-after'], now());
        return { status: 'retryable', reason: `HTTP ${res.status}`, ...(after !== undefined ? { retryAfterMs: after } : {}) };
      }
      const detail = res.body ? `: ${res.body.slice(0, 200)}` : '';
      return { status: 'permanent', reason: `HTTP ${res.status}${detail}` };
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
