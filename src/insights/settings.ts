/**
 * @module A workspace's insights settings (insight_settings, migrations/000023.sql): the conversion
 * event of its series, and where anomaly alerts go: an email template sent to its owners and admins
 * through the transactional path, and a webhook URL. Defaults when the workspace has no row.
 */
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Db } from '../store/store.js';
import { DEFAULT_CONVERSION_EVENT } from './series.js';

export const insightSettingsSchema = z.object({
  conversionEvent: z.string().trim().min(1).max(200).default(DEFAULT_CONVERSION_EVENT).describe('the event whose count and `revenue` property are the conversions of the series'),
  alertTemplateId: z.string().min(1).max(200).nullable().default(null).describe('email template sent to owners and admins when an anomaly opens (data: `anomaly`); null: no email'),
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .default(null)
    .describe('http(s) URL posted the anomaly as JSON, signed with the workspace webhookSecret; null: none'),
});
export type InsightSettings = z.infer<typeof insightSettingsSchema>;

export async function loadInsightSettings(db: Db, workspaceId: string): Promise<InsightSettings> {
  const row = await db.selectFrom('insight_settings').select(['conversion_event', 'alert_template_id', 'webhook_url']).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return { conversionEvent: row?.conversion_event ?? DEFAULT_CONVERSION_EVENT, alertTemplateId: row?.alert_template_id ?? null, webhookUrl: row?.webhook_url ?? null };
}

export async function saveInsightSettings(db: Db, clock: Clock, workspaceId: string, s: InsightSettings): Promise<InsightSettings> {
  const values = { conversion_event: s.conversionEvent, alert_template_id: s.alertTemplateId, webhook_url: s.webhookUrl, updated_at: clock.now() };
  await db
    .insertInto('insight_settings')
    .values({ workspace_id: workspaceId, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute();
  return s;
}
