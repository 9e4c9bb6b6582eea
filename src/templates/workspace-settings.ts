/**
 * @module The workspace settings templates need: its name and postal address (CAN-SPAM: every
 * marketing email shows it, docs/standards.md §14), and its fallback time zone. The postal address lives
 * in `workspaces.settings` JSON; name and time zone have their own columns. The webhook channel's
 * `allowPrivateWebhookTargets` switch lives there too, so it is set through the same API.
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { isValidTimeZone } from '../core/time-zone.js';
import type { Db } from '../store/store.js';

export interface WorkspaceSettings {
  id: string;
  name: string;
  timezone: string;
  postalAddress: string;
  /** Lets webhook messages reach private, loopback and link-local addresses (off: SSRF guard, see src/channels/address-guard.ts). */
  allowPrivateWebhookTargets: boolean;
}

export async function getWorkspaceSettings(db: Db, workspaceId: string): Promise<WorkspaceSettings> {
  const row = await db.selectFrom('workspaces').select(['id', 'name', 'timezone', 'settings']).where('id', '=', workspaceId).executeTakeFirst();
  if (!row) throw new NotFoundError('workspace', workspaceId);
  const settings = fromJson<JsonObject>(row.settings) ?? {};
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    postalAddress: typeof settings.postalAddress === 'string' ? settings.postalAddress : '',
    allowPrivateWebhookTargets: settings.allowPrivateWebhookTargets === true,
  };
}

export async function updateWorkspaceSettings(
  deps: ServiceDeps,
  workspaceId: string,
  patch: { name?: string | undefined; timezone?: string | undefined; postalAddress?: string | undefined; allowPrivateWebhookTargets?: boolean | undefined },
): Promise<WorkspaceSettings> {
  if (patch.timezone !== undefined && !isValidTimeZone(patch.timezone)) throw ValidationError.at('timezone', `unknown IANA time zone "${patch.timezone}"`);
  return deps.store.transaction(async (trx) => {
    const row = await trx.selectFrom('workspaces').select(['settings']).where('id', '=', workspaceId).executeTakeFirst();
    if (!row) throw new NotFoundError('workspace', workspaceId);
    // Other settings keys belong to other features: merge, never replace.
    const settings = { ...(fromJson<JsonObject>(row.settings) ?? {}) };
    if (patch.postalAddress !== undefined) settings.postalAddress = patch.postalAddress;
    if (patch.allowPrivateWebhookTargets !== undefined) settings.allowPrivateWebhookTargets = patch.allowPrivateWebhookTargets;
    await trx
      .updateTable('workspaces')
      .set({
        settings: toJson(settings),
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
      })
      .where('id', '=', workspaceId)
      .execute();
    return getWorkspaceSettings(trx, workspaceId);
  });
}
