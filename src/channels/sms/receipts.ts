/**
 * @module Delivery receipts (Twilio's StatusCallback, SMPP deliver_sm receipts, WhatsApp's status
 * webhooks): what became of a message after the provider took it. `applyReceipt` / `applyReceipts`
 * find the message by the provider's id (index messages_provider_message; the channel, `sms` unless
 * the caller names another, and the workspace) and set `delivery_status`, `delivered_at` and
 * `error_code`. `status` (sent, …) is never touched: a receipt
 * says how far a sent message got, it does not un-send it.
 *
 * Order: receipts arrive late, twice and out of order, so each one is a single conditional UPDATE
 * that only moves forward:
 *   (none) → delivered → undelivered | failed
 *  - `sent` is progress the message row already holds: it changes nothing (a late `sent` after
 *    `delivered` is a no-op);
 *  - `delivered` is written only over nothing: it never replaces undelivered or failed;
 *  - `undelivered` and `failed` are final: they replace nothing-yet or `delivered` (a carrier's
 *    correction; `delivered_at` is cleared) and nothing replaces them, not even each other.
 *  - `read` (WhatsApp) says delivered too: it writes `delivered` over nothing, then `read_at` once
 *    (the first read) on a message that is delivered; never over undelivered or failed.
 * A repeated receipt changes nothing. `delivered_at` is the receipt's time when the provider gives
 * one (else the clock's), `error_code` the provider's code.
 *
 * `invalidNumber` (the code says the number can never receive SMS: invalid, landline, deactivated)
 * suppresses the message's number (`hard_bounce`, the permanent reason of the suppressions CHECK;
 * source = the provider, detail = the code), in the same transaction.
 *
 * A receipt for a message we do not know (another system's, or one sent before a database restore)
 * is ignored, logged, and answered `unknown`, so the callback can still say 200.
 */
import type { Logger } from 'pino';
import type { ServiceDeps } from '../../core/deps.js';
import type { Db } from '../../store/store.js';
import type { DeliveryReceiptStatus } from '../../messages/tables.js';
import { suppress } from '../../suppression/suppressions.js';
import { descriptorOf } from '../descriptors.js';
import type { SmsReceipt } from './provider.js';

export type ReceiptOutcome =
  /** The message's delivery status changed to `deliveryStatus`. */
  | { status: 'applied'; messageId: string; deliveryStatus: DeliveryReceiptStatus; suppressed: boolean }
  /** Known message, nothing to change (a `sent` receipt, a repeat, or a state it may not move to). */
  | { status: 'unchanged'; messageId: string; deliveryStatus: DeliveryReceiptStatus | null; suppressed: boolean }
  | { status: 'unknown' };

/** A receipt of any channel: the SMS receipt, or WhatsApp's `read`. */
export type Receipt = Omit<SmsReceipt, 'status'> & { status: SmsReceipt['status'] | 'read' };

export type ReceiptDeps = Pick<ServiceDeps, 'store' | 'clock'> & { log: Logger };

interface Target {
  id: string;
  provider: string | null;
  to_address: string | null;
}

const FINAL_FAILURES: readonly DeliveryReceiptStatus[] = ['undelivered', 'failed'];
/** Ids per lookup query: the IN list stays well under both backends' parameter limits. */
const LOOKUP_CHUNK = 500;

export async function applyReceipt(deps: ReceiptDeps, input: { workspaceId: string; provider: string; receipt: Receipt; channel?: string }): Promise<ReceiptOutcome> {
  return (await applyReceipts(deps, { workspaceId: input.workspaceId, provider: input.provider, receipts: [input.receipt], channel: input.channel }))[0]!;
}

/** applyReceipt for a burst (SMPP delivers them in batches): one lookup per 500 ids, one transaction, answers in order. */
export async function applyReceipts(deps: ReceiptDeps, input: { workspaceId: string; provider: string; receipts: readonly Receipt[]; channel?: string | undefined }): Promise<ReceiptOutcome[]> {
  const { workspaceId, provider, receipts } = input;
  const channel = input.channel ?? 'sms';
  if (receipts.length === 0) return [];
  const outcomes = await deps.store.transaction(async (trx) => {
    const targets = await findMessages(trx, workspaceId, channel, provider, receipts);
    const out: ReceiptOutcome[] = [];
    for (const receipt of receipts) {
      const target = targets.get(receipt.providerMessageId);
      out.push(target ? await applyOne(deps, trx, workspaceId, provider, target, receipt) : { status: 'unknown' });
    }
    return out;
  });
  outcomes.forEach((o, i) => {
    if (o.status === 'unknown')
      deps.log.info(
        { workspaceId, provider, providerMessageId: String(receipts[i]!.providerMessageId).slice(0, 200) },
        `${descriptorOf(channel)?.label ?? channel} receipt for an unknown message ignored`,
      );
  });
  return outcomes;
}

async function findMessages(trx: Db, workspaceId: string, channel: string, provider: string, receipts: readonly Receipt[]): Promise<Map<string, Target>> {
  const ids = [...new Set(receipts.map((r) => r.providerMessageId).filter((id) => typeof id === 'string' && id !== '' && !id.includes('\u0000')))];
  const byId = new Map<string, Target[]>();
  for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
    const rows = await trx
      .selectFrom('messages')
      .select(['id', 'provider', 'to_address', 'provider_message_id'])
      .where('provider_message_id', 'in', ids.slice(start, start + LOOKUP_CHUNK))
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', channel)
      .execute();
    for (const r of rows) byId.set(r.provider_message_id!, [...(byId.get(r.provider_message_id!) ?? []), r]);
  }
  // Two providers may hand out the same id: the one this receipt came from wins; if neither did, it is not ours to guess.
  const out = new Map<string, Target>();
  for (const [id, rows] of byId) {
    const target = rows.find((r) => r.provider === provider) ?? (rows.length === 1 ? rows[0] : undefined);
    if (target) out.set(id, target);
  }
  return out;
}

async function applyOne(deps: ReceiptDeps, trx: Db, workspaceId: string, provider: string, target: Target, receipt: Receipt): Promise<ReceiptOutcome> {
  const now = deps.clock.now();
  const errorCode =
    receipt.errorCode === undefined || receipt.errorCode === null
      ? null
      : String(receipt.errorCode)
          .replace(/\u0000/g, '')
          .slice(0, 100) || null;
  let suppressed = false;
  if (receipt.invalidNumber === true && receipt.status !== 'delivered' && target.to_address) {
    suppressed = await suppress(trx, { workspaceId, address: target.to_address, reason: 'hard_bounce', source: provider, detail: errorCode ?? 'invalid number', now });
  }
  const next = receipt.status;
  if (next === 'read') {
    const at = receiptTime(receipt.at, now);
    const delivered = await trx
      .updateTable('messages')
      .set({ delivery_status: 'delivered', delivered_at: at, updated_at: now })
      .where('id', '=', target.id)
      .where('delivery_status', 'is', null)
      .executeTakeFirst();
    const read = await trx
      .updateTable('messages')
      .set({ read_at: at, updated_at: now })
      .where('id', '=', target.id)
      .where('delivery_status', '=', 'delivered')
      .where('read_at', 'is', null)
      .executeTakeFirst();
    if (Number(delivered.numUpdatedRows) + Number(read.numUpdatedRows) > 0) return { status: 'applied', messageId: target.id, deliveryStatus: 'delivered', suppressed };
  }
  if (next === 'delivered' || next === 'undelivered' || next === 'failed') {
    const failure = FINAL_FAILURES.includes(next);
    const updated = await trx
      .updateTable('messages')
      .set({ delivery_status: next, delivered_at: failure ? null : receiptTime(receipt.at, now), error_code: errorCode, updated_at: now })
      .where('id', '=', target.id)
      .where((eb) => (failure ? eb.or([eb('delivery_status', 'is', null), eb('delivery_status', '=', 'delivered')]) : eb('delivery_status', 'is', null)))
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return { status: 'applied', messageId: target.id, deliveryStatus: next, suppressed };
  }
  const row = await trx.selectFrom('messages').select('delivery_status').where('id', '=', target.id).executeTakeFirstOrThrow();
  return { status: 'unchanged', messageId: target.id, deliveryStatus: row.delivery_status, suppressed };
}

/** The provider's time when it is a plausible epoch-ms instant, else now. */
function receiptTime(at: number | undefined, now: number): number {
  return typeof at === 'number' && Number.isSafeInteger(at) && at > 0 && at < 8.64e15 ? at : now;
}
