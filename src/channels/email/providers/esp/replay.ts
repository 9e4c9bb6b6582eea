/**
 * @module The replay guard of the signed ESP webhooks (migrations/000031.sql): a nonce (Mailgun's
 * token, a SendGrid signature, an SNS MessageId) is claimed in the transaction that applies the
 * request's events, so a request is applied once: a captured request sent again inside its time
 * window finds its nonce taken and is refused; a request whose transaction rolled back left none.
 * Nonces older than a day (the windows are minutes) are pruned as new ones arrive.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../../../store/store.js';

const KEEP_MS = 24 * 3600_000;

/** True when the nonce was new (and is now taken), false when it was seen before. */
export async function claimNonce(trx: Db, workspaceId: string, provider: string, nonce: string, now: number): Promise<boolean> {
  // Hashed: a nonce is attacker-sized text; its hash is a bounded key.
  const key = createHash('sha256').update(nonce, 'utf8').digest('hex');
  await trx
    .deleteFrom('email_webhook_nonces')
    .where('workspace_id', '=', workspaceId)
    .where('provider', '=', provider)
    .where('seen_at', '<', now - KEEP_MS)
    .execute();
  const row = await trx
    .insertInto('email_webhook_nonces')
    .values({ workspace_id: workspaceId, provider, nonce: key, seen_at: now })
    .onConflict((oc) => oc.columns(['workspace_id', 'provider', 'nonce']).doNothing())
    .returning('nonce')
    .executeTakeFirst();
  return row !== undefined;
}
