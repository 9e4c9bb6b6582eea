/**
 * @module The deferral backoff of recipient domains (`email_domain_backoff`, migrations/000038.sql),
 * shared by every worker: when a server answers a recipient of a domain with 4xx (421, 450, 451,
 * 452: greylisting, "try again later"), further sends to that domain wait, exponentially longer
 * with each 4xx in a row (./limits.ts `deferralDelayMs`), and a success deletes the row. A Gmail 421
 * slows gmail.com, not everything. 5xx answers do not touch it.
 *
 * When the wait is over, ONE send claims the retry (a conditional UPDATE moves `until_at` on by a
 * short lease, so two workers cannot both try); the others keep waiting until it has answered.
 */
import type { Store } from '../../../store/store.js';
import { deferralDelayMs } from './limits.js';

export interface DomainBackoff {
  failures: number;
  untilAt: number;
}

/** How long the one send that retries a domain holds it before another may try. */
export const PROBE_LEASE_MS = 30_000;

export async function loadBackoffs(store: Store, workspaceId: string): Promise<Map<string, DomainBackoff>> {
  const rows = await store.db.selectFrom('email_domain_backoff').select(['domain', 'failures', 'until_at']).where('workspace_id', '=', workspaceId).execute();
  return new Map(rows.map((r) => [r.domain, { failures: Number(r.failures), untilAt: Number(r.until_at) }]));
}

/** The retry of a domain whose wait is over: true for the one send that claims it. */
export async function claimDomainRetry(store: Store, workspaceId: string, domain: string, now: number): Promise<boolean> {
  const r = await store.db
    .updateTable('email_domain_backoff')
    .set({ until_at: now + PROBE_LEASE_MS, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('domain', '=', domain)
    .where('until_at', '<=', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** One more 4xx from `domain`: the row's failures and wait, as stored. */
export async function recordDeferral(
  store: Store,
  workspaceId: string,
  domain: string,
  now: number,
  error: string,
  policy: { deferralBaseSeconds: number; deferralMaxSeconds: number },
): Promise<DomainBackoff> {
  return store.transaction(async (trx) => {
    await trx
      .insertInto('email_domain_backoff')
      .values({ workspace_id: workspaceId, domain, failures: 0, until_at: now, last_error: null, updated_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'domain']).doNothing())
      .execute();
    // Locked: two workers deferred at once both count.
    const row = await store.adapter
      .lockRows(trx.selectFrom('email_domain_backoff').select(['failures']).where('workspace_id', '=', workspaceId).where('domain', '=', domain))
      .executeTakeFirstOrThrow();
    const failures = Number(row.failures) + 1;
    const untilAt = now + deferralDelayMs(failures, policy.deferralBaseSeconds * 1000, policy.deferralMaxSeconds * 1000, `${workspaceId}:${domain}`);
    await trx
      .updateTable('email_domain_backoff')
      .set({ failures, until_at: untilAt, last_error: error.slice(0, 500), updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('domain', '=', domain)
      .execute();
    return { failures, untilAt };
  });
}

/** The domain accepted a message: its backoff is over. */
export async function clearDomain(store: Store, workspaceId: string, domain: string): Promise<void> {
  await store.db.deleteFrom('email_domain_backoff').where('workspace_id', '=', workspaceId).where('domain', '=', domain).execute();
}
