/**
 * @module A broadcast's test send (POST /api/broadcasts/:id/test): the broadcast's message, with
 * its template, topic and channel settings, to one address or phone number the marketer typed,
 * through the normal channel (its pipeline, provider, tracking and record). The contact is found by
 * that address or created with it, as a transactional send does (src/messages/send.ts).
 *
 * Recorded as a test: the message's idempotency key is `test:broadcast:<id>:<request>`, which no
 * figure counts (src/stats/scope.ts TEST_KEY_PREFIX) and which is not the broadcast's own prefix,
 * so the broadcast's progress and statistics do not move. It goes as `transactional`, so the tester
 * gets it whatever their marketing consent, but never to a bounced, complained or suppressed
 * address. Allowed in any state of the broadcast.
 */
import type { Channel, SendResult } from '../channels/channel.js';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { resolveContact } from '../messages/send.js';
import { findMessage, type Message } from '../messages/records.js';
import { TEST_KEY_PREFIX } from '../stats/scope.js';
import { sendConfig } from './broadcast.js';

export interface TestSendInput {
  email?: string | undefined;
  phone?: string | undefined;
}

export async function sendBroadcastTest(
  deps: ServiceDeps,
  channelOf: (name: string) => Channel | undefined,
  workspaceId: string,
  broadcastId: string,
  to: TestSendInput,
): Promise<{ result: SendResult; message: Message | undefined }> {
  const row = await deps.store.db.selectFrom('broadcasts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', broadcastId).executeTakeFirst();
  if (!row) throw new NotFoundError('broadcast', broadcastId);
  const channel = channelOf(row.channel);
  if (!channel) throw new NotFoundError('channel', row.channel);
  const contact = await resolveContact(deps, workspaceId, { templateId: row.template ?? '', ...to });
  const idempotencyKey = `${TEST_KEY_PREFIX}broadcast:${row.id}:${newId('req', deps.clock.now())}`;
  const result = await channel.send({
    workspaceId,
    contact,
    idempotencyKey,
    config: sendConfig(row),
    context: { data: { broadcast: row.id, test: true } },
    kind: 'transactional',
  });
  const rec = await deps.store.db.selectFrom('messages').select('id').where('workspace_id', '=', workspaceId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  return { result, message: rec ? await findMessage(deps.store.db, rec.id) : undefined };
}
