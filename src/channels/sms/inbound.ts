/**
 * @module Inbound SMS (mobile-originated: STOP, HELP, a reply): `handleInbound`, which the providers'
 * callbacks call (Twilio's inbound webhook, SMPP deliver_sm) with an `SmsInbound`.
 *
 * In ONE transaction: the `sms_inbound` row is written (unique on workspace, provider and the
 * provider's message id, so a provider retrying its webhook finds it and nothing is doubled), the
 * contacts with the sender's number are found, the text is classified (./keywords.ts) and acted on:
 *  - stop:  sms consent of the whole channel → unsubscribed (source `sms_reply`, detail = the raw
 *           text), which the send-time check reads, so the very next marketing SMS is skipped; the
 *           consent service records the `unsubscribed` event (source `sms_stop`) with it;
 *  - start: → subscribed, same ledger fields; a mere "yes" only re-subscribes someone who had
 *           unsubscribed, else it is a reply;
 *  - help:  nothing to change;
 *  - reply: a `sms.received` track event per contact (properties text, inboundId, provider, to), so
 *           journeys can wait for or branch on a reply;
 *  - unknown_sender: no contact has the number: recorded, nothing else, no answer.
 * Every contact with the number is acted on (the number's owner spoke); the first one (oldest) is
 * the row's `contact_id` and gets the answer.
 *
 * After the commit, stop, start and help get ONE answer through `deps.reply` with the key
 * `sms-inbound:<inboundId>:reply`. A redelivered message asks for that answer again under the same
 * key: the reply function (the SMS channel's transactional send) sends a key once, so a crash or a
 * failed answer between the commit and the send is made good by the provider's retry, and no
 * redelivery sends a second one. A failing `reply` throws after the commit: the callback answers
 * 5xx, the provider retries, the consent change is already kept.
 */
import type { Logger } from 'pino';
import type { ServiceDeps } from '../../core/deps.js';
import { toJson, type JsonObject } from '../../core/json.js';
import type { StoredEvent } from '../../events/signals.js';
import type { Db } from '../../store/store.js';
import { effectiveConsent, setConsent } from '../../consent/consent.js';
import type { SmsInbound } from './provider.js';
import { classifyReply, isAffirmation } from './keywords.js';
import { keywordReply, replyLanguage } from './inbound-replies.js';
import { inboundSettings } from './inbound-settings.js';

export type InboundAction = 'stop' | 'start' | 'help' | 'reply' | 'unknown_sender';

/** The ledger source of a consent changed by an SMS reply. */
export const SMS_REPLY_SOURCE = 'sms_reply';
/** The event recorded for an ordinary reply. */
export const SMS_RECEIVED_EVENT = 'sms.received';

/** The contact an answer goes to. */
export interface InboundContact {
  id: string;
  phone: string;
  locale: string | null;
}

export type InboundReply = (workspaceId: string, contact: InboundContact, text: string, idempotencyKey: string) => Promise<void>;

export interface InboundDeps extends ServiceDeps {
  log: Logger;
  reply: InboundReply;
}

export interface InboundResult {
  inboundId: number;
  action: InboundAction;
  contactId: string | null;
  /** True when this provider message was handled before (a webhook retry). */
  duplicate: boolean;
  /** Whether an answer was asked of `reply` (again, under the same key, for a duplicate). */
  replied: boolean;
}

/** Bounds on what a provider hands us: its texts are bounded already, a forged one is not. */
const MAX_BODY = 10_000;
const MAX_DETAIL = 2000;
const MAX_CONTACTS = 100;

/** The sender as E.164: its digits after a `+` (an international `00` prefix dropped); '' when it has none. */
export function inboundNumber(from: string): string {
  const digits = from.replace(/\D/g, '');
  if (digits === '') return '';
  return `+${/^\s*\+/.test(from) ? digits : digits.replace(/^00/, '')}`;
}

/** PostgreSQL takes no NUL in text and no lone surrogate in JSON: those go, the rest is stored as given. */
const clean = (s: string, max: number) =>
  s
    .replace(/\u0000/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .slice(0, max);

export const replyKey = (inboundId: number) => `sms-inbound:${inboundId}:reply`;

export async function handleInbound(deps: InboundDeps, input: { workspaceId: string; provider: string; inbound: SmsInbound }): Promise<InboundResult> {
  const { workspaceId, provider, inbound } = input;
  // The callbacks parse what providers post; still, a missing field is an empty one, never a crash.
  const rawFrom = typeof inbound.from === 'string' ? inbound.from : '';
  const from = inboundNumber(rawFrom);
  const body = clean(typeof inbound.text === 'string' ? inbound.text : '', MAX_BODY);
  const providerMessageId = typeof inbound.providerMessageId === 'string' && inbound.providerMessageId !== '' ? clean(inbound.providerMessageId, 500) : null;
  const settings = await inboundSettings(deps.store.db, workspaceId);

  const outcome = await deps.store.transaction(async (trx) => {
    const now = deps.clock.now();
    const contacts = from === '' ? [] : await contactsWithNumber(trx, workspaceId, from);
    const kind = contacts.length === 0 ? null : classifyReply(body, settings.keywords);
    let action: InboundAction = contacts.length === 0 ? 'unknown_sender' : (kind ?? 'reply');
    let toStart = contacts;
    if (kind === 'start' && isAffirmation(body)) {
      // "YES" re-subscribes only those who had said STOP.
      const unsubscribed = await Promise.all(contacts.map(async (c) => (await effectiveConsent(trx, c.id, 'sms')) === 'unsubscribed'));
      toStart = contacts.filter((_, i) => unsubscribed[i]);
      if (toStart.length === 0) action = 'reply';
    }
    const inserted = await trx
      .insertInto('sms_inbound')
      .values({
        workspace_id: workspaceId,
        contact_id: contacts[0]?.id ?? null,
        provider,
        provider_message_id: providerMessageId,
        from_number: from === '' ? clean(rawFrom, 100) : from,
        to_number: (typeof inbound.to === 'string' && clean(inbound.to, 100)) || null,
        body,
        action,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'provider', 'provider_message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const seen = await trx
        .selectFrom('sms_inbound')
        .select(['id', 'action', 'contact_id'])
        .where('workspace_id', '=', workspaceId)
        .where('provider', '=', provider)
        .where('provider_message_id', '=', providerMessageId)
        .executeTakeFirstOrThrow();
      const contact = seen.contact_id ? await contactById(trx, workspaceId, seen.contact_id) : null;
      return { inboundId: Number(seen.id), action: seen.action as InboundAction, contact, duplicate: true };
    }
    const inboundId = Number(inserted.id);
    const detail = body.slice(0, MAX_DETAIL);
    if (action === 'stop' || action === 'start') {
      const status = action === 'stop' ? 'unsubscribed' : 'subscribed';
      for (const c of action === 'stop' ? contacts : toStart) {
        await setConsent(deps, workspaceId, c.id, { channel: 'sms', topic: '', status, source: SMS_REPLY_SOURCE, detail }, trx);
      }
    } else if (action === 'reply') {
      for (const c of contacts) await recordReceived(deps, trx, { workspaceId, contactId: c.id, inboundId, provider, body, to: typeof inbound.to === 'string' ? inbound.to : undefined, now });
    }
    return { inboundId, action, contact: contacts[0] ?? null, duplicate: false };
  });

  const { inboundId, action, contact, duplicate } = outcome;
  if (action === 'unknown_sender') deps.log.info({ workspaceId, provider, inboundId }, 'inbound SMS from a number no contact has');
  if (!contact || !(action === 'stop' || action === 'start' || action === 'help')) {
    return { inboundId, action, contactId: contact?.id ?? null, duplicate, replied: false };
  }
  const language = replyLanguage(contact.locale, body);
  const workspace = await deps.store.db.selectFrom('workspaces').select('name').where('id', '=', workspaceId).executeTakeFirst();
  const text = (action === 'help' ? settings.helpText(language) : null) ?? keywordReply(action, language, workspace?.name ?? '');
  await deps.reply(workspaceId, contact, text, replyKey(inboundId));
  return { inboundId, action, contactId: contact.id, duplicate, replied: true };
}

async function contactsWithNumber(db: Db, workspaceId: string, phone: string): Promise<InboundContact[]> {
  const rows = await db
    .selectFrom('contacts')
    .select(['id', 'phone', 'locale'])
    .where('workspace_id', '=', workspaceId)
    .where('phone', '=', phone)
    .where('erased_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_CONTACTS)
    .execute();
  return rows.map((r) => ({ id: r.id, phone: r.phone ?? phone, locale: r.locale }));
}

async function contactById(db: Db, workspaceId: string, id: string): Promise<InboundContact | null> {
  const r = await db.selectFrom('contacts').select(['id', 'phone', 'locale']).where('workspace_id', '=', workspaceId).where('id', '=', id).where('erased_at', 'is', null).executeTakeFirst();
  return r && r.phone ? { id: r.id, phone: r.phone, locale: r.locale } : null;
}

/** The `sms.received` event of an ordinary reply, with its signal, inside `trx` (as src/consent/withdrawal.ts records `unsubscribed`). */
async function recordReceived(
  deps: ServiceDeps,
  trx: Db,
  r: { workspaceId: string; contactId: string; inboundId: number; provider: string; body: string; to: string | undefined; now: number },
): Promise<void> {
  const properties: JsonObject = { text: r.body, inboundId: r.inboundId, provider: r.provider };
  if (r.to) properties.to = clean(r.to, 100);
  const row = await trx
    .insertInto('events')
    .values({
      workspace_id: r.workspaceId,
      contact_id: r.contactId,
      type: 'track',
      name: SMS_RECEIVED_EVENT,
      properties: toJson(properties),
      context: toJson({}),
      message_id: `sms-inbound:${r.inboundId}:${r.contactId}`,
      timestamp: r.now,
      received_at: r.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const event: StoredEvent = { id: Number(row.id), workspaceId: r.workspaceId, contactId: r.contactId, type: 'track', name: SMS_RECEIVED_EVENT, properties, timestamp: r.now, receivedAt: r.now };
  await deps.signals.emit(trx, [{ kind: 'event', event }], r.now);
}
