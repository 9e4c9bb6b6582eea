/**
 * @module What became of deliveries: the statuses an earlier attempt left (a retried step or
 * recipient finds its delivery; one already `sent` is not sent again), and the row a channel's
 * answer settles it to.
 */
import type { Db } from '../store/store.js';
import type { SendResult } from '../channels/channel.js';
import type { DeliveryStatus } from './tables.js';
import type { DeliverySettlement } from './rows.js';

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
  const status: DeliveryStatus = result.status === 'sent' ? 'sent' : result.status === 'skipped' ? 'skipped' : result.status === 'permanent' || final ? 'failed' : 'pending';
  return {
    ws: workspaceId,
    key,
    status,
    pid: result.status === 'sent' ? (result.providerMessageId ?? null) : null,
    error: result.status === 'sent' ? null : result.reason,
    sent_at: result.status === 'sent' ? now : null,
  };
}
