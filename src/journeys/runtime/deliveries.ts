/**
 * @module Deliveries: every message a run sends is recorded as a delivery with a deterministic key
 * `run:<runId>:<nodeId>:<visit>`, committed (pending) BEFORE the channel is called (docs/standards.md §2).
 * A retried step finds its delivery: one already `sent` is not sent again.
 *
 * `dialect` only travels through here to the batched statements of src/deliveries/rows.ts (measured there).
 */
import type { Db, DialectName } from '../../store/store.js';
import { newId } from '../../core/ids.js';
import type { Run } from './run.js';
import { insertDeliveryRows } from '../../deliveries/rows.js';
import type { PendingSend } from './walk.js';

export function deliveryKey(runId: string, nodeId: string, visit: number): string {
  return `run:${runId}:${nodeId}:${visit}`;
}

/** Records pending deliveries (one statement); an existing key is kept as it is. Returns the keys new now. */
export async function recordDeliveries(trx: Db, dialect: DialectName, sends: readonly { run: Run; send: PendingSend }[], now: number): Promise<Set<string>> {
  return insertDeliveryRows(
    trx,
    dialect,
    sends.map(({ run, send }) => ({
      id: newId('dlv', now),
      workspace_id: run.workspaceId,
      idempotency_key: deliveryKey(run.id, send.nodeId, send.visit),
      run_id: run.id,
      journey_id: run.journeyId,
      node_id: send.nodeId,
      contact_id: run.contactId,
      channel: send.channel,
      kind: send.messageKind,
      now,
    })),
  );
}
