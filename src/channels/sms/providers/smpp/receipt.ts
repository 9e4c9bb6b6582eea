/**
 * @module Delivery receipts (deliver_sm with esm_class bit 0x04). SMPP 3.4 Appendix B gives the
 * de-facto text `id:… sub:… dlvrd:… submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:… text:…`;
 * SMPP 3.4 also has the receipted_message_id and message_state TLVs, which win when present (they
 * are not free text). stat / message_state: DELIVRD → delivered, UNDELIV → undelivered,
 * REJECTD / EXPIRED / DELETED / UNKNOWN → failed, ACCEPTD / ENROUTE → sent (not final).
 * Dates carry no zone in the format; they are read as UTC.
 */
import type { SmsReceipt } from '../../provider.js';

export interface ReceiptFields {
  id?: string;
  stat?: string;
  err?: string;
  doneDate?: string;
}

const FIELD = /(?:^|\s)(id|sub|dlvrd|submit date|done date|stat|err):(\S*)/gi;

export function parseReceiptText(text: string): ReceiptFields {
  // `text:` is the start of the original message, free text that may contain anything.
  const head = text.split(/\stext:/i)[0] ?? '';
  const fields: ReceiptFields = {};
  for (const [, key, value] of head.matchAll(FIELD)) {
    const name = key!.toLowerCase();
    if (name === 'id') fields.id = value!;
    else if (name === 'stat') fields.stat = value!.toUpperCase();
    else if (name === 'err') fields.err = value!;
    else if (name === 'done date') fields.doneDate = value!;
  }
  return fields;
}

const STAT: Record<string, SmsReceipt['status']> = {
  DELIVRD: 'delivered',
  UNDELIV: 'undelivered',
  REJECTD: 'failed',
  EXPIRED: 'failed',
  DELETED: 'failed',
  UNKNOWN: 'failed',
  ACCEPTD: 'sent',
  ENROUTE: 'sent',
};

/** message_state TLV values (SMPP 3.4 §5.2.28). */
const MESSAGE_STATE: Record<number, SmsReceipt['status']> = {
  1: 'sent', // ENROUTE
  2: 'delivered',
  3: 'failed', // EXPIRED
  4: 'failed', // DELETED
  5: 'undelivered',
  6: 'sent', // ACCEPTED
  7: 'failed', // UNKNOWN
  8: 'failed', // REJECTED
};

/** `YYMMDDhhmm` or `YYMMDDhhmmss` as UTC epoch ms; undefined when it is not a real time. */
export function receiptDate(value: string | undefined): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value ?? '');
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [2000 + Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  const at = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(at);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return at;
}

/** The receipt a deliver_sm carries, or null when it names no message or no state we know. */
export function receiptOf(text: string, tlvs: { receiptedMessageId?: unknown; messageState?: unknown }): SmsReceipt | null {
  const fields = parseReceiptText(text);
  const id = typeof tlvs.receiptedMessageId === 'string' && tlvs.receiptedMessageId ? tlvs.receiptedMessageId : fields.id;
  const status = (typeof tlvs.messageState === 'number' ? MESSAGE_STATE[tlvs.messageState] : undefined) ?? (fields.stat ? STAT[fields.stat] : undefined);
  if (!id || !status) return null;
  const receipt: SmsReceipt = { providerMessageId: id, status };
  if (fields.err && !/^0+$/.test(fields.err)) receipt.errorCode = fields.err;
  const at = receiptDate(fields.doneDate);
  if (at !== undefined) receipt.at = at;
  return receipt;
}
