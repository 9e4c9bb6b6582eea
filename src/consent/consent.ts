/**
 * @module Consent: may we message this contact on this channel (and topic)? Other domains call this
 * service; the email channel asks `isSubscribed` just before a message leaves (docs/standards.md §7).
 *
 * The ledger (docs/standards.md §17-18): every `setConsent` appends a consent_history row carrying the
 * proof (source, time, IP, user agent, text version) and updates the current state in `consents`,
 * in the same transaction, so the two never disagree. Re-stating the same status is recorded too:
 * it is a new act of consent (e.g. agreeing to a newer text version).
 *
 * A withdrawal (a record becoming `unsubscribed`; re-stating it is not a new one) also records the
 * `unsubscribed` contact event in the same transaction (./withdrawal.ts), so journeys' `exitWhen`,
 * segments and scoring react to it like to an ingested event.
 *
 * Topics: '' is the whole channel. Withdrawing the whole channel overrides every topic; otherwise a
 * topic's own record wins over the channel's.
 */
import type { Selectable } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import type { Db } from '../store/store.js';
import type { ConsentHistoryTable, ConsentStatus } from './tables.js';
import { inTransaction } from '../contacts/contacts.js';
import { parseOrThrow } from '../core/parse.js';
import { consentChange } from './schemas.js';
import { recordWithdrawal } from './withdrawal.js';
import type { z } from 'zod';

export interface ConsentRecord {
  channel: string;
  topic: string;
  status: ConsentStatus;
  source: string | null;
  updatedAt: number;
}

export interface ConsentHistoryEntry {
  id: number;
  channel: string;
  topic: string;
  status: ConsentStatus;
  source: string | null;
  ip: string | null;
  userAgent: string | null;
  textVersion: string | null;
  /** What the person wrote when a reply changed the consent (SMS STOP), raw. */
  detail: string | null;
  createdAt: number;
}

export type ConsentChange = z.input<typeof consentChange>;

function toEntry(row: Selectable<ConsentHistoryTable>): ConsentHistoryEntry {
  return {
    id: Number(row.id),
    channel: row.channel,
    topic: row.topic,
    status: row.status,
    source: row.source,
    ip: row.ip,
    userAgent: row.user_agent,
    textVersion: row.text_version,
    detail: row.detail,
    createdAt: row.created_at,
  };
}

async function assertContact(db: Db, workspaceId: string, contactId: string): Promise<void> {
  // An erased contact (src/privacy) takes no new consent: new consent belongs to a new contact.
  const row = await db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).where('erased_at', 'is', null).executeTakeFirst();
  if (!row) throw new NotFoundError('contact', contactId);
}

/** Records a consent act and makes it the current state, atomically (in `trx` when given). */
export async function setConsent(deps: ServiceDeps, workspaceId: string, contactId: string, change: ConsentChange, trx?: Db): Promise<ConsentRecord> {
  const c = parseOrThrow(consentChange, change);
  return inTransaction(deps, trx, async (db) => {
    await assertContact(db, workspaceId, contactId);
    const now = deps.clock.now();
    const source = c.source ?? null;
    const before = await db.selectFrom('consents').select('status').where('contact_id', '=', contactId).where('channel', '=', c.channel).where('topic', '=', c.topic).executeTakeFirst();
    const entry = await db
      .insertInto('consent_history')
      .values({
        workspace_id: workspaceId,
        contact_id: contactId,
        channel: c.channel,
        topic: c.topic,
        status: c.status,
        source,
        ip: c.ip ?? null,
        user_agent: c.userAgent ?? null,
        text_version: c.textVersion ?? null,
        detail: c.detail ?? null,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = await db
      .insertInto('consents')
      .values({ workspace_id: workspaceId, contact_id: contactId, channel: c.channel, topic: c.topic, status: c.status, source, updated_at: now })
      .onConflict((oc) => oc.columns(['contact_id', 'channel', 'topic']).doUpdateSet({ status: c.status, source, updated_at: now }))
      .returning(['channel', 'topic', 'status', 'source', 'updated_at'])
      .executeTakeFirstOrThrow();
    if (c.status === 'unsubscribed' && before?.status !== 'unsubscribed') {
      await recordWithdrawal(db, deps.signals, {
        workspaceId,
        contactId,
        channel: c.channel,
        topic: c.topic,
        ledgerSource: source,
        historyId: Number(entry.id),
        ip: c.ip,
        userAgent: c.userAgent,
        now,
      });
    }
    return { channel: row.channel, topic: row.topic, status: row.status, source: row.source, updatedAt: row.updated_at };
  });
}

/** The current consent records of a contact, by channel then topic. */
export async function getConsent(deps: ServiceDeps, workspaceId: string, contactId: string): Promise<ConsentRecord[]> {
  await assertContact(deps.store.db, workspaceId, contactId);
  const rows = await deps.store.db
    .selectFrom('consents')
    .select(['channel', 'topic', 'status', 'source', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .orderBy('channel')
    .orderBy('topic')
    .execute();
  return rows.map((r) => ({ channel: r.channel, topic: r.topic, status: r.status, source: r.source, updatedAt: r.updated_at }));
}

/** One page of a contact's consent ledger, oldest first (`limit + 1` rows to detect more). */
export async function consentHistory(
  deps: ServiceDeps,
  workspaceId: string,
  contactId: string,
  page: { limit: number; afterId?: number | undefined; channel?: string | undefined },
): Promise<ConsentHistoryEntry[]> {
  await assertContact(deps.store.db, workspaceId, contactId);
  let q = deps.store.db.selectFrom('consent_history').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  if (page.channel !== undefined) q = q.where('channel', '=', page.channel);
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return rows.map(toEntry);
}

/**
 * The status that applies to (channel, topic), or null when the contact never said anything about
 * it: a whole-channel unsubscribe wins, then the topic's own record, then the channel's.
 */
export async function effectiveConsent(db: Db, contactId: string, channel: string, topic = ''): Promise<ConsentStatus | null> {
  return (await effectiveConsents(db, channel, [{ contactId, topic }]))[0]!;
}

/** effectiveConsent for many (contact, topic) pairs on one channel, in order (one query per 500 contacts). */
export async function effectiveConsents(db: Db, channel: string, asks: readonly { contactId: string; topic?: string | undefined }[]): Promise<(ConsentStatus | null)[]> {
  const contacts = [...new Set(asks.map((a) => a.contactId))];
  const topics = [...new Set(['', ...asks.map((a) => a.topic ?? '')])];
  const status = new Map<string, ConsentStatus>();
  for (let start = 0; start < contacts.length; start += 500) {
    const rows = await db
      .selectFrom('consents')
      .select(['contact_id', 'topic', 'status'])
      .where('contact_id', 'in', contacts.slice(start, start + 500))
      .where('channel', '=', channel)
      .where('topic', 'in', topics)
      .execute();
    for (const r of rows) status.set(`${r.contact_id}\u0000${r.topic}`, r.status as ConsentStatus);
  }
  return asks.map(({ contactId, topic = '' }) => {
    const whole = status.get(`${contactId}\u0000`) ?? null;
    if (whole === 'unsubscribed') return whole;
    const own = topic === '' ? null : (status.get(`${contactId}\u0000${topic}`) ?? null);
    return own ?? whole;
  });
}

/**
 * True when the contact may be messaged on (channel, topic) now. `whenUnknown` decides for contacts
 * with no record (opt-out regimes pass true for marketing they may send without explicit opt-in).
 */
export async function isSubscribed(db: Db, contactId: string, channel: string, topic = '', whenUnknown = false): Promise<boolean> {
  const status = await effectiveConsent(db, contactId, channel, topic);
  return status === null ? whenUnknown : status === 'subscribed';
}
