/**
 * @module The suppression entry an erasure leaves behind, and the new consent that lifts it
 * (docs/standards.md §17; docs/privacy.md).
 *
 * Erasure writes, per erased address (the email, and the phone number), a row in `suppressions` whose
 * `address` is `sha256:<hex>` of the normalised address (src/suppression/suppressions.ts), reason
 * `unsubscribe_all` and source `erasure`: the send-time check (src/suppression/check.ts) hashes every
 * outgoing address, so whoever brings the address back (identify, import, contact create, a form) gets
 * no marketing mail, while transactional mail (a receipt for a new order) still goes. The address's
 * existing suppressions (a hard bounce, a complaint) are kept in hashed form with their reason, so an
 * address that bounced stays blocked, but lose their free-text detail (a DSN quotes the address).
 *
 * "New consent" (what lifts the erasure entry) is an explicit, provable grant made after the erasure:
 *  - `PUT /api/contacts/:id/consent/email` with status `subscribed` (the admin attests a new grant;
 *    the ledger records it with IP and user agent, and the lifting is audit-logged), or
 *  - the confirmation of a double opt-in signup (the mailbox's owner clicked the link).
 * Not: an import, an identify, a contact create, a single opt-in form (anyone can type an address into
 * a form), a list membership added by API. Those only re-create the contact.
 */
import type { Db } from '../store/store.js';
import { hashedAddress, normalizeAddress } from '../suppression/suppressions.js';
import { recordAudit } from '../audit/audit.js';

export const ERASURE_SOURCE = 'erasure';

/** The `sha256:` form of each address given (the email, the phone). */
export function erasureKeys(addresses: ReadonlyArray<string | null | undefined>): string[] {
  return [...new Set(addresses.filter((a): a is string => typeof a === 'string' && a.trim() !== '').map(hashedAddress))];
}

/**
 * Replaces the addresses' plain suppressions by hashed ones (same reason and time, no detail) and adds
 * the erasure entry. Returns how many suppression rows now hold the addresses (hashed).
 */
export async function suppressErased(db: Db, workspaceId: string, addresses: ReadonlyArray<string | null | undefined>, now: number): Promise<number> {
  let rows = 0;
  for (const address of addresses) {
    if (typeof address !== 'string' || address.trim() === '') continue;
    const plain = normalizeAddress(address);
    const hashed = hashedAddress(address);
    const existing = await db.deleteFrom('suppressions').where('workspace_id', '=', workspaceId).where('address', '=', plain).returning(['reason', 'source', 'created_at']).execute();
    const values = [
      ...existing.map((s) => ({ workspace_id: workspaceId, address: hashed, reason: s.reason, source: s.source, detail: null, created_at: s.created_at })),
      { workspace_id: workspaceId, address: hashed, reason: 'unsubscribe_all' as const, source: ERASURE_SOURCE, detail: null, created_at: now },
    ];
    // An older hashed row of the same reason (an earlier erasure, a hashed manual entry) wins.
    for (const v of values) {
      const inserted = await db
        .insertInto('suppressions')
        .values(v)
        .onConflict((oc) => oc.columns(['workspace_id', 'address', 'reason']).doNothing())
        .returning('address')
        .executeTakeFirst();
      if (inserted) rows++;
    }
  }
  return rows;
}

/**
 * Called when new consent (see above) is recorded for a contact on `channel`: removes the erasure
 * entry of the contact's address on that channel and records that in the audit log. Returns whether
 * an entry was lifted. Runs in the consent's transaction.
 */
export async function liftErasureSuppression(
  db: Db,
  input: { workspaceId: string; contactId: string; channel: string; actor: string | null; via: 'consent_api' | 'double_opt_in'; now: number },
): Promise<boolean> {
  const contact = await db.selectFrom('contacts').select(['email', 'phone']).where('workspace_id', '=', input.workspaceId).where('id', '=', input.contactId).executeTakeFirst();
  const address = input.channel === 'email' ? contact?.email : input.channel === 'sms' ? contact?.phone : null;
  if (!address) return false;
  const gone = await db
    .deleteFrom('suppressions')
    .where('workspace_id', '=', input.workspaceId)
    .where('address', '=', hashedAddress(address))
    .where('reason', '=', 'unsubscribe_all')
    .where('source', '=', ERASURE_SOURCE)
    .returning('address')
    .executeTakeFirst();
  if (!gone) return false;
  await recordAudit(db, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'suppression.erasure_lifted',
    subject: input.contactId,
    details: { channel: input.channel, via: input.via },
    at: input.now,
  });
  return true;
}
