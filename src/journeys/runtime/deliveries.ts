/**
 * @module Deliveries: every message a run sends is recorded as a delivery with a deterministic key
 * `run:<runId>:<nodeId>:<visit>`, committed (pending) BEFORE the channel is called (STANDARDS.md 2).
 * A retried step finds its delivery: one already `sent` is not sent again.
 */
import type { Db } from '../../store/store.js';
import { newId } from '../../core/ids.js';
import type { SendResult } from '../../channels/channel.js';
import type { DeliveryStatus } from './tables.js';
import type { Run } from './run.js';
import type { PendingSend } from './walk.js';

export function deliveryKey(runId: string, nodeId: string, visit: number): string {
  return `run:${runId}:${nodeId}:${visit}`;
}

export async function recordDelivery(trx: Db, run: Run, send: PendingSend, now: number): Promise<void> {
  await trx
    .insertInto('deliveries')
    .values({
      id: newId('dlv', now),
      workspace_id: run.workspaceId,
      idempotency_key: deliveryKey(run.id, send.nodeId, send.visit),
      run_id: run.id,
      journey_id: run.journeyId,
      node_id: send.nodeId,
      contact_id: run.contactId,
      channel: send.channel,
      kind: send.messageKind,
      status: 'pending',
      attempts: 0,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
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

/** Records the channel's answer on the delivery. `retryable` keeps it pending for the next attempt. */
export async function settleDelivery(trx: Db, workspaceId: string, key: string, result: SendResult, final: boolean, now: number): Promise<void> {
  const status: DeliveryStatus =
    result.status === 'sent' ? 'sent' : result.status === 'skipped' ? 'skipped' : result.status === 'permanent' || final ? 'failed' : 'pending';
  await trx
    .updateTable('deliveries')
    .set((eb) => ({
      status,
      attempts: eb('attempts', '+', 1),
      provider_message_id: result.status === 'sent' ? (result.providerMessageId ?? null) : null,
      error: result.status === 'sent' ? null : result.reason,
      sent_at: result.status === 'sent' ? now : null,
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('idempotency_key', '=', key)
    .where('status', '=', 'pending')
    .execute();
}
