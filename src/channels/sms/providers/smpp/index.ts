/**
 * @module The `smpp` SMS provider: SMPP 3.4 over one bind_transceiver link (./link.ts) to an SMSC.
 *
 * A send waits for the bind (up to `submitTimeoutMs`), then sends one submit_sm per part
 * (./parts.ts) inside the submit window (./window.ts; `sendBatch` pipelines a batch through it) and
 * answers from the submit_sm_resp: status 0 → sent with the first part's message id (receipts of
 * the other parts resolve to it: ./multipart.ts); any other status as ./status.ts says; throttling
 * also narrows the window for `throttleBackoffMs`. The parts of one message go one after the other,
 * so a refused part stops the rest.
 *
 * Delivery is at-least-once at the SMSC, and cannot be better in SMPP: a submit_sm carries no
 * idempotency key, so when the link drops (or the answer times out) after a submit_sm left and before
 * its submit_sm_resp came, the SMSC may have accepted it or not, and nothing in the protocol tells
 * which. Such a send answers `retryable`; the pipeline sends it again, and the recipient may get it
 * twice. The provider itself never resends: one call, at most one submit_sm per part; and the
 * pipeline's record keeps Qatra's side once (one message row, one provider id).
 *
 * What arrives on the link (deliver_sm): a delivery receipt (esm_class bit 0x04, ./receipt.ts) goes
 * to `events.onReceipt`; anything else is a mobile-originated message, reassembled when concatenated
 * (./inbound.ts), to `events.onInbound`. deliver_sm_resp is always sent, after the handler: status 0,
 * or ESME_RX_T_APPN (temporary application error) when the handler threw, so the SMSC delivers it
 * again rather than it being lost.
 */
import type smpp from 'smpp';
import type { SmsMessage, SmsProvider, SmsProviderEvents, SmsSendResult } from '../../provider.js';
import { concatenationOf, MoAssembler } from './inbound.js';
import { SmppLink, type SubmitOutcome } from './link.js';
import { MultipartReceipts } from './multipart.js';
import { resolveSmppOptions, type ResolvedSmppOptions, type SmppOptions } from './options.js';
import { submitPdus, UnsendableSms, type SourceAddress } from './parts.js';
import { receiptOf } from './receipt.js';
import { ESME_RMSGQFUL, ESME_RTHROTTLED, ESME_RX_T_APPN, resultOfStatus } from './status.js';
import { SubmitWindow } from './window.js';
import { decodedText, addressOf } from './deliver.js';

export type { SmppOptions } from './options.js';

export function createSmppProvider(options: SmppOptions, events: SmsProviderEvents): SmsProvider {
  const opts = resolveSmppOptions(options);
  const window = new SubmitWindow(opts.windowSize);
  const multipart = new MultipartReceipts();
  const assembler = new MoAssembler(opts.clock, opts.moPartsTtlMs);
  const link = new SmppLink(opts, (pdu) => onDeliver(pdu, opts, events, multipart, assembler));
  let reference = Math.floor(Math.random() * 256);
  const senders = new Map<string, SourceAddress>();
  link.start();

  /** One part: waits for the bind, then a window slot; a PDU that never left (link just dropped) waits for the next bind, within the same time. */
  async function submitPart(params: Record<string, unknown>): Promise<SmsSendResult> {
    const deadline = performance.now() + opts.submitTimeoutMs;
    for (;;) {
      // Synchronous when bound and a slot is free: each await is a turn of the microtask queue per PDU.
      if (!link.bound) {
        const notBound = await link.whenBound(Math.max(0, Math.ceil(deadline - performance.now())));
        if (notBound) return { status: 'retryable', reason: notBound.reason, code: notBound.code };
      }
      if (!window.tryAcquire()) await window.acquire();
      let outcome: SubmitOutcome;
      try {
        outcome = await link.submit(params);
      } finally {
        window.release();
      }
      if (outcome.kind === 'unsent' && link.open && performance.now() < deadline) continue;
      if (outcome.kind !== 'response') return { status: 'retryable', reason: outcome.reason };
      if (outcome.status === 0) return { status: 'sent', providerMessageId: outcome.messageId };
      if (outcome.status === ESME_RTHROTTLED || outcome.status === ESME_RMSGQFUL) window.slowDown(opts.throttleBackoffMs);
      return resultOfStatus(outcome.status, opts.throttleBackoffMs);
    }
  }

  async function send(message: SmsMessage): Promise<SmsSendResult> {
    let pdus: Array<Record<string, unknown>>;
    try {
      pdus = submitPdus(message, opts, () => (reference = (reference + 1) & 0xff), senders);
    } catch (err) {
      if (err instanceof UnsendableSms) return { status: 'permanent', reason: err.message, invalidNumber: err.invalidNumber || undefined };
      throw err;
    }
    const ids: string[] = [];
    for (const [i, params] of pdus.entries()) {
      const result = await submitPart(params);
      if (result.status !== 'sent') {
        if (i === 0) return result;
        const reason = `part ${i + 1} of ${pdus.length}: ${result.reason} (parts 1–${i} were accepted and may reach the phone)`;
        return { ...result, reason };
      }
      ids.push(result.providerMessageId);
    }
    multipart.track(ids);
    return { status: 'sent', providerMessageId: ids[0]! };
  }

  /**
   * `windowSize` lanes, each sending its next message as soon as its last is answered: the window stays
   * full and only that many sends are pending at once (not one promise per message of a large batch).
   */
  async function sendBatch(messages: readonly SmsMessage[]): Promise<SmsSendResult[]> {
    const results = new Array<SmsSendResult>(messages.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < messages.length) {
        const i = next++;
        results[i] = await send(messages[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.windowSize, messages.length) }, lane));
    return results;
  }

  return {
    kind: 'smpp',
    send,
    sendBatch,
    async close() {
      await link.close();
      window.close();
    },
  };
}

async function onDeliver(pdu: smpp.PDU, opts: ResolvedSmppOptions, events: SmsProviderEvents, multipart: MultipartReceipts, assembler: MoAssembler): Promise<number> {
  try {
    const esmClass = Number(pdu.esm_class ?? 0);
    if (esmClass & 0x04) {
      const receipt = receiptOf(decodedText(pdu, true), { receiptedMessageId: pdu.receipted_message_id, messageState: pdu.message_state });
      if (!receipt) {
        opts.log?.warn({ source: pdu.source_addr }, 'smpp: a delivery receipt without a message id or a known state; ignored');
        return 0;
      }
      const forward = multipart.resolve(receipt);
      if (forward) await events.onReceipt(forward);
      return 0;
    }
    const from = addressOf(pdu.source_addr, pdu.source_addr_ton);
    const to = addressOf(pdu.destination_addr, pdu.dest_addr_ton);
    const sm = pdu.short_message as { udh?: Buffer[] } | undefined;
    const whole = assembler.add(from, to, concatenationOf(sm?.udh), decodedText(pdu, false));
    if (!whole) return 0;
    await events.onInbound({ from, to, text: whole.text });
    whole.done();
    return 0;
  } catch (err) {
    opts.log?.warn({ err }, 'smpp: handling a deliver_sm failed; answered ESME_RX_T_APPN so the SMSC delivers it again');
    return ESME_RX_T_APPN;
  }
}
