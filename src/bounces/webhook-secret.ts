/**
 * @module The per-workspace secret a mail provider's event webhook presents instead of an admin key
 * (many providers can only be given a URL, and should not hold an admin key). Created or rotated with
 * `POST /api/webhooks/email-events/secret`, shown once, stored as SHA-256 like API keys.
 */
import type { ServiceDeps } from '../core/deps.js';
import { newSecret } from '../core/ids.js';
import { hashSecret } from '../keys/keys.js';

/** Creates or replaces the workspace's webhook secret; returns it (the only time it is shown). */
export async function rotateWebhookSecret(deps: ServiceDeps, workspaceId: string): Promise<string> {
  const secret = `whsec_${newSecret(32)}`;
  const hash = hashSecret(secret);
  const now = deps.clock.now();
  await deps.store.db
    .insertInto('email_event_webhooks')
    .values({ workspace_id: workspaceId, secret_hash: hash, created_at: now })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ secret_hash: hash, created_at: now }))
    .execute();
  return secret;
}

/** The workspace a webhook secret belongs to, or null. */
export async function workspaceOfWebhookSecret(deps: ServiceDeps, secret: string): Promise<string | null> {
  const row = await deps.store.db.selectFrom('email_event_webhooks').select('workspace_id').where('secret_hash', '=', hashSecret(secret)).executeTakeFirst();
  return row?.workspace_id ?? null;
}
