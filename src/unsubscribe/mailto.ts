/**
 * @module The mailto half of List-Unsubscribe (RFC 2369): a mail to `unsubscribe+TOKEN@domain`
 * unsubscribes like one-click (source `mailto`). Whatever receives mail for that address (the bounce
 * listener in src/bounces, or any other receiver) calls `unsubscribeByMail` with the envelope
 * recipient. The token is signed; a forged or unknown one changes nothing.
 */
import type { ServiceDeps } from '../core/deps.js';
import { resolveUnsubscribe, unsubscribe } from './unsubscribe.js';

/** True for our `unsubscribe+TOKEN@…` addresses (so a receiver can route them here). */
export function isUnsubscribeAddress(recipient: string): boolean {
  return /^unsubscribe\+[^@]+@/i.test(recipient.trim());
}

/** Unsubscribes the contact the address's token names; null when the address or token is not ours. */
export async function unsubscribeByMail(deps: ServiceDeps, recipient: string, from?: string): Promise<{ messageId: string; topic: string } | null> {
  const m = /^unsubscribe\+([^@]+)@/i.exec(recipient.trim());
  if (!m) return null;
  const target = await resolveUnsubscribe(deps.store, m[1]!, 'unsubscribe');
  if (!target) return null;
  const { topic } = await unsubscribe(deps, target, 'topic', { source: 'mailto', ...(from ? { userAgent: `mail from ${from.slice(0, 200)}` } : {}) });
  return { messageId: target.message.id, topic };
}
