/**
 * @module Whether a workspace's post accounts may reach private addresses (the operator's
 * QATRA_ALLOW_PRIVATE_OUTBOUND and the workspace's allowPrivateWebhookTargets, both, as for the
 * webhook channel), and the check of a host for the clients that cannot take a `lookup` (masto's fetch).
 */
import { resolvePublic } from '../channels/address-guard.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { PostsDeps } from './deps.js';

export async function privateAllowed(deps: PostsDeps, workspaceId: string): Promise<boolean> {
  if (deps.config.allowPrivateOutbound !== true) return false;
  const row = await deps.store.db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  const settings = row ? fromJson<JsonObject | null>(row.settings) : null;
  return settings?.allowPrivateWebhookTargets === true;
}

/** A check to run before each call to `url`: resolves the host and refuses a private answer (PrivateAddressError). */
export function hostCheck(url: string, allowPrivate: boolean): () => Promise<void> {
  if (allowPrivate) return async () => {};
  const host = new URL(url).hostname;
  return async () => {
    await resolvePublic(host);
  };
}
