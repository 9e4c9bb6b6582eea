/**
 * @module Messages skipped at send time, counted by reason over a time range (the analytics of the
 * sunset policy, next to suppression and consent skips): `sunset`, `suppressed: …`, `unsubscribed …`.
 * Reasons that carry details after a colon are counted under the part before it, so a reason per
 * address does not make a row per address. An admin read over the workspace's messages
 * (messages_workspace), filtered by created_at; not on a hot path.
 */
import type { Db } from '../store/store.js';

export interface SkipCount {
  reason: string;
  count: number;
}

export async function skipsByReason(db: Db, workspaceId: string, range: { from: number; to: number; channel?: string | undefined }): Promise<SkipCount[]> {
  let q = db
    .selectFrom('messages')
    .select((eb) => ['reason', eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'skipped')
    .where('created_at', '>=', range.from)
    .where('created_at', '<', range.to);
  if (range.channel) q = q.where('channel', '=', range.channel);
  const rows = await q.groupBy('reason').execute();
  const out = new Map<string, number>();
  for (const r of rows) {
    const reason = (r.reason ?? 'skipped').split(':')[0]!.trim() || 'skipped';
    out.set(reason, (out.get(reason) ?? 0) + Number(r.n));
  }
  return [...out].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
