/**
 * @module May this piece be mailed? The send-time check of direct mail (../../suppression/check.ts
 * rules, on the address's key, ./address-key.ts): a `hard_bounce` (returned to sender) or `manual`
 * (do-not-mail list) suppression of the address blocks every piece to it; marketing also needs the
 * contact not to have opted out of postal marketing (consent channel `mail`). Postal marketing
 * needs no prior opt-in where the law allows mail to a postal address; a workspace that wants one
 * passes `requireConsent`.
 */
import type { PostalAddress } from '../../contacts/postal-address.js';
import type { Db } from '../../store/store.js';
import { suppressionReasons } from '../../suppression/check.js';
import { mailAddressKey } from './address-key.js';

export interface MailRecipient {
  workspaceId: string;
  contactId: string;
  address: PostalAddress;
  kind: 'marketing' | 'transactional';
  requireConsent?: boolean | undefined;
}

/** For each recipient, in order: null when the piece may go, else why not. */
export async function mailSuppressionReasons(db: Db, recipients: readonly MailRecipient[]): Promise<(string | null)[]> {
  return suppressionReasons(
    db,
    recipients.map((r) => ({ workspaceId: r.workspaceId, contactId: r.contactId, address: mailAddressKey(r.address), kind: r.kind, channel: 'mail', requireConsent: r.requireConsent })),
  );
}
