/**
 * @module The transactional send (`POST /api/messages/send`): find (or, by email or phone, create)
 * the contact, then hand the message to its channel (email, sms) as `transactional`, which bypasses marketing
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
import { phoneReader, readPhoneOrThrow } from '../contacts/phone-input.js';
import type { Channel, SendResult } from '../channels/channel.js';
import { findMessage, type Message } from './records.js';
import { afterAttempt } from './retry.js';

export interface TransactionalSend {
  templateId: string;
  contactId?: string | undefined;
  userId?: string | undefined;
  email?: string | undefined;
  /** A phone number (E.164, or national in the workspace's SMS default country): finds or creates the contact. */
  phone?: string | undefined;
  data?: JsonObject | undefined;
  idempotencyKey?: string | undefined;
}

/** The contact with `field` = `value` in the workspace, created with it when there is none (a concurrent creation wins). */
async function findOrCreate(deps: ServiceDeps, workspaceId: string, field: 'email' | 'phone', value: string): Promise<Contact> {
  const { db } = deps.store;
  const find = () => db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where(field, '=', value).orderBy('id').executeTakeFirst();
  const row = await find();
  if (row) return toContact(row);
  try {
    return await createContact(deps, workspaceId, { [field]: value });
  } catch (err) {
    // Created concurrently by another request: use theirs.
    const again = await find();
    if (again) return toContact(again);
    throw err;
  }
}

export async function resolveContact(deps: ServiceDeps, workspaceId: string, input: TransactionalSend): Promise<Contact> {
  const given = [input.contactId, input.userId, input.email, input.phone].filter((v) => v !== undefined).length;
  if (given !== 1) throw ValidationError.at('', 'give exactly one of contactId, userId, email or phone');
  if (input.contactId) return getContact(deps, workspaceId, input.contactId);
  if (input.userId) {
    const row = await deps.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', input.userId).executeTakeFirst();
    if (!row) throw new NotFoundError('contact with userId', input.userId);
    return toContact(row);
  }
  if (input.phone !== undefined) return findOrCreate(deps, workspaceId, 'phone', await readPhoneOrThrow(phoneReader(deps.store.db, workspaceId), input.phone, 'phone'));
  return findOrCreate(deps, workspaceId, 'email', normalizeEmail(input.email!));
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
