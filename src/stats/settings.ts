/**
 * @module The workspace's measurement settings, kept under `stats` in `workspaces.settings`: cost
 * per message per channel (for ROI) and the default attribution windows. Other keys of the settings
 * belong to other features and are merged, never replaced.
 */
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Db, Store } from '../store/store.js';
import { DEFAULT_WINDOWS, type AttributionWindows } from './attribution.js';

export const statsSettingsSchema = z.object({
  costPerMessage: z.record(z.string(), z.number().nonnegative()).default({}).describe('cost of one sent message per channel, in the revenue currency'),
  clickWindowMs: z.number().int().positive().default(DEFAULT_WINDOWS.clickWindowMs),
  openWindowMs: z.number().int().positive().default(DEFAULT_WINDOWS.openWindowMs),
});
export type StatsSettings = z.infer<typeof statsSettingsSchema>;

export async function loadStatsSettings(db: Db, workspaceId: string): Promise<StatsSettings> {
  const row = await db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  if (!row) throw new NotFoundError('workspace', workspaceId);
  const stored = (fromJson<JsonObject>(row.settings) ?? {}).stats;
  const parsed = statsSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : statsSettingsSchema.parse({});
}

export async function saveStatsSettings(store: Store, workspaceId: string, input: StatsSettings): Promise<StatsSettings> {
  const value = statsSettingsSchema.parse(input);
  await store.transaction(async (trx) => {
    const row = await trx.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
    if (!row) throw new NotFoundError('workspace', workspaceId);
    const settings = { ...(fromJson<JsonObject>(row.settings) ?? {}), stats: value as unknown as JsonObject };
    await trx
      .updateTable('workspaces')
      .set({ settings: toJson(settings) })
      .where('id', '=', workspaceId)
      .execute();
  });
  return value;
}

export function windowsOf(s: StatsSettings, override: Partial<AttributionWindows> = {}): AttributionWindows {
  return { clickWindowMs: override.clickWindowMs ?? s.clickWindowMs, openWindowMs: override.openWindowMs ?? s.openWindowMs };
}
