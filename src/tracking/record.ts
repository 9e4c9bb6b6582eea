/**
 * @module What a click or an open does: check the signed token against the stored message, then
 * record `email.clicked` / `email.opened` as a contact event and emit the `event` signal in the same
 * transaction, so journeys can branch on it and goals fire. Repeats within the same minute are one
 * event (deterministic `message_id`, docs/standards.md §2); counters on the message row follow.
 * Machine opens (./machine.ts) are stored but emit no signal, so they never fire goals.
 */
import type { StoredEvent } from '../events/signals.js';
import type { ServiceDeps } from '../core/deps.js';
import { toJson, type JsonObject } from '../core/json.js';
import type { Store } from '../store/store.js';
import { findMessage, type Message } from '../messages/records.js';
import { parseToken, tokenValid, workspaceSecret, type TokenPurpose } from './tokens.js';
import { isMachineOpen } from './machine.js';
import { resolveShortToken, shortTokenValid } from '../channels/sms/short-links.js';

/** The message a token names, or null when it is malformed, unknown or tampered with. */
export async function resolveToken(store: Store, token: string, purpose: TokenPurpose, secrets?: Map<string, string>): Promise<(Message & { linkIndex?: number }) | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  if ((purpose === 'click') !== (parsed.linkIndex !== undefined)) return null;
  const message = await findMessage(store.db, parsed.messageId);
  if (!message) return null;
  const secret = await workspaceSecret(store, message.workspaceId, secrets);
  if (!tokenValid(secret, purpose, parsed)) return null;
  return parsed.linkIndex === undefined ? message : { ...message, linkIndex: parsed.linkIndex };
}

/** The message and link index of an SMS short link, when its signature holds under the workspace's secret. */
export async function resolveShortLink(store: Store, token: string, secrets?: Map<string, string>): Promise<{ message: Message; linkIndex: number } | null> {
  const found = /^[0-9A-Za-z]{11}$/.test(token) ? await resolveShortToken(store.db, token) : null;
  if (!found) return null;
  const message = await findMessage(store.db, found.messageId);
  if (!message || message.workspaceId !== found.workspaceId) return null;
  if (!shortTokenValid(await workspaceSecret(store, message.workspaceId, secrets), token)) return null;
  return { message, linkIndex: found.linkIndex };
}

export interface Hit {
  userAgent?: string | undefined;
  ip?: string | undefined;
  now: number;
}

function baseProperties(m: Message): JsonObject {
  const p: JsonObject = { messageId: m.id, channel: 'email', kind: m.kind };
  if (m.templateId) p.templateId = m.templateId;
  if (m.journeyId) p.journeyId = m.journeyId;
  if (m.runId) p.runId = m.runId;
  if (m.nodeId) p.nodeId = m.nodeId;
  if (m.topic) p.topic = m.topic;
  return p;
}

/** The store to record in and where the event's signal goes. */
export type HitDeps = Pick<ServiceDeps, 'store' | 'signals'>;

async function recordEvent(deps: HitDeps, m: Message, name: string, dedupe: string, properties: JsonObject, hit: Hit, signal: boolean, counter: 'click' | 'open'): Promise<boolean> {
  return deps.store.transaction(async (trx) => {
    const context: JsonObject = {};
    if (hit.userAgent) context.userAgent = hit.userAgent;
    if (hit.ip) context.ip = hit.ip;
    const row = await trx
      .insertInto('events')
      .values({
        workspace_id: m.workspaceId,
        contact_id: m.contactId,
        type: 'track',
        name,
        properties: toJson(properties),
        context: toJson(context),
        message_id: dedupe,
        timestamp: hit.now,
        received_at: hit.now,
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    if (counter === 'click') {
      await trx
        .updateTable('messages')
        .set((eb) => ({ click_count: eb('click_count', '+', 1), first_clicked_at: eb.fn.coalesce('first_clicked_at', eb.val(hit.now)) }))
        .where('id', '=', m.id)
        .execute();
    } else {
      await trx
        .updateTable('messages')
        .set((eb) => ({ open_count: eb('open_count', '+', 1), ...(signal ? { first_opened_at: eb.fn.coalesce('first_opened_at', eb.val(hit.now)) } : {}) }))
        .where('id', '=', m.id)
        .execute();
    }
    if (signal) {
      const event: StoredEvent = { id: Number(row.id), workspaceId: m.workspaceId, contactId: m.contactId, type: 'track', name, properties, timestamp: hit.now, receivedAt: hit.now };
      await deps.signals.emit(trx, [{ kind: 'event', event }], hit.now);
    }
    return true;
  });
}

const minute = (ms: number) => Math.floor(ms / 60_000);

/** Records a click on link `index` of `m` (`email.clicked`, `sms.clicked`); returns the target URL (null when the index is unknown). */
export async function recordClick(deps: HitDeps, m: Message, index: number, hit: Hit): Promise<string | null> {
  const url = m.links[index];
  if (url === undefined) return null;
  await recordEvent(deps, m, `${m.channel}.clicked`, `click:${m.id}:${index}:${minute(hit.now)}`, { ...baseProperties(m), url, linkIndex: index }, hit, true, 'click');
  return url;
}

export async function recordOpen(deps: HitDeps, m: Message, hit: Hit): Promise<{ machine: boolean }> {
  const machine = isMachineOpen(hit.userAgent, m.sentAt, hit.now);
  await recordEvent(deps, m, 'email.opened', `open:${m.id}:${machine ? 'm' : 'h'}:${minute(hit.now)}`, { ...baseProperties(m), machine }, hit, !machine, 'open');
  return { machine };
}
