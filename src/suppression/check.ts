/**
 * @module The send-time suppression check (STANDARDS.md 7): called just before a message leaves, it
 * reads the committed state, so an unsubscribe is honoured for the very next send.
 *
 *  - hard_bounce, complaint, manual suppressions: nothing is sent, not even transactional mail;
 *  - unsubscribe_all suppression (also the hashed one an erasure leaves, STANDARDS.md 17), or email consent `unsubscribed` for the whole channel (topic '')
 *    or for the message's topic: marketing is skipped, transactional mail still goes.
 */
import type { Db } from '../store/store.js';
import { effectiveConsent } from '../consent/consent.js';
import { suppressionsOf } from './suppressions.js';

export interface SuppressionQuery {
  workspaceId: string;
  contactId: string;
  address: string;
  kind: 'marketing' | 'transactional';
  /** The message's topic ('' or undefined: none). */
  topic?: string | undefined;
}

/** Null when the message may go, else the reason it must be skipped. */
export async function suppressionReason(db: Db, q: SuppressionQuery): Promise<string | null> {
  const found = await suppressionsOf(db, q.workspaceId, q.address);
  const blocking = found.find((s) => s.reason !== 'unsubscribe_all');
  if (blocking) return `suppressed: ${blocking.reason}`;
  if (q.kind === 'transactional') return null;
  // An erasure's entry (src/privacy/erasure-suppression.ts) holds until new consent lifts it.
  if (found.length > 0) return found.some((s) => s.source === 'erasure') ? 'suppressed: erased (needs new consent)' : 'suppressed: unsubscribe_all';
  const status = await effectiveConsent(db, q.contactId, 'email', q.topic ?? '');
  if (status === 'unsubscribed') return q.topic ? `unsubscribed from email or topic ${q.topic}` : 'unsubscribed from email';
  return null;
}
