/**
 * @module Workspace-wide quiet hours and frequency cap: the defaults for every journey and broadcast
 * that does not set its own (docs/standards.md §8). Kept under `messaging` in `workspaces.settings`; other
 * keys there belong to other features and are merged, never replaced.
 *
 * Precedence, per guard: a journey's `settings.quietHours` (a broadcast's `quietHours`) replaces the
 * workspace's quiet hours for that journey (broadcast), whatever either says; without its own, the
 * workspace's apply. The same for the frequency cap. The cap counts every marketing delivery of the
 * contact in the workspace, whichever journey or broadcast sent it. Transactional messages bypass
 * both. Outcomes are `defer` or `skip` (a broadcast has no later step to exit from).
 */
import { z } from 'zod';
import { descriptorOf } from '../channels/descriptors.js';
import { getSmsSettings } from '../channels/sms/settings.js';
import { NotFoundError } from '../core/errors.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Db, Store } from '../store/store.js';
import { broadcastFrequencyCap, broadcastQuietHours } from '../broadcasts/schemas.js';
import type { FrequencyCap, QuietHours } from '../journeys/definition/schema.js';
import { durationProblem } from '../journeys/definition/duration.js';

export const messagingDefaultsSchema = z
  .object({
    quietHours: broadcastQuietHours.nullable().default(null).describe("Quiet hours in the contact's zone for journeys and broadcasts without their own; null: none"),
    frequencyCap: broadcastFrequencyCap.nullable().default(null).describe('Frequency cap for journeys and broadcasts without their own; null: none'),
  })
  .superRefine((v, ctx) => {
    // The same bounds a journey's own cap gets from its validator (src/journeys/definition/fields.ts).
    const problem = v.frequencyCap ? durationProblem(v.frequencyCap.per) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['frequencyCap', 'per'], message: problem });
  });

export interface MessagingDefaults {
  quietHours: z.infer<typeof QuietHours> | null;
  frequencyCap: z.infer<typeof FrequencyCap> | null;
  /**
   * Quiet hours of the channels that keep them by default (src/channels/descriptors.ts
   * `quietByDefault`: SMS, from its settings, 21:00–08:00 unless changed), used when neither the
   * journey (broadcast) nor the workspace sets any.
   */
  channelQuietHours?: Readonly<Record<string, z.infer<typeof QuietHours>>> | undefined;
}

export const NO_DEFAULTS: MessagingDefaults = Object.freeze({ quietHours: null, frequencyCap: null });

export async function loadMessagingDefaults(db: Db, workspaceId: string): Promise<MessagingDefaults> {
  return (await loadSendContext(db, workspaceId)).defaults;
}

/**
 * What a worker batch needs of a workspace, in one query: its fallback time zone and these
 * defaults (an unknown workspace: UTC and none, as `workspaceZone` answers).
 */
export async function loadSendContext(db: Db, workspaceId: string): Promise<{ timezone: string; defaults: MessagingDefaults }> {
  const row = await db.selectFrom('workspaces').select(['timezone', 'settings']).where('id', '=', workspaceId).executeTakeFirst();
  if (!row) return { timezone: 'UTC', defaults: NO_DEFAULTS };
  const parsed = messagingDefaultsSchema.safeParse((fromJson<JsonObject>(row.settings) ?? {}).messaging ?? {});
  const sms = await getSmsSettings(db, workspaceId);
  const channelQuietHours = { sms: { start: sms.quietHours.start, end: sms.quietHours.end, outcome: 'defer' as const } };
  return { timezone: row.timezone, defaults: { ...(parsed.success ? parsed.data : NO_DEFAULTS), channelQuietHours } };
}

export async function saveMessagingDefaults(store: Store, workspaceId: string, input: z.input<typeof messagingDefaultsSchema>): Promise<MessagingDefaults> {
  const value = messagingDefaultsSchema.parse(input);
  await store.transaction(async (trx) => {
    const row = await trx.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
    if (!row) throw new NotFoundError('workspace', workspaceId);
    const settings = { ...(fromJson<JsonObject>(row.settings) ?? {}), messaging: value as unknown as JsonObject };
    await trx
      .updateTable('workspaces')
      .set({ settings: toJson(settings) })
      .where('id', '=', workspaceId)
      .execute();
  });
  return value;
}

/**
 * The guards that apply to a marketing send on `channel`: each of the journey's (broadcast's) own,
 * else the workspace's; quiet hours then fall back to the channel's own default (SMS).
 */
export function effectiveGuards(
  own: { quietHours?: MessagingDefaults['quietHours'] | undefined; frequencyCap?: MessagingDefaults['frequencyCap'] | undefined },
  defaults: MessagingDefaults,
  channel?: string,
): MessagingDefaults {
  const channelQuiet = channel && descriptorOf(channel)?.quietByDefault ? (defaults.channelQuietHours?.[channel] ?? null) : null;
  return { quietHours: own.quietHours ?? defaults.quietHours ?? channelQuiet, frequencyCap: own.frequencyCap ?? defaults.frequencyCap };
}
