/**
 * @module Message records follow a merged contact. `messages.contact_id` cascades on contact
 * delete, so without this the merged (anonymous) contact's sends, opens and clicks would vanish from
 * statistics and from the survivor's history when identity resolution deletes it. Unsubscribe
 * feedback moves with them.
 */
import type { SignalSink } from '../events/signals.js';

/** Stateless, so one value serves every runtime. */
export const messageSignalSink: SignalSink = {
  async record(trx, signals) {
    for (const s of signals) {
      if (s.kind !== 'contact_merged') continue;
      for (const table of ['messages', 'unsubscribe_feedback'] as const) {
        await trx.updateTable(table).set({ contact_id: s.intoContactId }).where('workspace_id', '=', s.workspaceId).where('contact_id', '=', s.fromContactId).execute();
      }
    }
  },
};
