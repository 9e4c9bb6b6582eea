/**
 * @module Whether a workspace's post accounts may reach private addresses (the operator's
 * QATRA_ALLOW_PRIVATE_OUTBOUND and the workspace's allowPrivateWebhookTargets, both, as for the
 * webhook channel).
 */
import { fromJson, type JsonObject } from '../core/json.js';
import type { PostsDeps } from './deps.js';

export async function privateAllowed(deps: PostsDeps, workspaceId: string): Promise<boolean> {
  if (deps.config.allowPrivateOutbound !== true) return false;
  const row = await deps.store.db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  const settings = row ? fromJson<JsonObject | null>(row.settings) : null;
  return settings?.allowPrivateWebhookTargets === true;
}
