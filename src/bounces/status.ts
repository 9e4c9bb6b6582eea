/**
 * @module What a delivery status means for the address (docs/standards.md §12).
 *
 * RFC 3463 enhanced status codes are `class.subject.detail`: class 2 success, 4 persistent transient
 * failure, 5 permanent failure. Subject 1 is the address (5.1.1 bad mailbox, 5.1.2 bad domain, …),
 * 5.2.1 is "mailbox disabled": those are HARD, the address will never work, suppress it now.
 * 4.x.x, and "mailbox full" (5.2.2 / 4.2.2) even when reported as permanent, are SOFT: count them
 * and suppress after N in a row. Any other 5.x.x (policy 5.7.x, message too big 5.3.4, network 5.4.x)
 * failed this message but says nothing certain about the address: we count it as soft too, so a
 * receiver that keeps refusing us ends up suppressed without one spam-filter rejection deciding it.
 *
 * The DSN `Action` (RFC 3464 2.3.3) decides whether there is a failure at all: only `failed` is one;
 * `delayed` is a warning while the MTA keeps retrying, `delivered`/`relayed`/`expanded` are success.
 */

export type BounceType = 'hard' | 'soft';

/** The `x.y.z` code inside a Status field or a diagnostic text, or null. */
export function statusCode(text: string | undefined): string | null {
  if (!text) return null;
  const m = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(text);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null;
}

/** Hard or soft for a failure with this status code (null: not a failure). */
export function bounceTypeOf(code: string | null): BounceType | null {
  if (!code) return 'soft';
  const [klass, subject, detail] = code.split('.').map(Number) as [number, number, number];
  if (klass === 2) return null;
  if (subject === 2 && detail === 2) return 'soft'; // mailbox full, whatever the class
  if (klass === 5 && (subject === 1 || (subject === 2 && detail === 1))) return 'hard';
  return 'soft';
}

/** The bounce type of one DSN recipient, or null when the Action is not a failure. */
export function classifyRecipient(action: string | undefined, status: string | undefined, diagnostic?: string): BounceType | null {
  const a = (action ?? 'failed').trim().toLowerCase();
  if (a !== 'failed') return null;
  return bounceTypeOf(statusCode(status) ?? statusCode(diagnostic));
}
