/**
 * @module One POST of an anomaly alert to the workspace's alert webhook: JSON, signed like the webhook
 * channel's (`X-Qatra-Signature: sha256=<HMAC of the body with the workspace's webhookSecret>`,
 * `X-Qatra-Timestamp`), with the same guard: a target resolving to a private, loopback or link-local
 * address is refused unless the operator (QATRA_ALLOW_PRIVATE_OUTBOUND) and the workspace
 * (`allowPrivateWebhookTargets`) both allow it. Not a channel message: an alert goes to the team, not
 * to a contact, so it is no `messages` row; it is not retried (the incident stays listed in the API).
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../channels/address-guard.js';
import { signBody } from '../channels/webhook/webhook.js';

export const ALERT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface AlertPost {
  url: string;
  body: unknown;
  secret: string | null;
  allowPrivate: boolean;
  now: number;
  timeoutMs?: number;
}

/** The answer's status code; throws on a bad URL, a refused target, a timeout or a connection error. */
export function postAlert(p: AlertPost): Promise<number> {
  const url = new URL(p.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new Error('the alert webhook must be an http(s) URL'));
  const body = JSON.stringify(p.body);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-qatra-timestamp': String(p.now) };
  if (p.secret) headers['x-qatra-signature'] = signBody(body, p.secret);
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!p.allowPrivate && (/^[\d.]+$/.test(host) || host.includes(':')) && isPrivateAddress(host)) return reject(new PrivateAddressError(host, host));
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, agent: false, ...(p.allowPrivate ? {} : { lookup: guardedLookup }) });
    const timer = setTimeout(() => req.destroy(new Error('alert webhook timed out')), p.timeoutMs ?? ALERT_WEBHOOK_TIMEOUT_MS);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
    });
    req.end(body);
  });
}
