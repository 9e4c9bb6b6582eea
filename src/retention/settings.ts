/**
 * @module A workspace's retention setting, kept under `retention` in `workspaces.settings` (other keys
 * belong to other features and are merged, never replaced): how many months of raw events it keeps.
 * `eventsMonths: null` follows the server's default (QATRA_RETENTION_EVENTS_MONTHS; unset: keep
 * forever). 0 or a negative number is refused with the field path: "keep nothing" is no retention
 * policy, and a typo must not delete a workspace's history.
 */
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { parseOrThrow } from '../core/parse.js';
import type { Db, Store } from '../store/store.js';

/** A hundred years: anything longer is "forever" spelled with a typo. */
export const MAX_RETENTION_MONTHS = 1200;

export const retentionSettingsSchema = z.object({
  eventsMonths: z
    .number()
    .int()
    .min(1, 'must be at least 1 month (null keeps the server default; unset default: keep forever)')
    .max(MAX_RETENTION_MONTHS)
    .nullable()
    .describe('months of raw events kept (older ones are rolled up into hourly counts and deleted); null: the server default'),
});
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

export const retentionAnswerSchema = retentionSettingsSchema.extend({
  effectiveEventsMonths: z.number().int().nullable().describe('what applies now: the setting, else the server default; null keeps events forever'),
});
export type RetentionAnswer = z.infer<typeof retentionAnswerSchema>;

async function settingsRow(db: Db, workspaceId: string): Promise<JsonObject> {
  const row = await db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  if (!row) throw new NotFoundError('workspace', workspaceId);
  return fromJson<JsonObject>(row.settings) ?? {};
}

/** The stored setting; a stored value that no longer parses counts as unset (the default applies). */
export function retentionOf(settings: JsonObject): RetentionSettings {
  const parsed = retentionSettingsSchema.safeParse(settings.retention ?? { eventsMonths: null });
  return parsed.success ? parsed.data : { eventsMonths: null };
}

export function effectiveMonths(setting: RetentionSettings, defaultMonths: number | undefined): number | null {
  return setting.eventsMonths ?? defaultMonths ?? null;
}

export async function loadRetention(db: Db, workspaceId: string, defaultMonths: number | undefined): Promise<RetentionAnswer> {
  const setting = retentionOf(await settingsRow(db, workspaceId));
  return { ...setting, effectiveEventsMonths: effectiveMonths(setting, defaultMonths) };
}

export async function saveRetention(store: Store, workspaceId: string, input: unknown, defaultMonths: number | undefined): Promise<RetentionAnswer> {
  const value = parseOrThrow(retentionSettingsSchema, input);
  await store.transaction(async (trx) => {
    const settings = { ...(await settingsRow(trx, workspaceId)), retention: value as unknown as JsonObject };
    await trx
      .updateTable('workspaces')
      .set({ settings: toJson(settings) })
      .where('id', '=', workspaceId)
      .execute();
  });
  return { ...value, effectiveEventsMonths: effectiveMonths(value, defaultMonths) };
}
