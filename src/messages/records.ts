/**
 * @module Message records: one row per delivery, written BEFORE the provider is called and unique
 * on (workspace, idempotency key) (docs/standards.md §2). A retry with the same key finds the row: if it
 * was sent (or deliberately skipped, or failed for good) nothing is sent again.
 *
 * Status: queued (recorded; a retryable failure leaves it queued with the reason) → sent | skipped
 * | failed (permanent) | bounced (the receiving server rejected the address).
 */
import type { Selectable } from 'kysely';
import { newId } from '../core/ids.js';
import { fromJson, toJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import type { MessageKind, MessagesTable, MessageStatus } from './tables.js';

export type { MessageKind, MessageStatus };

/** How long an attempt holds a delivery before another attempt may take it over (a crashed sender). */
export const ATTEMPT_LEASE_MS = 5 * 60_000;

export interface Message {
  id: string;
  workspaceId: string;
  contactId: string;
  channel: string;
  kind: MessageKind;
  idempotencyKey: string;
  journeyId: string | null;
  journeyVersion: number | null;
  runId: string | null;
  nodeId: string | null;
  templateId: string | null;
  templateVersion: number | null;
  topic: string | null;
  provider: string | null;
  status: MessageStatus;
  reason: string | null;
  providerMessageId: string | null;
  headerMessageId: string | null;
  to: string | null;
  subject: string | null;
  links: string[];
  attempts: number;
  openCount: number;
  clickCount: number;
  firstOpenedAt: number | null;
  firstClickedAt: number | null;
  complainedAt: number | null;
  retryAt: number | null;
  createdAt: number;
  sentAt: number | null;
  updatedAt: number;
}

export function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    contactId: row.contact_id,
    channel: row.channel,
    kind: row.kind,
    idempotencyKey: row.idempotency_key,
    journeyId: row.journey_id,
    journeyVersion: row.journey_version,
    runId: row.run_id,
    nodeId: row.node_id,
    templateId: row.template_id,
    templateVersion: row.template_version,
    topic: row.topic,
    provider: row.provider,
    status: row.status,
    reason: row.reason,
    providerMessageId: row.provider_message_id,
    headerMessageId: row.header_message_id,
    to: row.to_address,
    subject: row.subject,
    links: fromJson<string[]>(row.links) ?? [],
    attempts: row.attempts,
    openCount: row.open_count,
    clickCount: row.click_count,
    firstOpenedAt: row.first_opened_at,
    firstClickedAt: row.first_clicked_at,
    complainedAt: row.complained_at,
    retryAt: row.retry_at,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    updatedAt: row.updated_at,
  };
}

export interface NewMessage {
  workspaceId: string;
  contactId: string;
  channel: string;
  kind: MessageKind;
  idempotencyKey: string;
  journeyId?: string | undefined;
  journeyVersion?: number | undefined;
  runId?: string | undefined;
  nodeId?: string | undefined;
  templateId?: string | undefined;
  topic?: string | undefined;
  to?: string | null | undefined;
}

/** The row of a new record: queued, and already claimed by the attempt creating it (attempts 1, lease taken). */
export function newMessageRow(input: NewMessage, now: number, leaseMs: number) {
  return {
    id: newId('msg', now),
    workspace_id: input.workspaceId,
    contact_id: input.contactId,
    channel: input.channel,
    kind: input.kind,
    idempotency_key: input.idempotencyKey,
    journey_id: input.journeyId ?? null,
    journey_version: input.journeyVersion ?? null,
    run_id: input.runId ?? null,
    node_id: input.nodeId ?? null,
    template_id: input.templateId ?? null,
    template_version: null,
    topic: input.topic || null,
    provider: null,
    status: 'queued' as const,
    reason: null,
    provider_message_id: null,
    header_message_id: null,
    to_address: input.to ?? null,
    subject: null,
    links: toJson([]),
    attempts: 1,
    lease_until: now + leaseMs,
    created_at: now,
    sent_at: null,
    updated_at: now,
    first_opened_at: null,
    first_clicked_at: null,
  };
}

/**
 * Records a delivery as queued, or finds the existing record of the same idempotency key. A new
 * record is created already claimed by this attempt (attempts 1, lease taken): one commit instead of
 * two on the hot path (SQLite with synchronous=FULL pays ~5 ms per commit here).
 */
export async function reserveMessage(db: Db, input: NewMessage, now: number, leaseMs = ATTEMPT_LEASE_MS): Promise<{ message: Message; created: boolean }> {
  const inserted = await db
    .insertInto('messages')
    .values(newMessageRow(input, now, leaseMs))
    .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { message: toMessage(inserted), created: true };
  const existing = await db.selectFrom('messages').selectAll().where('workspace_id', '=', input.workspaceId).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirstOrThrow();
  return { message: toMessage(existing), created: false };
}

/**
 * Claims an attempt: only one attempt of a delivery talks to the provider at a time. The claim
 * succeeds when the record is still queued and no other attempt holds an unexpired lease; the
 * outcome (recordOutcome) releases it. False when another attempt holds it.
 */
export async function claimAttempt(db: Db, message: Message, now: number, leaseMs = ATTEMPT_LEASE_MS): Promise<boolean> {
  const row = await db
    .updateTable('messages')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), lease_until: now + leaseMs, updated_at: now }))
    .where('id', '=', message.id)
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** What left, recorded with the outcome (recordContent's fields). */
export interface SentContent {
  provider: string;
  to: string;
  subject: string;
  links: string[];
  headerMessageId: string | null;
  templateVersion: number | null;
  /** Parts it left as (SMS segments); null for channels without parts. */
  segments?: number | null | undefined;
  /** What the provider charges for it, in millionths of the workspace currency; null when unknown. */
  costMicros?: number | null | undefined;
}

/**
 * Records what is about to leave (after rendering, before the provider call). Refused (false, nothing
 * written) when the message's contact has been erased meanwhile: the address and subject would be
 * personal data written back after the erasure (GDPR Art. 17, docs/privacy.md), and the caller must
 * not send either.
 */
export async function recordContent(db: Db, id: string, content: SentContent, now: number): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({
      provider: content.provider,
      to_address: content.to,
      subject: content.subject,
      links: toJson(content.links),
      header_message_id: content.headerMessageId,
      template_version: content.templateVersion,
      segments: content.segments ?? null,
      cost_micros: content.costMicros ?? null,
      updated_at: now,
    })
    .where('id', '=', id)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('contacts').select('contacts.id').whereRef('contacts.id', '=', 'messages.contact_id').where('contacts.erased_at', 'is not', null))))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The skip reason of a message whose content was refused by recordContent. */
export const ERASED_CONTACT = 'contact erased';

export async function recordOutcome(db: Db, id: string, outcome: { status: MessageStatus; reason?: string | null; providerMessageId?: string | null }, now: number): Promise<void> {
  await db
    .updateTable('messages')
    .set({
      status: outcome.status,
      reason: outcome.reason ?? null,
      lease_until: null,
      ...(outcome.providerMessageId !== undefined ? { provider_message_id: outcome.providerMessageId } : {}),
      ...(outcome.status === 'sent' ? { sent_at: now } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function findMessage(db: Db, id: string): Promise<Message | undefined> {
  const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toMessage(row) : undefined;
}

export async function listMessages(
  db: Db,
  workspaceId: string,
  filter: { contactId?: string | undefined; status?: MessageStatus | undefined; before?: string | undefined; limit: number },
): Promise<Message[]> {
  let q = db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.contactId) q = q.where('contact_id', '=', filter.contactId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.before) q = q.where('id', '<', filter.before);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toMessage);
}
