/**
 * @module A workspace's deliverability settings (deliverability_settings, migrations/000032.sql):
 * the reputation breaker's thresholds and where its alerts go, and the sunset policy. Defaults when
 * the workspace stored none (docs/email.md):
 *  - the breaker is ON: a complaint rate above 0.3% (Gmail's bulk-sender line) or a hard-bounce rate
 *    above 5% within 24 hours, over at least 1,000 sends, pauses the journey or broadcast;
 *  - the sunset policy is OFF, for new workspaces as for old: it silently takes people out of
 *    marketing sends, and a workspace that does not track opens (tracking.opens off, or sending by
 *    other channels) would see every contact as inactive. An admin turns it on knowingly.
 */
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { fromJson, toJson } from '../core/json.js';
import type { Db } from '../store/store.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export const breakerSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  complaintRate: z.number().min(0.0001).max(1).default(0.003).describe('pause when complaints / sends passes this (0.003 is 0.3%)'),
  hardBounceRate: z.number().min(0.001).max(1).default(0.05).describe('pause when hard bounces / sends passes this (0.05 is 5%)'),
  windowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24)
    .describe('the sends of this many hours back are counted'),
  minSample: z.number().int().min(1).max(10_000_000).default(1000).describe('no pause on fewer sends than this in the window (1 complaint in 3 sends is noise)'),
  alertTemplateId: z.string().min(1).max(200).nullable().default(null).describe('email template sent (transactional) to owners and admins when it trips (data: `trip`); null: no email'),
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .default(null)
    .describe('http(s) URL posted the `reputation.paused` event as JSON, signed with the workspace webhookSecret; null: none'),
});

export const sunsetSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    inactiveDays: z.number().int().min(7).max(3650).default(180).describe('no human open or click for this many days: out of marketing sends'),
    reengageDaysBefore: z.number().int().min(0).max(365).default(14).describe('`contact.sunsetting` fires this many days before; 0: no event'),
  })
  .refine((s) => s.reengageDaysBefore < s.inactiveDays, { message: 'must be shorter than inactiveDays', path: ['reengageDaysBefore'] });

export const deliverabilitySettingsSchema = z.object({
  breaker: breakerSettingsSchema.default(breakerSettingsSchema.parse({})),
  sunset: sunsetSettingsSchema.default(sunsetSettingsSchema.parse({})),
});
export type DeliverabilitySettings = z.infer<typeof deliverabilitySettingsSchema>;
export type BreakerSettings = DeliverabilitySettings['breaker'];
export type SunsetSettings = DeliverabilitySettings['sunset'];

export const defaultDeliverabilitySettings = (): DeliverabilitySettings => deliverabilitySettingsSchema.parse({});

/** The stored settings with defaults filled in (a stored value that no longer parses counts as unset). */
export async function loadDeliverabilitySettings(db: Db, workspaceId: string): Promise<DeliverabilitySettings> {
  const row = await db.selectFrom('deliverability_settings').select('settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return defaultDeliverabilitySettings();
  const parsed = deliverabilitySettingsSchema.safeParse(fromJson(row.settings));
  return parsed.success ? parsed.data : defaultDeliverabilitySettings();
}

/** For a batch of workspaces: id → settings (one query). */
export async function settingsOf(db: Db, workspaceIds: readonly string[]): Promise<Map<string, DeliverabilitySettings>> {
  const out = new Map<string, DeliverabilitySettings>(workspaceIds.map((id) => [id, defaultDeliverabilitySettings()]));
  if (workspaceIds.length === 0) return out;
  const rows = await db
    .selectFrom('deliverability_settings')
    .select(['workspace_id', 'settings'])
    .where('workspace_id', 'in', [...new Set(workspaceIds)])
    .execute();
  for (const r of rows) {
    const parsed = deliverabilitySettingsSchema.safeParse(fromJson(r.settings));
    if (parsed.success) out.set(r.workspace_id, parsed.data);
  }
  return out;
}

export async function saveDeliverabilitySettings(db: Db, clock: Clock, workspaceId: string, s: DeliverabilitySettings): Promise<DeliverabilitySettings> {
  const values = { settings: toJson(s), updated_at: clock.now() };
  await db
    .insertInto('deliverability_settings')
    .values({ workspace_id: workspaceId, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute();
  return s;
}
