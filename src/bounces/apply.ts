/**
 * @module What a bounce, complaint or provider event does to a message, its address and its contact
 * (docs/standards.md §12). One function for both inputs (the SMTP listener and the provider webhook), run
 * inside the caller's transaction so the event, the message status, the suppression and the consent
 * change commit together or not at all.
 *
 *  - every kind records a contact event (`email.bounced`, `email.complained`, `email.delivered`,
 *    `email.opened`, `email.clicked`) and emits its signal, so journeys can exit or branch on it. The
 *    event's deterministic `message_id` makes a repeated report a no-op (`duplicate`);
 *  - hard bounce: message `bounced`, address suppressed (`hard_bounce`) now;
 *  - soft bounce: message `bounced`, the address's consecutive soft-bounce count goes up; at the
 *    limit (config `softBounceLimit`) the address is suppressed (`hard_bounce`, detail says why);
 *  - complaint (any ARF Feedback-Type but `not-spam`): address suppressed (`complaint`: no mail at
 *    all), whole-channel email consent withdrawn with source `complaint`, message reason noted;
 *  - delivered, opened, clicked: the consecutive soft-bounce count starts again at zero. An open the
 *    provider flags as a machine's (`machine: true`) is recorded with that property and emits no signal.
 */
import type { Clock } from '../core/clock.js';
import { toJson, type JsonObject } from '../core/json.js';
import type { Signals, StoredEvent } from '../events/signals.js';
import { setConsent } from '../consent/consent.js';
import { recordOutcome, type Message } from '../messages/records.js';
import { normalizeAddress, suppress } from '../suppression/suppressions.js';
import type { Db, Store } from '../store/store.js';
import type { BounceType } from './status.js';

export interface FeedbackDeps {
  store: Store;
  clock: Clock;
  signals: Signals;
  /** Consecutive soft bounces that suppress an address. */
  softBounceLimit: number;
}

export type Feedback =
  | { type: 'bounced'; bounceType: BounceType; status?: string | null | undefined; diagnostic?: string | null | undefined; recipient?: string | null | undefined }
  | { type: 'complained'; feedbackType?: string | undefined; recipient?: string | null | undefined }
  | { type: 'delivered' }
  | { type: 'opened'; machine?: boolean | undefined }
  | { type: 'clicked'; url?: string | undefined };

export interface FeedbackMeta {
  /** `smtp` (the bounce listener) or `webhook`. */
  source: string;
  /** When it happened (the provider's timestamp), epoch ms; defaults to now. */
  at?: number | undefined;
}

export type FeedbackOutcome = { outcome: 'applied'; suppressed: boolean } | { outcome: 'duplicate' | 'ignored' };

const minute = (ms: number) => Math.floor(ms / 60_000);

function dedupeKey(m: Message, fb: Feedback, at: number): string {
  switch (fb.type) {
    case 'bounced':
      return `bounce:${m.id}:${fb.bounceType}`;
    case 'complained':
      return `complaint:${m.id}`;
    case 'delivered':
      return `delivered:${m.id}`;
    case 'opened':
    case 'clicked':
      return `provider-${fb.type}:${m.id}:${minute(at)}`;
  }
}

function properties(m: Message, fb: Feedback, source: string): JsonObject {
  const p: JsonObject = { messageId: m.id, channel: 'email', kind: m.kind, source };
  if (m.templateId) p.templateId = m.templateId;
  if (m.journeyId) p.journeyId = m.journeyId;
  if (m.topic) p.topic = m.topic;
  for (const [k, v] of Object.entries(fb)) if (k !== 'type' && v !== undefined && v !== null) p[k] = v as string | boolean;
  return p;
}

async function recordEvent(signals: Signals, trx: Db, m: Message, fb: Feedback, meta: FeedbackMeta, now: number): Promise<boolean> {
  const at = meta.at ?? now;
  const name = `email.${fb.type}`;
  const props = properties(m, fb, meta.source);
  const row = await trx
    .insertInto('events')
    .values({
      workspace_id: m.workspaceId,
      contact_id: m.contactId,
      type: 'track',
      name,
      properties: toJson(props),
      context: toJson({}),
      message_id: dedupeKey(m, fb, at),
      timestamp: at,
      received_at: now,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  const event: StoredEvent = { id: Number(row.id), workspaceId: m.workspaceId, contactId: m.contactId, type: 'track', name, properties: props, timestamp: at, receivedAt: now };
  // A machine open (the ESP says so: Apple Mail Privacy Protection) is stored but emits no signal,
  // as the tracking pixel's (src/tracking/record.ts): it never fires goals or counts as engagement.
  if (!(fb.type === 'opened' && fb.machine)) await signals.emit(trx, [{ kind: 'event', event }], now);
  return true;
}

const describe = (status?: string | null, diagnostic?: string | null) => [status, diagnostic].filter(Boolean).join(' ').slice(0, 450);

async function countSoftBounce(trx: Db, m: Message, address: string, status: string | null, now: number): Promise<number> {
  const row = await trx
    .insertInto('email_soft_bounces')
    .values({ workspace_id: m.workspaceId, address, consecutive: 1, last_message_id: m.id, last_status: status, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'address']).doUpdateSet((eb) => ({
        consecutive: eb('email_soft_bounces.consecutive', '+', 1),
        last_message_id: m.id,
        last_status: status,
        updated_at: now,
      })),
    )
    .returning('consecutive')
    .executeTakeFirstOrThrow();
  return Number(row.consecutive);
}

async function resetSoftBounces(trx: Db, workspaceId: string, address: string): Promise<void> {
  await trx.deleteFrom('email_soft_bounces').where('workspace_id', '=', workspaceId).where('address', '=', address).execute();
}

export async function applyFeedback(deps: FeedbackDeps, trx: Db, m: Message, fb: Feedback, meta: FeedbackMeta): Promise<FeedbackOutcome> {
  if (fb.type === 'complained' && fb.feedbackType === 'not-spam') return { outcome: 'ignored' };
  const now = deps.clock.now();
  if (!(await recordEvent(deps.signals, trx, m, fb, meta, now))) return { outcome: 'duplicate' };
  const recipient = 'recipient' in fb ? fb.recipient : undefined;
  const rawAddress = m.to ?? recipient;
  if (!rawAddress) return { outcome: 'applied', suppressed: false };
  const address = normalizeAddress(rawAddress);
  const base = { workspaceId: m.workspaceId, address, source: meta.source, now };

  switch (fb.type) {
    case 'bounced': {
      const detail = describe(fb.status, fb.diagnostic);
      await recordOutcome(trx, m.id, { status: 'bounced', reason: `${fb.bounceType} bounce${detail ? `: ${detail}` : ''}` }, now);
      if (fb.bounceType === 'hard') {
        await resetSoftBounces(trx, m.workspaceId, address);
        await suppress(trx, { ...base, reason: 'hard_bounce', detail: detail || 'hard bounce' });
        return { outcome: 'applied', suppressed: true };
      }
      const n = await countSoftBounce(trx, m, address, fb.status ?? null, now);
      if (n < deps.softBounceLimit) return { outcome: 'applied', suppressed: false };
      await suppress(trx, { ...base, reason: 'hard_bounce', detail: `${n} consecutive soft bounces (last: ${detail || 'no status'})` });
      return { outcome: 'applied', suppressed: true };
    }
    case 'complained': {
      const type = fb.feedbackType ?? 'abuse';
      await suppress(trx, { ...base, reason: 'complaint', detail: `feedback-type ${type}` });
      await setConsent(deps, m.workspaceId, m.contactId, { channel: 'email', topic: '', status: 'unsubscribed', source: `complaint:${meta.source}` }, trx);
      // The message keeps its delivery status (it was delivered); complained_at and the reason
      // record the complaint. See docs/bounces.md.
      await trx
        .updateTable('messages')
        .set((eb) => ({ reason: `complained: ${type}`.slice(0, 200), complained_at: eb.fn.coalesce('complained_at', eb.val(now)), updated_at: now }))
        .where('id', '=', m.id)
        .execute();
      return { outcome: 'applied', suppressed: true };
    }
    case 'delivered':
    case 'opened':
    case 'clicked':
      await resetSoftBounces(trx, m.workspaceId, address);
      return { outcome: 'applied', suppressed: false };
  }
}
