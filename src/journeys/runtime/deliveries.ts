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

export async function deliveryStatuses(db: Db, workspaceKeys: readonly { workspaceId: string; key: string }[]): Promise<Map<string, { status: DeliveryStatus; providerMessageId: string | null }>> {
  const out = new Map<string, { status: DeliveryStatus; providerMessageId: string | null }>();
  if (workspaceKeys.length === 0) return out;
  const rows = await db
    .selectFrom('deliveries')
    .select(['idempotency_key', 'status', 'provider_message_id'])
    .where(
      'idempotency_key',
      'in',
      workspaceKeys.map((k) => k.key),
    )
    .execute();
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
