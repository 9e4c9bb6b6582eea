/**
 * @module Acting on mail that comes back to Qatra's own addresses:
 *  - `unsubscribe+TOKEN@…` (the mailto of List-Unsubscribe, RFC 2369): unsubscribes like one-click,
 *    source `mailto` (the token is signed; a bad one is ignored);
 *  - `bounces+<messageId>@…` (VERP return path): a DSN marks the message `bounced` and, for a hard
 *    status, suppresses the address (`hard_bounce`); an ARF abuse report suppresses it
 *    (`complaint`), which stops all further mail to it (STANDARDS.md 12).
 * The VERP id is not signed: message ids carry 80 random bits, so guessing one is not practical.
 */
import { simpleParser } from 'mailparser';
import type { ServiceDeps } from '../../../core/deps.js';
import { findMessage, recordOutcome } from '../../../messages/records.js';
import { suppress } from '../../../suppression/suppressions.js';
import { resolveUnsubscribe, unsubscribe } from '../../../unsubscribe/unsubscribe.js';
import { deliveryStatus, feedbackReport, verpMessageId } from './report.js';

export type InboundOutcome =
  | { kind: 'unsubscribed'; messageId: string; topic: string }
  | { kind: 'bounce'; messageId: string; hard: boolean; status: string }
  | { kind: 'complaint'; messageId: string; address: string }
  | { kind: 'ignored'; reason: string };

export async function processInbound(deps: ServiceDeps, rcptTo: string, raw: Buffer | string): Promise<InboundOutcome> {
  const local = rcptTo.slice(0, rcptTo.lastIndexOf('@')).toLowerCase();
  if (local.startsWith('unsubscribe+')) {
    const target = await resolveUnsubscribe(deps.store, local.slice('unsubscribe+'.length), 'unsubscribe');
    if (!target) return { kind: 'ignored', reason: 'unknown or tampered unsubscribe token' };
    const { topic } = await unsubscribe(deps, target, 'topic', { source: 'mailto' });
    return { kind: 'unsubscribed', messageId: target.message.id, topic };
  }
  const messageId = verpMessageId(rcptTo);
  if (!messageId) return { kind: 'ignored', reason: 'not a Qatra address' };
  const message = await findMessage(deps.store.db, messageId);
  if (!message) return { kind: 'ignored', reason: `unknown message ${messageId}` };
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const mail = await simpleParser(text);
  const now = deps.clock.now();

  const arf = feedbackReport(mail, text);
  if (arf) {
    const address = message.to ?? arf.recipient;
    if (arf.type !== 'abuse' && arf.type !== 'fraud' && arf.type !== 'virus') return { kind: 'ignored', reason: `feedback type ${arf.type}` };
    if (!address) return { kind: 'ignored', reason: 'complaint without a recipient' };
    await suppress(deps.store.db, { workspaceId: message.workspaceId, address, reason: 'complaint', source: 'arf', detail: `${arf.type} report on ${message.id}`, now });
    return { kind: 'complaint', messageId: message.id, address };
  }

  const statuses = deliveryStatus(mail, text);
  const failed = statuses?.find((s) => s.action === 'failed');
  if (!failed) return { kind: 'ignored', reason: statuses ? 'no failed recipient in the report' : 'not a delivery report' };
  const reason = `${failed.status}${failed.diagnostic ? ` ${failed.diagnostic}` : ''}`.slice(0, 500);
  await deps.store.transaction(async (trx) => {
    await recordOutcome(trx, message.id, { status: 'bounced', reason }, now);
    const address = message.to ?? failed.recipient;
    if (failed.hard) await suppress(trx, { workspaceId: message.workspaceId, address, reason: 'hard_bounce', source: 'dsn', detail: reason, now });
  });
  return { kind: 'bounce', messageId: message.id, hard: failed.hard, status: failed.status };
}
