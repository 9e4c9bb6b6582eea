/**
 * @module Erasure of a contact's personal data (GDPR Art. 17, docs/standards.md §17), in ONE transaction on
 * both backends: either all of it happens or none.
 *
 * What is erased: identifiers (user id, email, phone), time zone, locale and attributes; anonymous ids;
 * event properties, context and page place (events keep type, name and timestamps); message addresses, subjects,
 * link targets and diagnostic reasons (messages keep status, kind, template, journey and counts);
 * the outbox copies of their mail; consent-history IP, user agent and reply text; the text and number of their SMS replies; journey run data, trigger and
 * event properties and step details (runs keep status and timestamps, open runs end with
 * `contact_erased`); delivery errors; unsubscribe-feedback answers; soft-bounce counters; pending
 * journey-inbox signals, date-trigger fires, list and segment memberships.
 *
 * What stays: the contact row itself, anonymised and marked `erased_at`. Events and messages
 * reference it (ON DELETE CASCADE, migrations 000001 and 000005), and the plain DELETE would take them
 * with it and make journey and template statistics wrong. The address survives only as
 * `sha256:<hex>` suppression entries (./erasure-suppression.ts). Consent: every current grant becomes
 * `unsubscribed` (source `erasure`), appended to the ledger so state and history stay in step
 * (docs/standards.md §18).
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import type { Db } from '../store/store.js';
import { recordAudit } from '../audit/audit.js';
import { normalizeAddress } from '../suppression/suppressions.js';
import { ERASURE_SOURCE, suppressErased } from './erasure-suppression.js';
import { eraseMailFiles, type ErasedPiece } from '../channels/mail/erase-files.js';

export interface ErasureResult {
  contactId: string;
  erasedAt: number;
  /** Rows kept, anonymised, for statistics. */
  events: number;
  messages: number;
  journeyRuns: number;
  /** Open runs this erasure ended. */
  runsEnded: number;
  outboxDeleted: number;
  suppressions: number;
  auditId: number;
}

const n = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined): number => Number(r?.numUpdatedRows ?? r?.numDeletedRows ?? 0n);

/**
 * `config.dataDir` given (the server, the CLI), the contact's direct mail pieces are also removed from
 * the batch files on disk once the transaction commits (src/channels/mail/erase-files.ts).
 */
export async function eraseContact(deps: ServiceDeps & { config?: { dataDir: string } }, workspaceId: string, contactId: string, actor: string | null): Promise<ErasureResult> {
  let pieces: ErasedPiece[] = [];
  const result = await deps.store.transaction(async (db) => {
    // An erased contact can be erased again: every statement is idempotent, and a second pass scrubs
    // what a message in flight during the first one wrote back (docs/privacy.md, Limits).
    // Lock the row so a concurrent update or merge cannot write an email back mid-erasure.
    const contact = await deps.store.adapter
      .lockRows(db.selectFrom('contacts').select(['id', 'email', 'phone', 'erased_at']).where('workspace_id', '=', workspaceId).where('id', '=', contactId))
      .executeTakeFirst();
    if (!contact) throw new NotFoundError('contact', contactId);
    const now = deps.clock.now();
    const email = contact.email;

    const ofContact = db.selectFrom('messages').select('id').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
    let outbox = db.deleteFrom('outbox').where('workspace_id', '=', workspaceId);
    outbox = email ? outbox.where((eb) => eb.or([eb('message_id', 'in', ofContact), eb('to_address', '=', email)])) : outbox.where('message_id', 'in', ofContact);
    const outboxDeleted = n(await outbox.executeTakeFirst());

    const messages = n(
      await db
        .updateTable('messages')
        .set({ to_address: null, subject: null, links: '[]', reason: null, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    const events = n(
      await db.updateTable('events').set({ properties: '{}', context: null, page_host: null, page_path: null, page_query: null }).where('contact_id', '=', contactId).executeTakeFirst(),
    );
    await db.deleteFrom('contact_anonymous_ids').where('contact_id', '=', contactId).execute();

    await withdrawConsent(db, workspaceId, contactId, now);
    await db.updateTable('consent_history').set({ ip: null, user_agent: null, detail: null }).where('contact_id', '=', contactId).execute();
    // Their SMS replies keep what Qatra did (and the provider's id, so a redelivery is still known), not what they wrote or their number.
    await db.updateTable('sms_inbound').set({ body: '', from_number: '' }).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    // A printed piece keeps its country (postal statistics), not the address, postcode or personal URL it carried.
    pieces = (await db.selectFrom('mail_pieces').select(['batch_id', 'id']).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute()).map((p) => ({
      batchId: p.batch_id,
      pieceId: p.id,
    }));
    await db
      .updateTable('mail_pieces')
      .set({ address: '{}', postcode: null, target_url: null, promo_code: null, error: null })
      .where('workspace_id', '=', workspaceId)
      .where('contact_id', '=', contactId)
      .execute();
    await db.deleteFrom('contact_predictions').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    await db.deleteFrom('list_memberships').where('contact_id', '=', contactId).execute();
    // A Telegram chat id is an identifier too (docs/telegram.md).
    await db.deleteFrom('channel_handles').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    // (Its deep-link tokens name the chat too; an erased contact's token is refused anyway.)
    await db.deleteFrom('telegram_link_uses').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    await db.deleteFrom('segment_members').where('contact_id', '=', contactId).execute();
    await db.deleteFrom('segment_dirty').where('contact_id', '=', contactId).execute();

    const runsEnded = n(
      await db
        .updateTable('journey_runs')
        .set({ status: 'exited', exit_reason: 'contact_erased', ended_at: now, due_at: null, claimed_by: null, lease_until: null, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('contact_id', '=', contactId)
        .where('ended_at', 'is', null)
        .executeTakeFirst(),
    );
    const journeyRuns = n(
      await db
        .updateTable('journey_runs')
        .set({ trigger_props: '{}', event_props: '{}', data: '{}', wait_filters: null, last_error: null })
        .where('workspace_id', '=', workspaceId)
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    const runsOfContact = db.selectFrom('journey_runs').select('id').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
    await db.updateTable('journey_steps').set({ detail: null }).where('run_id', 'in', runsOfContact).execute();
    await db.updateTable('deliveries').set({ error: null }).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    await db.deleteFrom('journey_inbox').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    await db.deleteFrom('journey_date_fires').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    await db.updateTable('unsubscribe_feedback').set({ answer: null }).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();
    if (email) await db.deleteFrom('email_soft_bounces').where('workspace_id', '=', workspaceId).where('address', '=', normalizeAddress(email)).execute();
    const suppressions = await suppressErased(db, workspaceId, [email, contact.phone], now);

    await db
      .updateTable('contacts')
      .set({ user_id: null, email: null, phone: null, timezone: null, locale: null, postal_address: null, attributes: '{}', erased_at: contact.erased_at ?? now, updated_at: now })
      .where('id', '=', contactId)
      .execute();
    const counts = { events, messages, journeyRuns, runsEnded, outboxDeleted, suppressions };
    const auditId = await recordAudit(db, { workspaceId, actor, action: 'contact.erased', subject: contactId, details: counts, at: now });
    return { contactId, erasedAt: contact.erased_at ?? now, ...counts, auditId };
  });
  if (deps.config && pieces.length > 0) await eraseMailFiles(deps.config.dataDir, workspaceId, pieces);
  return result;
}

/** Every current grant becomes `unsubscribed` (source `erasure`), recorded in the ledger too. */
async function withdrawConsent(db: Db, workspaceId: string, contactId: string, now: number): Promise<void> {
  const open = await db.selectFrom('consents').select(['channel', 'topic']).where('contact_id', '=', contactId).where('status', '!=', 'unsubscribed').execute();
  if (open.length === 0) return;
  await db
    .insertInto('consent_history')
    .values(open.map((c) => ({ workspace_id: workspaceId, contact_id: contactId, channel: c.channel, topic: c.topic, status: 'unsubscribed' as const, source: ERASURE_SOURCE, created_at: now })))
    .execute();
  await db.updateTable('consents').set({ status: 'unsubscribed', source: ERASURE_SOURCE, updated_at: now }).where('contact_id', '=', contactId).where('status', '!=', 'unsubscribed').execute();
}
