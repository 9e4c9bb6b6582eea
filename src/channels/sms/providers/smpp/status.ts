/**
 * @module What an SMSC's command_status means for a send. Throttling and a full queue are the
 * SMSC asking us to slow down (retryable, with a back-off); a bad destination can never succeed
 * (permanent, and the number is suppressed); a bad source or message is our configuration or
 * content (permanent). Codes we do not know, including vendor ones (0x400–0x4FF), are retryable:
 * the pipeline bounds attempts, and a lost message is worse than a few retries.
 */
import smpp from 'smpp';
import type { SmsSendResult } from '../../provider.js';

export const ESME_RSYSERR = 0x08;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RTHROTTLED = 0x58;
export const ESME_RX_T_APPN = 0x64;

const NAMES = new Map<number, string>(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

/** `ESME_RTHROTTLED (0x58)`, or the bare hex for a code the package does not name. */
export function statusName(status: number): string {
  return NAMES.get(status) ?? `0x${status.toString(16).padStart(2, '0')}`;
}

export function describeStatus(status: number): string {
  const name = NAMES.get(status);
  const hex = `0x${status.toString(16).padStart(2, '0')}`;
  return name ? `${name} (${hex})` : hex;
}

/** Destination errors: the number cannot receive SMS. */
const INVALID_DESTINATION = new Set([
  0x0b, // ESME_RINVDSTADR
  0x33, // ESME_RINVNUMDESTS
  0x50, // ESME_RINVDSTTON
  0x51, // ESME_RINVDSTNPI
]);

/** Our request is wrong and resending it cannot help. */
const PERMANENT = new Set([
  0x01, // ESME_RINVMSGLEN
  0x0a, // ESME_RINVSRCADR
  0x43, // ESME_RINVESMCLASS
  0x48, // ESME_RINVSRCTON
  0x49, // ESME_RINVSRCNPI
  0x61, // ESME_RINVSCHED
  0x62, // ESME_RINVEXPIRY
  0x65, // ESME_RX_P_APPN (the SMSC's application refuses it permanently)
  0x66, // ESME_RX_R_APPN (rejected)
  0x0101, // ESME_RPROHIBITED
  0x0104, // ESME_RINVDCS
]);

/** The answer for a submit_sm_resp whose command_status is not 0. */
export function resultOfStatus(status: number, throttleBackoffMs: number): SmsSendResult {
  const code = statusName(status);
  const reason = `SMSC refused submit_sm: ${describeStatus(status)}`;
  if (status === ESME_RTHROTTLED || status === ESME_RMSGQFUL) return { status: 'retryable', reason, code, retryAfterMs: throttleBackoffMs };
  if (INVALID_DESTINATION.has(status)) return { status: 'permanent', reason, code, invalidNumber: true };
  if (PERMANENT.has(status)) return { status: 'permanent', reason, code };
  return { status: 'retryable', reason, code };
}
