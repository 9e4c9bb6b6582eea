/**
 * @module One POST of an anomaly alert to the workspace's alert webhook: JSON, signed like the webhook
 * channel's (`X-Qatra-Signature: sha256=<HMAC of the body with the workspace's webhookSecret>`,
 * `X-Qatra-Timestamp`), through the same guarded outbound client (src/channels/outbound-http.ts): a target resolving to a private, loopback or link-local
 * address is refused unless the operator (QATRA_ALLOW_PRIVATE_OUTBOUND) and the workspace
 * (`allowPrivateWebhookTargets`) both allow it. Not a channel message: an alert goes to the team, not
 * to a contact, so it is no `messages` row; it is not retried (the incident stays listed in the API).
 */
import { outboundRequest } from '../channels/outbound-http.js';
import { signBody, webhookSettingsOf } from '../channels/webhook/webhook.js';
import type { Config } from '../config/config.js';
import type { ServiceDeps } from '../core/deps.js';

export const ALERT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface AlertPost {
  url: string;
  body: unknown;
  now: number;
  timeoutMs?: number;
}

/** The answer's status code; throws on a bad URL, a refused target, a timeout or a connection error. */
export async function postAlert(deps: Pick<ServiceDeps, 'store'> & { config: Pick<Config, 'allowPrivateOutbound'> }, workspaceId: string, p: AlertPost): Promise<number> {
  const { secret, allowPrivate: workspaceAllows } = await webhookSettingsOf(deps, workspaceId);
  const allowPrivate = deps.config.allowPrivateOutbound === true && workspaceAllows;
  const url = new URL(p.url);
  const body = JSON.stringify(p.body);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-qatra-timestamp': String(p.now) };
  if (secret) headers['x-qatra-signature'] = signBody(body, secret);
  const answer = await outboundRequest(url, { method: 'POST', headers, body }, { allowPrivate, timeoutMs: p.timeoutMs ?? ALERT_WEBHOOK_TIMEOUT_MS, maxAnswerBytes: 4096 });
  if (answer.kind !== 'answer') throw new Error(`alert webhook: ${answer.reason}`);
  return answer.status;
}
