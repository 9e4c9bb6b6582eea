/**
 * @module Workspace-wide quiet hours and frequency cap: the defaults for every journey and broadcast
 * that does not set its own (STANDARDS.md 8). Kept under `messaging` in `workspaces.settings`; other
 * keys there belong to other features and are merged, never replaced.
 *
 * Precedence, per guard: a journey's `settings.quietHours` (a broadcast's `quietHours`) replaces the
 * workspace's quiet hours for that journey (broadcast), whatever either says; without its own, the
 * workspace's apply. The same for the frequency cap. The cap counts every marketing delivery of the
 * contact in the workspace, whichever journey or broadcast sent it. Transactional messages bypass
 * both. Outcomes are `defer` or `skip` (a broadcast has no later step to exit from).
 */
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Db, Store } from '../store/store.js';
import { broadcastFrequencyCap, broadcastQuietHours } from '../broadcasts/schemas.js';
import type { FrequencyCap, QuietHours } from '../journeys/definition/schema.js';

export const messagingDefaultsSchema = z.object({
  quietHours: broadcastQuietHours.nullable().default(null).describe('Quiet hours in the contact\'s zone for journeys and broadcasts without their own; null: none'),
  frequencyCap: broadcastFrequencyCap.nullable().default(null).describe('Frequency cap for journeys and broadcasts without their own; null: none'),
});

export interface MessagingDefaults {
  quietHours: z.infer<typeof QuietHours> | null;
  frequencyCap: z.infer<typeof FrequencyCap> | null;
}

export const NO_DEFAULTS: MessagingDefaults = Object.freeze({ quietHours: null, frequencyCap: null });

export async function loadMessagingDefaults(db: Db, workspaceId: string): Promise<MessagingDefaults> {
  const row = await db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  if (!row) return NO_DEFAULTS;
  const parsed = messagingDefaultsSchema.safeParse((fromJson<JsonObject>(row.settings) ?? {}).messaging ?? {});
  return parsed.success ? parsed.data : NO_DEFAULTS;
}

export async function saveMessagingDefaults(store: Store, workspaceId: string, input: z.input<typeof messagingDefaultsSchema>): Promise<MessagingDefaults> {
  const value = messagingDefaultsSchema.parse(input);
  await store.transaction(async (trx) => {
    const row = await trx.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
    if (!row) throw new NotFoundError('workspace', workspaceId);
    const settings = { ...(fromJson<JsonObject>(row.settings) ?? {}), messaging: value as unknown as JsonObject };
    await trx.updateTable('workspaces').set({ settings: toJson(settings) }).where('id', '=', workspaceId).execute();
  });
  return value;
}

/** The guards that apply: each of the journey's (broadcast's) own, else the workspace's. */
export function effectiveGuards(own: { quietHours?: MessagingDefaults['quietHours'] | undefined; frequencyCap?: MessagingDefaults['frequencyCap'] | undefined }, defaults: MessagingDefaults): MessagingDefaults {
  return { quietHours: own.quietHours ?? defaults.quietHours, frequencyCap: own.frequencyCap ?? defaults.frequencyCap };
}
