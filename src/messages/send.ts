/**
 * @module The transactional send (`POST /api/messages/send`): find (or, by email, create) the
 * contact, then hand the message to the email channel as `transactional`, which bypasses marketing
 * consent, caps and quiet hours but never reaches hard-bounced, complained or manually suppressed
 * addresses. An idempotency key from the caller makes the request safe to retry; a temporary
 * failure is retried by a worker (./retry.ts).
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { JsonObject } from '../core/json.js';
import { createContact, getContact } from '../contacts/contacts.js';
import { normalizeEmail, toContact, type Contact } from '../contacts/contact.js';
import type { Channel, SendResult } from '../channels/channel.js';
import { findMessage, type Message } from './records.js';
import { afterAttempt } from './retry.js';

export interface TransactionalSend {
  templateId: string;
  contactId?: string | undefined;
  userId?: string | undefined;
  email?: string | undefined;
  data?: JsonObject | undefined;
  idempotencyKey?: string | undefined;
}

async function resolveContact(deps: ServiceDeps, workspaceId: string, input: TransactionalSend): Promise<Contact> {
  const given = [input.contactId, input.userId, input.email].filter((v) => v !== undefined).length;
  if (given !== 1) throw ValidationError.at('', 'give exactly one of contactId, userId or email');
  if (input.contactId) return getContact(deps, workspaceId, input.contactId);
  const { db } = deps.store;
  if (input.userId) {
    const row = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', input.userId).executeTakeFirst();
    if (!row) throw new NotFoundError('contact with userId', input.userId);
    return toContact(row);
  }
  const email = normalizeEmail(input.email!);
  const row = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
  if (row) return toContact(row);
  try {
    return await createContact(deps, workspaceId, { email });
  } catch (err) {
    // Created concurrently by another request: use theirs.
    const again = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
    if (again) return toContact(again);
    throw err;
  }
}

export async function sendTransactional(deps: ServiceDeps, channel: Channel, workspaceId: string, input: TransactionalSend): Promise<{ result: SendResult; message: Message | undefined }> {
  const contact = await resolveContact(deps, workspaceId, input);
  const idempotencyKey = `api:${input.idempotencyKey ?? newId('req', deps.clock.now())}`;
  const result = await channel.send({
    workspaceId,
    contact,
    idempotencyKey,
    config: { template: input.templateId },
    context: input.data ? { data: input.data } : {},
    kind: 'transactional',
  });
  await afterAttempt(deps.store.db, workspaceId, idempotencyKey, result, { templateId: input.templateId, data: input.data }, deps.clock.now());
  const row = await deps.store.db.selectFrom('messages').select('id').where('workspace_id', '=', workspaceId).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  return { result, message: row ? await findMessage(deps.store.db, row.id) : undefined };
}
