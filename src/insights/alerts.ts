/**
 * @module Alerting a newly opened anomaly, once: the incident's `alerted_at` is set by a conditional
 * UPDATE first (a second scanner, or a scan repeated after a crash past this point, finds it set and
 * alerts nothing), then
 *  - `/metrics`: `qatra_insight_anomalies_total{metric}` goes up;
 *  - email: the workspace's alert template (settings.alertTemplateId) to each owner and admin through
 *    the transactional path (src/messages/send.ts: the user's address becomes a contact of the
 *    workspace, the message is recorded, a temporary failure is retried by the message-retry task),
 *    under the idempotency key `insight:<anomaly>:<user>`;
 *  - webhook: settings.webhookUrl gets the anomaly as JSON (./alert-webhook.ts).
 * A failure of one recipient is logged and does not stop the others: the incident stays listed.
 */
import type { AppDeps } from '../core/app-deps.js';
import type { Channel } from '../channels/channel.js';
import type { JsonObject } from '../core/json.js';
import type { Anomaly } from './anomalies.js';
import { postAlert } from './alert-webhook.js';
import { emailAdmins } from '../users/admins.js';
import { loadInsightSettings } from './settings.js';

export type AlertDeps = Pick<AppDeps, 'store' | 'clock' | 'signals' | 'log' | 'metrics' | 'config'> & {
  /** The email channel of the process (src/channels/registry.ts); no email alerts without it. */
  email: Channel | undefined;
};

export interface AlertOutcome {
  alerted: boolean;
  emails: number;
  webhook: number | null;
}

/** The alert's JSON: the anomaly as the API shows it, and the workspace. */
export const alertBody = (workspaceId: string, a: Anomaly) => ({ type: 'insight.anomaly', workspaceId, anomaly: a });

export async function alertAnomaly(deps: AlertDeps, workspaceId: string, anomaly: Anomaly): Promise<AlertOutcome> {
  const now = deps.clock.now();
  const claimed = await deps.store.db
    .updateTable('insight_anomalies')
    .set({ alerted_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', anomaly.id)
    .where('alerted_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return { alerted: false, emails: 0, webhook: null };
  deps.metrics.insightAnomalies.inc({ metric: anomaly.metric });
  const settings = await loadInsightSettings(deps.store.db, workspaceId);
  const data = JSON.parse(JSON.stringify(alertBody(workspaceId, { ...anomaly, alertedAt: now }))) as JsonObject;
  let emails = 0;
  if (settings.alertTemplateId && deps.email) {
    emails = await emailAdmins(deps, deps.email, workspaceId, {
      templateId: settings.alertTemplateId,
      data,
      key: `insight:${anomaly.id}`,
      logContext: { anomaly: anomaly.id },
      what: 'insight alert email',
    });
  }
  let webhook: number | null = null;
  if (settings.webhookUrl) {
    try {
      webhook = await postAlert(deps, workspaceId, { url: settings.webhookUrl, body: data, now });
      if (webhook < 200 || webhook >= 300) deps.log.warn({ workspaceId, anomaly: anomaly.id, status: webhook }, 'insight alert webhook refused');
    } catch (err) {
      deps.log.warn({ err, workspaceId, anomaly: anomaly.id }, 'insight alert webhook failed');
    }
  }
  return { alerted: true, emails, webhook };
}
