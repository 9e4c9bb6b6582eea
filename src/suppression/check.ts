/**
 * @module The send-time suppression check (docs/standards.md §7): called just before a message leaves, it
 * reads the committed state, so an unsubscribe is honoured for the very next send.
 *
 *  - hard_bounce, complaint, manual suppressions: nothing is sent, not even transactional mail;
 *  - unsubscribe_all suppression (also the hashed one an erasure leaves, docs/standards.md §17), or the
 *    channel's consent (email, sms) `unsubscribed` for the whole channel (topic '') or for the
 *    message's topic: marketing is skipped, transactional messages still go.
 */
import type { Db } from '../store/store.js';
import { effectiveConsents } from '../consent/consent.js';
import { normalizeAddress, suppressionsOfMany, type Suppression } from './suppressions.js';

export interface SuppressionQuery {
  workspaceId: string;
  contactId: string;
  address: string;
  kind: 'marketing' | 'transactional';
  /** The message's topic ('' or undefined: none). */
  topic?: string | undefined;
  /** The consent channel asked for marketing (default `email`); null: no consent applies (a webhook). */
  channel?: string | null | undefined;
  /** Marketing needs the contact's explicit `subscribed` on the channel (SMS: prior express consent), not just no withdrawal. */
  requireConsent?: boolean | undefined;
}

/** Null when the message may go, else the reason it must be skipped. */
export async function suppressionReason(db: Db, q: SuppressionQuery): Promise<string | null> {
  return (await suppressionReasons(db, [q]))[0]!;
}

/**
 * suppressionReason for a batch of sends, in order: per workspace one read of the suppression list,
 * then one read of the consents of the contacts still in question. Same rules, same reasons.
 */
export async function suppressionReasons(db: Db, queries: readonly SuppressionQuery[]): Promise<(string | null)[]> {
  const found = new Map<string, Map<string, Suppression[]>>();
  for (const ws of new Set(queries.map((q) => q.workspaceId))) {
    found.set(
      ws,
      await suppressionsOfMany(
        db,
        ws,
        queries.filter((q) => q.workspaceId === ws).map((q) => q.address),
      ),
    );
  }
  const out = queries.map((q): string | null | undefined => {
    const list = found.get(q.workspaceId)!.get(normalizeAddress(q.address)) ?? [];
    const blocking = list.find((s) => s.reason !== 'unsubscribe_all');
    if (blocking) return `suppressed: ${blocking.reason}`;
    if (q.kind === 'transactional') return null;
    // An erasure's entry (src/privacy/erasure-suppression.ts) holds until new consent lifts it.
    if (list.length > 0) return list.some((s) => s.source === 'erasure') ? 'suppressed: erased (needs new consent)' : 'suppressed: unsubscribe_all';
    return undefined;
  });
  const open = queries.map((q, i) => ({ q, i })).filter(({ q, i }) => out[i] === undefined && q.channel !== null);
  for (const channel of new Set(open.map(({ q }) => q.channel ?? 'email'))) {
    const asks = open.filter(({ q }) => (q.channel ?? 'email') === channel);
    const statuses = await effectiveConsents(
      db,
      channel,
      asks.map(({ q }) => ({ contactId: q.contactId, topic: q.topic ?? '' })),
    );
    asks.forEach(({ q, i }, k) => {
      if (statuses[k] === 'unsubscribed') out[i] = q.topic ? `unsubscribed from ${channel} or topic ${q.topic}` : `unsubscribed from ${channel}`;
      else out[i] = q.requireConsent && statuses[k] !== 'subscribed' ? `no ${channel} consent` : null;
    });
  }
  return out.map((r) => r ?? null);
}
