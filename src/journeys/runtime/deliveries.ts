/**
 * @module Deliveries: every message a run sends is recorded as a delivery with a deterministic key
 * `run:<runId>:<nodeId>:<visit>`, committed (pending) BEFORE the channel is called (STANDARDS.md 2).
 * A retried step finds its delivery: one already `sent` is not sent again.
 */
import type { Db, DialectName } from '../../store/store.js';
import { newId } from '../../core/ids.js';
import type { SendResult } from '../../channels/channel.js';
import type { DeliveryStatus } from './tables.js';
import type { Run } from './run.js';
import { insertDeliveryRows, type DeliverySettlement } from './bulk.js';
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

/** The query of deliveryStatuses (separate so a test can EXPLAIN it). */
export function deliveryStatusesQuery(db: Db, workspaceKeys: readonly { workspaceId: string; key: string }[]) {
  const byWorkspace = new Map<string, string[]>();
  for (const k of workspaceKeys) byWorkspace.set(k.workspaceId, [...(byWorkspace.get(k.workspaceId) ?? []), k.key]);
  // With workspace_id the lookup probes the unique index deliveries_key (workspace_id,
  // idempotency_key); without it PostgreSQL scanned the whole table (EXPLAIN in deliveries.test.ts).
  return db
    .selectFrom('deliveries')
    .select(['idempotency_key', 'status', 'provider_message_id'])
    .where((eb) => eb.or([...byWorkspace].map(([ws, keys]) => eb.and([eb('workspace_id', '=', ws), eb('idempotency_key', 'in', keys)]))));
}

export async function deliveryStatuses(db: Db, workspaceKeys: readonly { workspaceId: string; key: string }[]): Promise<Map<string, { status: DeliveryStatus; providerMessageId: string | null }>> {
  const out = new Map<string, { status: DeliveryStatus; providerMessageId: string | null }>();
  if (workspaceKeys.length === 0) return out;
  const rows = await deliveryStatusesQuery(db, workspaceKeys).execute();
  for (const r of rows) out.set(r.idempotency_key, { status: r.status, providerMessageId: r.provider_message_id });
  return out;
}

/** The delivery row's state after the channel's answer: `retryable` stays pending for the next attempt. */
export function settlement(workspaceId: string, key: string, result: SendResult, final: boolean, now: number): DeliverySettlement {
  const status: DeliveryStatus =
    result.status === 'sent' ? 'sent' : result.status === 'skipped' ? 'skipped' : result.status === 'permanent' || final ? 'failed' : 'pending';
  return {
    ws: workspaceId,
    key,
    status,
    pid: result.status === 'sent' ? (result.providerMessageId ?? null) : null,
    error: result.status === 'sent' ? null : result.reason,
    sent_at: result.status === 'sent' ? now : null,
  };
}
