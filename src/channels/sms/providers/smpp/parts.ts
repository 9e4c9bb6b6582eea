/**
 * @module How one SmsMessage becomes submit_sm PDUs: the addresses with their TON/NPI, the body in
 * its alphabet (data_coding 0: GSM 03.38, the SMSC default alphabet, one septet per octet as SMPP
 * carries it; data_coding 8: UCS-2 big-endian), and, when it is longer than one SMS, one PDU per part
 * with a concatenation UDH (esm_class 0x40; IE 00 03 ref total seq, an 8-bit reference per message).
 * The split itself is ../../encoding.ts's, so the parts here are the segments counted there.
 */
import smpp from 'smpp';
import type { SmsMessage } from '../../provider.js';
import { splitSms } from '../../encoding.js';

export const ESM_UDHI = 0x40;
export const DATA_CODING = { gsm7: 0, ucs2: 8 } as const;

export interface AddressOptions {
  sourceTon?: number | undefined;
  sourceNpi?: number | undefined;
  destTon: number;
  destNpi: number;
}

/** A message that can never be submitted as it is. */
export class UnsendableSms extends Error {
  constructor(
    message: string,
    readonly invalidNumber = false,
  ) {
    super(message);
  }
}

export function encodeText(text: string, encoding: 'gsm7' | 'ucs2'): Buffer {
  return encoding === 'ucs2' ? Buffer.from(text, 'utf16le').swap16() : smpp.gsmCoder.encode(text, 0);
}

/** The sender's TON/NPI: as configured, else 1/1 for `+E.164`, 5/0 for an alphanumeric id, 0/1 for other digits (short codes). */
function source(from: string, options: AddressOptions): { source_addr: string; source_addr_ton: number; source_addr_npi: number } {
  const international = /^\+[1-9]\d{1,14}$/.test(from);
  const alphanumeric = /^[A-Za-z0-9 ._&-]{1,11}$/.test(from) && /[A-Za-z]/.test(from);
  const digits = /^\d{1,20}$/.test(from);
  if (!international && !alphanumeric && !digits)
    throw new UnsendableSms(`sender ${JSON.stringify(from.slice(0, 40))} is not an E.164 number, a short code or an alphanumeric id of at most 11 characters`);
  const [ton, npi] = international ? [1, 1] : alphanumeric ? [5, 0] : [0, 1];
  return { source_addr: international ? from.slice(1) : from, source_addr_ton: options.sourceTon ?? ton, source_addr_npi: options.sourceNpi ?? npi };
}

export type SourceAddress = ReturnType<typeof source>;

/**
 * One submit_sm's fields per part, in order. `senders` caches the sender's address per `from` (a
 * workspace has a few senders; its regular expressions showed in the CPU profile of ./throughput.measure.ts).
 */
export function submitPdus(message: SmsMessage, options: AddressOptions, nextReference: () => number, senders?: Map<string, SourceAddress>): Array<Record<string, unknown>> {
  if (!/^\+?[1-9]\d{1,14}$/.test(message.to)) throw new UnsendableSms(`destination ${JSON.stringify(message.to.slice(0, 40))} is not an E.164 number`, true);
  if (message.encoding !== 'gsm7' && message.encoding !== 'ucs2') throw new UnsendableSms(`unknown encoding ${JSON.stringify(message.encoding)}`);
  let sender = senders?.get(message.from);
  if (!sender) {
    sender = source(message.from, options);
    if (senders && senders.size < 1_000) senders.set(message.from, sender);
  }
  // Literal objects, no spread: under the measure, spreading `common` into each PDU cost ~35 µs a message.
  const pdu = (esmClass: number, shortMessage: Buffer): Record<string, unknown> => ({
    source_addr: sender.source_addr,
    source_addr_ton: sender.source_addr_ton,
    source_addr_npi: sender.source_addr_npi,
    dest_addr_ton: options.destTon,
    dest_addr_npi: options.destNpi,
    destination_addr: message.to.startsWith('+') ? message.to.slice(1) : message.to,
    registered_delivery: 1,
    data_coding: DATA_CODING[message.encoding],
    esm_class: esmClass,
    short_message: shortMessage,
  });
  let texts: string[];
  try {
    // A UCS-2 text of at most 70 UTF-16 code units is one SMS as it is (../../encoding.ts counts the
    // same units); skipping splitSms's per-character walk here is measured in ./throughput.measure.ts.
    texts = message.encoding === 'ucs2' && message.body.length > 0 && message.body.length <= 70 ? [message.body] : splitSms(message.body, message.encoding);
  } catch (err) {
    // splitSms refuses a character the encoding cannot carry (gsm7 declared for a non-GSM text).
    if (err instanceof RangeError) throw new UnsendableSms(err.message);
    throw err;
  }
  if (texts.length <= 1) return [pdu(0, encodeText(texts[0] ?? '', message.encoding))];
  if (texts.length > 255) throw new UnsendableSms(`the body needs ${texts.length} parts; a concatenated SMS has at most 255`);
  const reference = nextReference() & 0xff;
  return texts.map((text, i) => pdu(ESM_UDHI, Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference, texts.length, i + 1]), encodeText(text, message.encoding)])));
}
