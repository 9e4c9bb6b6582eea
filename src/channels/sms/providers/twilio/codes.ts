/**
 * @module What Twilio's error codes mean for Qatra. Two tables, both data: the codes the Messages API
 * answers a create with (HTTP 4xx, https://www.twilio.com/docs/api/errors), and the `ErrorCode` of a
 * StatusCallback (30xxx, delivery errors). Each says whether the number itself can never receive SMS
 * (`invalidNumber`: the pipeline suppresses the phone). Codes not listed fall back to the HTTP status.
 *
 * Decisions:
 *  - 21610 (the recipient replied STOP to this sender at the carrier) is permanent but not
 *    `invalidNumber`: the number works, the person opted out; its code lets the pipeline record an opt-out.
 *  - 20003 / HTTP 401 (credentials refused) is retryable: the fix is the operator's (a rotated token),
 *    and the messages should go out once it is made rather than fail for good. The reason says so.
 *  - 20429 / HTTP 429 and 5xx are retryable, honouring Retry-After.
 */

export interface CodeMeaning {
  reason: string;
  /** The number can never receive SMS (invalid, landline, not a mobile). */
  invalidNumber?: boolean;
  /** A temporary condition: try again later. */
  retryable?: boolean;
}

/** Codes of a failed Messages create (the JSON error body's `code`). */
export const SEND_ERROR_CODES: Readonly<Record<number, CodeMeaning>> = {
  20003: { reason: 'credentials refused (Twilio 20003): check the account SID and auth token', retryable: true },
  20429: { reason: 'too many requests (Twilio 20429)', retryable: true },
  21211: { reason: "invalid 'To' phone number (Twilio 21211)", invalidNumber: true },
  21217: { reason: 'the phone number does not appear to be valid (Twilio 21217)', invalidNumber: true },
  21401: { reason: 'invalid phone number (Twilio 21401)', invalidNumber: true },
  21407: { reason: 'this phone number type does not support SMS (Twilio 21407)', invalidNumber: true },
  21421: { reason: 'the phone number is invalid (Twilio 21421)', invalidNumber: true },
  21614: { reason: "'To' is not a valid mobile number (Twilio 21614)", invalidNumber: true },
  21408: { reason: 'permission to send SMS to this region is not enabled on the account (Twilio 21408)' },
  21602: { reason: 'message body is required (Twilio 21602)' },
  21603: { reason: "a 'From' number is required (Twilio 21603)" },
  21604: { reason: "a 'To' number is required (Twilio 21604)" },
  21606: { reason: "the 'From' number is not a valid, SMS-capable number of this account (Twilio 21606)" },
  21608: { reason: 'trial accounts can only send to verified numbers (Twilio 21608)' },
  21610: { reason: 'the recipient has unsubscribed from this sender by replying STOP (Twilio 21610)' },
  21612: { reason: "the 'To' number is not reachable from this 'From' number (Twilio 21612)" },
  21617: { reason: 'the message body exceeds 1600 characters (Twilio 21617)' },
  21635: { reason: "the 'To' number cannot be reached: it is a landline (Twilio 21635)", invalidNumber: true },
  21660: { reason: "the 'From' number does not belong to this account (Twilio 21660)" },
  21701: { reason: 'the Messaging Service does not exist (Twilio 21701)' },
};

/** `ErrorCode` of a StatusCallback (delivery errors). */
export const DELIVERY_ERROR_CODES: Readonly<Record<number, CodeMeaning>> = {
  30001: { reason: 'queue overflow (Twilio 30001)', retryable: true },
  30002: { reason: 'account suspended (Twilio 30002)' },
  30003: { reason: 'unreachable destination handset (Twilio 30003)', retryable: true },
  30004: { reason: 'message blocked by the recipient or carrier (Twilio 30004)' },
  30005: { reason: 'unknown destination handset (Twilio 30005)', invalidNumber: true },
  30006: { reason: 'landline or unreachable carrier (Twilio 30006)', invalidNumber: true },
  30007: { reason: 'filtered by the carrier (Twilio 30007)' },
  30008: { reason: 'unknown error (Twilio 30008)', retryable: true },
  30034: { reason: 'US A2P 10DLC: the sender is not registered (Twilio 30034)' },
};
