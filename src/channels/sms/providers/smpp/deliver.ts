/**
 * @module Reading a deliver_sm's fields. The `smpp` package has already decoded short_message (or the
 * message_payload TLV) by data_coding into `{ udh?, message }`: GSM 03.38 for 0, UCS-2 for 8,
 * Latin-1 for 3; other codings stay bytes, read here as Latin-1.
 */
import smpp from 'smpp';
import type { PDU } from 'smpp';

interface Decoded {
  message?: string | Buffer;
}

/**
 * The text of a deliver_sm. `ascii`: a delivery receipt's text is ASCII that the SMSC labels with its
 * default alphabet; the package decoded it as GSM 03.38 (where `_` is 0x11 and 0x5F is `§`), so it is
 * turned back into its octets and read as ASCII.
 */
export function decodedText(pdu: PDU, ascii: boolean): string {
  const messageOf = (value: unknown): string | Buffer | undefined => (Buffer.isBuffer(value) ? value : (value as Decoded | undefined)?.message);
  const short = messageOf(pdu.short_message);
  // message_payload carries the text instead when short_message is empty (SMPP 3.4 §5.3.2.32).
  const message = short !== undefined && short.length > 0 ? short : (messageOf(pdu.message_payload) ?? short);
  if (message === undefined) return '';
  if (Buffer.isBuffer(message)) return message.toString('latin1');
  if (ascii && (Number(pdu.data_coding ?? 0) & 0x0f) === 0) return smpp.gsmCoder.encode(message, 0).toString('latin1');
  return message;
}

/** An address as Qatra writes it: `+` and digits for an international number (TON 1), as given otherwise. */
export function addressOf(addr: unknown, ton: unknown): string {
  const value = typeof addr === 'string' ? addr : '';
  return Number(ton) === 1 && /^\d+$/.test(value) ? `+${value}` : value;
}
