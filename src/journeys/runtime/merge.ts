/**
 * @module What happens to a contact's journey state when identity resolution merges it into another
 * (src/contacts/identity.ts emits `contact_merged` before deleting the merged contact). An anonymous
 * visitor who abandons a cart and then signs in must still get the reminder, so the merged contact's
 * runs, deliveries (frequency caps count them), pending inbox rows and date-trigger fires move to
 * the survivor. Where both have an open run of the same journey, the survivor's run goes on and the
 * merged one ends as `exited` with reason `contact_merged`: at most one open run per contact per
 * journey (docs/standards.md §1).
 */
import { sql } from 'kysely';
import type { Db } from '../../store/store.js';

export async function moveJourneyState(trx: Db, workspaceId: string, from: string, into: string, now: number): Promise<void> {
  await sql`UPDATE journey_runs SET status = 'exited', exit_reason = 'contact_merged', ended_at = ${now}, updated_at = ${now},
      due_at = NULL, claimed_by = NULL, lease_until = NULL
    WHERE workspace_id = ${workspaceId} AND contact_id = ${from} AND ended_at IS NULL
      AND journey_id IN (SELECT journey_id FROM journey_runs WHERE workspace_id = ${workspaceId} AND contact_id = ${into} AND ended_at IS NULL)`.execute(trx);
  for (const table of ['journey_runs', 'deliveries', 'journey_inbox', 'channel_counting_sends'] as const) {
    await trx.updateTable(table).set({ contact_id: into }).where('workspace_id', '=', workspaceId).where('contact_id', '=', from).execute();
  }
  // A date occurrence already fired for either contact stays fired once for the survivor.
  await sql`UPDATE journey_date_fires SET contact_id = ${into} WHERE workspace_id = ${workspaceId} AND contact_id = ${from}
    AND NOT EXISTS (SELECT 1 FROM journey_date_fires k WHERE k.workspace_id = journey_date_fires.workspace_id
      AND k.journey_id = journey_date_fires.journey_id AND k.contact_id = ${into} AND k.occurrence = journey_date_fires.occurrence)`.execute(trx);
  await trx.deleteFrom('journey_date_fires').where('workspace_id', '=', workspaceId).where('contact_id', '=', from).execute();
}
