/**
 * @module Unsubscribing and the preference center (docs/standards.md §9, §11, §14, §18). A signed token names
 * the message a link came from, and so the contact and the message's topic. Every change goes
 * through the consent service (a consent_history row with source, IP and user agent, and the current
 * state, in one transaction); the email channel's send-time check reads that committed state, so an
 * unsubscribe is honoured for the very next send.
 *
 * Scope: `topic` withdraws email consent for the message's topic only; `all` withdraws email
 * consent for the whole channel (topic ''), which stops every marketing email. Transactional mail
 * is not affected (it is not marketing).
 */
import type { ServiceDeps } from '../core/deps.js';
import type { Store } from '../store/store.js';
import { effectiveConsent, setConsent } from '../consent/consent.js';
import { resolveToken } from '../tracking/record.js';
import type { TokenPurpose } from '../tracking/tokens.js';
import { storedEmailSettings } from '../channels/email/settings.js';
import type { Message } from '../messages/records.js';

export interface UnsubscribeTarget {
  message: Message;
  workspaceName: string;
  email: string | null;
  /** The contact's locale: the pages speak it when Qatra has them in it (./strings.ts). */
  locale?: string | null;
}

export async function resolveUnsubscribe(store: Store, token: string, purpose: TokenPurpose, secrets?: Map<string, string>): Promise<UnsubscribeTarget | null> {
  const message = await resolveToken(store, token, purpose, secrets);
  if (!message) return null;
  const row = await store.db
    .selectFrom('contacts')
    .innerJoin('workspaces', 'workspaces.id', 'contacts.workspace_id')
    .select(['contacts.email', 'contacts.locale', 'workspaces.name'])
    .where('contacts.id', '=', message.contactId)
    .executeTakeFirst();
  if (!row) return null;
  return { message, workspaceName: row.name, email: row.email, locale: row.locale };
}

export interface Proof {
  source: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** Withdraws email consent for the message's topic (`topic`) or the whole channel (`all`). */
export async function unsubscribe(deps: ServiceDeps, target: UnsubscribeTarget, scope: 'topic' | 'all', proof: Proof, answer?: string): Promise<{ topic: string }> {
  const topic = scope === 'topic' && target.message.topic ? target.message.topic : '';
  const { message } = target;
  await deps.store.transaction(async (trx) => {
    await setConsent(
      deps,
      message.workspaceId,
      message.contactId,
      { channel: 'email', topic, status: 'unsubscribed', source: proof.source, ip: proof.ip ?? null, userAgent: proof.userAgent ?? null },
      trx,
    );
    if (answer !== undefined || proof.source !== 'one-click') {
      await trx
        .insertInto('unsubscribe_feedback')
        .values({
          workspace_id: message.workspaceId,
          contact_id: message.contactId,
          message_id: message.id,
          scope: topic ? 'topic' : 'all',
          topic,
          answer: answer?.trim().slice(0, 2000) || null,
          created_at: deps.clock.now(),
        })
        .execute();
    }
  });
  return { topic };
}

export interface TopicChoice {
  id: string;
  name: string;
  description?: string | undefined;
  subscribed: boolean;
}

/** The workspace's topics (email settings) plus any the contact has a consent record for, with the contact's state. */
export async function preferences(store: Store, target: UnsubscribeTarget): Promise<{ all: boolean; topics: TopicChoice[] }> {
  const { message } = target;
  const settings = await storedEmailSettings(store.db, message.workspaceId);
  const known = new Map<string, { id: string; name: string; description?: string | undefined }>();
  for (const t of settings?.topics ?? []) known.set(t.id, t);
  const recorded = await store.db.selectFrom('consents').select('topic').where('contact_id', '=', message.contactId).where('channel', '=', 'email').where('topic', '!=', '').execute();
  for (const r of recorded) if (!known.has(r.topic)) known.set(r.topic, { id: r.topic, name: r.topic });
  if (message.topic && !known.has(message.topic)) known.set(message.topic, { id: message.topic, name: message.topic });
  const whole = await effectiveConsent(store.db, message.contactId, 'email', '');
  const topics: TopicChoice[] = [];
  for (const t of known.values()) {
    const own = await store.db.selectFrom('consents').select('status').where('contact_id', '=', message.contactId).where('channel', '=', 'email').where('topic', '=', t.id).executeTakeFirst();
    topics.push({ ...t, subscribed: own?.status !== 'unsubscribed' });
  }
  return { all: whole !== 'unsubscribed', topics };
}

/**
 * Applies the preference form: `all` false withdraws the whole channel; otherwise the channel is
 * (re-)subscribed and each listed topic set as chosen. Only changed states are written.
 */
export async function savePreferences(deps: ServiceDeps, target: UnsubscribeTarget, chosen: { all: boolean; topics: Set<string> }, proof: Proof): Promise<void> {
  const current = await preferences(deps.store, target);
  const { workspaceId, contactId } = target.message;
  const change = (topic: string, status: 'subscribed' | 'unsubscribed') => ({ channel: 'email', topic, status, source: proof.source, ip: proof.ip ?? null, userAgent: proof.userAgent ?? null });
  await deps.store.transaction(async (trx) => {
    if (current.all !== chosen.all) await setConsent(deps, workspaceId, contactId, change('', chosen.all ? 'subscribed' : 'unsubscribed'), trx);
    if (!chosen.all) return;
    for (const t of current.topics) {
      const want = chosen.topics.has(t.id);
      if (want !== t.subscribed) await setConsent(deps, workspaceId, contactId, change(t.id, want ? 'subscribed' : 'unsubscribed'), trx);
    }
  });
}
