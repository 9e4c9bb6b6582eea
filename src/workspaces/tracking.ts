/**
 * @module Website tracking settings of a workspace, kept under `tracking` in `workspaces.settings`
 * (other keys there belong to other features and are merged, never replaced):
 *  - `consentRequired`: the first-party snippet (src/browser/snippet.js) sends nothing and sets no
 *    cookie until the page calls `qatra.consent(true)`;
 *  - `clickIdDomains`: host names whose links get a signed click id (`qatra_cid`, src/browser/click-id.ts)
 *    appended when a tracked email or SMS link is clicked. Empty by default: no link carries one until
 *    the workspace lists its own site. `shop.example` matches that host only; `*.shop.example` matches
 *    its subdomains (not the apex).
 */
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Db, Store } from '../store/store.js';

const hostPattern = z
  .string()
  .max(253)
  .transform((s) => s.trim().toLowerCase())
  .refine(
    (s) => /^(\*\.)?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(s),
    'a host name (shop.example) or a wildcard for its subdomains (*.shop.example), without scheme, port or path',
  );

export const trackingSettingsSchema = z.object({
  consentRequired: z.boolean().default(false).describe('Website tracking waits for qatra.consent(true) before sending anything or setting a cookie'),
  clickIdDomains: z.array(hostPattern).max(50).default([]).describe('Hosts whose tracked links get a signed click id (qatra_cid) appended; empty: none'),
});

export type TrackingSettings = z.output<typeof trackingSettingsSchema>;

export const DEFAULT_TRACKING: TrackingSettings = Object.freeze({ consentRequired: false, clickIdDomains: [] as string[] });

export async function loadTrackingSettings(db: Db, workspaceId: string): Promise<TrackingSettings> {
  const row = await db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  if (!row) return DEFAULT_TRACKING;
  const parsed = trackingSettingsSchema.safeParse((fromJson<JsonObject>(row.settings) ?? {}).tracking ?? {});
  return parsed.success ? parsed.data : DEFAULT_TRACKING;
}

export async function saveTrackingSettings(store: Store, workspaceId: string, input: z.input<typeof trackingSettingsSchema>): Promise<TrackingSettings> {
  const value = trackingSettingsSchema.parse(input);
  await store.transaction(async (trx) => {
    const row = await store.adapter.lockRows(trx.selectFrom('workspaces').select('settings').where('id', '=', workspaceId)).executeTakeFirst();
    if (!row) throw new NotFoundError('workspace', workspaceId);
    const settings = { ...(fromJson<JsonObject>(row.settings) ?? {}), tracking: value as unknown as JsonObject };
    await trx
      .updateTable('workspaces')
      .set({ settings: toJson(settings) })
      .where('id', '=', workspaceId)
      .execute();
  });
  return value;
}

/** True when `url`'s host is one of `domains` (exact, or a subdomain of a `*.` entry); only http(s). */
export function hostListed(url: string, domains: readonly string[]): boolean {
  if (domains.length === 0) return false;
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
    host = parsed.hostname.toLowerCase();
  } catch {
    return false;
  }
  return domains.some((d) => (d.startsWith('*.') ? host.endsWith(d.slice(1)) && host.length > d.length - 1 : host === d));
}
