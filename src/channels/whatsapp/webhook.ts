/**
 * @module What a WhatsApp webhook carries, once its signature is checked (./hooks.routes.ts):
 * `parseWebhook` reads Meta's shape defensively (`{ object: "whatsapp_business_account", entry: [{
 * changes: [{ field: "messages", value: { statuses: […], messages: […] } }] }] }`: anything missing
 * or of the wrong type is skipped, never a crash), `applyWebhook` acts on it:
 *
 *  - statuses (sent, delivered, read, failed) are receipts of the message with that wamid, through
 *    the one receipt path (../sms/receipts.ts, channel `whatsapp`): only forward, repeats change
 *    nothing; `read` sets `read_at` once;
 *  - each inbound message is recorded once (`whatsapp_inbound`, keyed by workspace and wamid: a
 *    redelivered webhook finds it and changes nothing), opens the sender's 24-hour window
 *    (./window.ts) and is classified with the SMS keywords (../sms/keywords.ts: STOP, «توقف»,
 *    «لغو», …): stop withdraws the `whatsapp` consent of every contact with the number (source
 *    `whatsapp_reply`, detail = the text), start re-subscribes (a mere "yes" only someone who had
 *    stopped), anything else records a `whatsapp.received` event so journeys can react. All of one
 *    inbound message in one transaction.
 */
import type { Logger } from 'pino';
import type { ServiceDeps } from '../../core/deps.js';
import { toJson, type JsonObject } from '../../core/json.js';
import type { StoredEvent } from '../../events/signals.js';
import type { Db } from '../../store/store.js';
import { effectiveConsent, setConsent } from '../../consent/consent.js';
import { classifyReply, isAffirmation } from '../sms/keywords.js';
import { applyReceipts, type Receipt } from '../sms/receipts.js';
import { WHATSAPP_CLOUD } from './provider-kinds.js';
import { openWindow } from './window.js';

export const WHATSAPP_REPLY_SOURCE = 'whatsapp_reply';
export const WHATSAPP_RECEIVED_EVENT = 'whatsapp.received';

export interface WebhookStatus {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** Epoch ms, when given. */
  at: number | undefined;
  errorCode: string | undefined;
}

export interface WebhookInbound {
  wamid: string;
  /** E.164. */
  from: string;
  text: string;
  at: number | undefined;
}

const MAX_ITEMS = 1000;
const MAX_TEXT = 10_000;
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, MAX_ITEMS) : []);
const str = (v: unknown, max = 500): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined);
/** A Unix time in seconds (as Meta sends it, a string) as epoch ms. */
const seconds = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^[0-9]{1,12}$/.test(v) ? Number(v) : typeof v === 'number' && Number.isSafeInteger(v) ? v : NaN;
  return n > 0 && n < 8.64e12 ? n * 1000 : undefined;
};
/** PostgreSQL takes no NUL in text and no lone surrogate. */
const clean = (s: string) => s.replace(/\u0000/g, '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** The text a customer wrote: a text body, a quick-reply button's text, an interactive reply's title. */
function textOf(m: Record<string, unknown>): string {
  const inter = obj(m.interactive);
  return str(obj(m.text)?.body, MAX_TEXT) ?? str(obj(m.button)?.text, MAX_TEXT) ?? str(obj(inter?.button_reply)?.title, MAX_TEXT) ?? str(obj(inter?.list_reply)?.title, MAX_TEXT) ?? '';
}

export function parseWebhook(body: unknown): { statuses: WebhookStatus[]; inbound: WebhookInbound[] } {
  const statuses: WebhookStatus[] = [];
  const inbound: WebhookInbound[] = [];
  for (const entry of arr(obj(body)?.entry)) {
    for (const change of arr(obj(entry)?.changes)) {
      const c = obj(change);
      if (!c || c.field !== 'messages') continue;
      const value = obj(c.value);
      for (const s of arr(value?.statuses)) {
        const o = obj(s);
        const wamid = str(o?.id);
        const status = str(o?.status);
        if (!o || !wamid || !status || !STATUSES.has(status)) continue;
        const code = obj(arr(o.errors)[0])?.code;
        statuses.push({
          wamid: clean(wamid),
          status: status as WebhookStatus['status'],
          at: seconds(o.timestamp),
          errorCode: typeof code === 'number' || typeof code === 'string' ? clean(String(code)).slice(0, 100) : undefined,
        });
      }
      for (const m of arr(value?.messages)) {
        const o = obj(m);
        const wamid = str(o?.id);
        const from = str(o?.from, 40);
        if (!o || !wamid || !from || !/^\+?[0-9]{6,20}$/.test(from)) continue;
        inbound.push({ wamid: clean(wamid), from: `+${from.replace(/^\+/, '')}`, text: clean(textOf(o)), at: seconds(o.timestamp) });
      }
    }
  }
  return { statuses, inbound };
}

export type WebhookDeps = ServiceDeps & { log: Logger };

export interface WebhookResult {
  statuses: number;
  inbound: { wamid: string; action: string; duplicate: boolean }[];
}

export async function applyWebhook(deps: WebhookDeps, input: { workspaceId: string; providerId: string; body: unknown }): Promise<WebhookResult> {
  const { workspaceId, providerId } = input;
  const { statuses, inbound } = parseWebhook(input.body);
  const receipts: Receipt[] = statuses.map((s) => ({ providerMessageId: s.wamid, status: s.status, at: s.at, errorCode: s.errorCode }));
  if (receipts.length > 0) await applyReceipts(deps, { workspaceId, provider: WHATSAPP_CLOUD, channel: 'whatsapp', receipts });
  const out: WebhookResult['inbound'] = [];
  for (const m of inbound) out.push({ wamid: m.wamid, ...(await handleInbound(deps, workspaceId, providerId, m)) });
  return { statuses: statuses.length, inbound: out };
}

async function handleInbound(deps: WebhookDeps, workspaceId: string, providerId: string, m: WebhookInbound): Promise<{ action: string; duplicate: boolean }> {
  return deps.store.transaction(async (trx) => {
    const now = deps.clock.now();
    const at = Math.min(m.at ?? now, now);
    const contacts = await trx
      .selectFrom('contacts')
      .select(['id'])
      .where('workspace_id', '=', workspaceId)
      .where('phone', '=', m.from)
      .where('erased_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(100)
      .execute();
    const kind = contacts.length === 0 ? null : classifyReply(m.text);
    let action = contacts.length === 0 ? 'unknown_sender' : (kind ?? 'reply');
    if (action === 'help') action = 'reply';
    let targets = contacts;
    if (kind === 'start' && isAffirmation(m.text)) {
      const stopped = await Promise.all(contacts.map(async (c) => (await effectiveConsent(trx, c.id, 'whatsapp')) === 'unsubscribed'));
      targets = contacts.filter((_, i) => stopped[i]);
      if (targets.length === 0) action = 'reply';
    }
    const inserted = await trx
      .insertInto('whatsapp_inbound')
      .values({ workspace_id: workspaceId, wamid: m.wamid, provider_id: providerId, from_number: m.from, contact_id: contacts[0]?.id ?? null, body: m.text, action, created_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'wamid']).doNothing())
      .returning('wamid')
      .executeTakeFirst();
    if (!inserted) return { action, duplicate: true };
    // Any message from the number opens its window, a STOP too (WhatsApp counts it).
    await openWindow(trx, workspaceId, m.from, at);
    const detail = m.text.slice(0, 2000);
    if (action === 'stop' || action === 'start') {
      const status = action === 'stop' ? 'unsubscribed' : 'subscribed';
      for (const c of targets) await setConsent(deps, workspaceId, c.id, { channel: 'whatsapp', topic: '', status, source: WHATSAPP_REPLY_SOURCE, detail }, trx);
    } else if (action === 'reply') {
      for (const c of contacts) await recordReceived(deps, trx, { workspaceId, contactId: c.id, wamid: m.wamid, text: m.text, now });
    } else {
      deps.log.info({ workspaceId, providerId }, 'inbound WhatsApp message from a number no contact has');
    }
    return { action, duplicate: false };
  });
}

async function recordReceived(deps: ServiceDeps, trx: Db, r: { workspaceId: string; contactId: string; wamid: string; text: string; now: number }): Promise<void> {
  const properties: JsonObject = { text: r.text, wamid: r.wamid };
  const row = await trx
    .insertInto('events')
    .values({
      workspace_id: r.workspaceId,
      contact_id: r.contactId,
      type: 'track',
      name: WHATSAPP_RECEIVED_EVENT,
      properties: toJson(properties),
      context: toJson({}),
      message_id: `whatsapp-inbound:${r.wamid}:${r.contactId}`.slice(0, 500),
      timestamp: r.now,
      received_at: r.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const event: StoredEvent = { id: Number(row.id), workspaceId: r.workspaceId, contactId: r.contactId, type: 'track', name: WHATSAPP_RECEIVED_EVENT, properties, timestamp: r.now, receivedAt: r.now };
  await deps.signals.emit(trx, [{ kind: 'event', event }], r.now);
}
