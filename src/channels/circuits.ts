/**
 * @module The circuit breaker of each channel provider, shared by every worker and API process
 * through `email_circuits` (one row per provider, created at its first failure; the table is named
 * for its first user: email providers are keyed by their list id, SMS providers as `sms:<id>`).
 *
 *   closed     mail goes to the provider. A retryable failure (connection refused, timeout, 4xx)
 *              counts; `policy.failures` of them in a row within `policy.windowSeconds` open it.
 *              A success (the provider answered, even with a 5xx about one address) resets the count.
 *   open       the provider is skipped: its mail goes to the next provider of its route.
 *              `policy.coolDownSeconds` after it opened, ONE sender claims the probe (a conditional
 *              UPDATE, so two workers cannot both claim it) and the circuit is half_open.
 *   half_open  only the probe goes to the provider; its success closes the circuit, its failure
 *              opens it again for another cool-down. A probe that never reports (its worker died)
 *              is claimable again after the cool-down.
 *
 * A sender reads the workspace's circuits once per batch (`CircuitBoard`) and keeps its view up to
 * date with what its own sends learn; it writes only when something changes (a failure, a probe, the
 * first success after failures), so the hot path of a healthy provider costs no write.
 */
import type { Selectable } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';

export type CircuitState = 'closed' | 'open' | 'half_open';

/** A row of `email_circuits` (migrations/000030.sql), for Kysely. */
export interface EmailCircuitsTable {
  workspace_id: string;
  /** An email list entry's id, or `sms:<channel provider id>`. */
  provider_id: string;
  state: CircuitState;
  failures: number;
  first_failure_at: number | null;
  opened_at: number | null;
  probe_at: number | null;
  last_error: string | null;
  updated_at: number;
}

/** When a circuit opens and when it is probed (an email workspace's routing policy has these). */
export interface CircuitPolicy {
  /** Consecutive retryable failures that open it. */
  failures: number;
  /** Within this many seconds. */
  windowSeconds: number;
  /** An open circuit lets one probe through after this long. */
  coolDownSeconds: number;
}

/** The policy of providers that have no routing policy of their own (SMS): as email's default. */
export const DEFAULT_CIRCUIT_POLICY: CircuitPolicy = Object.freeze({ failures: 5, windowSeconds: 60, coolDownSeconds: 30 });

export interface Circuit {
  state: CircuitState;
  failures: number;
  firstFailureAt: number | null;
  openedAt: number | null;
  probeAt: number | null;
  lastError: string | null;
  updatedAt: number;
}

const CLOSED: Circuit = Object.freeze({ state: 'closed', failures: 0, firstFailureAt: null, openedAt: null, probeAt: null, lastError: null, updatedAt: 0 });

const orNull = (v: number | null) => (v === null ? null : Number(v));

/** A stored circuit row as the breaker sees it (PostgreSQL answers bigint columns as strings). */
function toCircuit(r: Selectable<EmailCircuitsTable>): Circuit {
  return {
    state: r.state,
    failures: Number(r.failures),
    firstFailureAt: orNull(r.first_failure_at),
    openedAt: orNull(r.opened_at),
    probeAt: orNull(r.probe_at),
    lastError: r.last_error,
    updatedAt: Number(r.updated_at),
  };
}

export async function loadCircuits(store: Store, workspaceId: string): Promise<Map<string, Circuit>> {
  const rows = await store.db.selectFrom('email_circuits').selectAll().where('workspace_id', '=', workspaceId).execute();
  return new Map(rows.map((r) => [r.provider_id, toCircuit(r)]));
}

/** The circuit after one more retryable failure at `now` (pure). */
export function afterFailure(c: Circuit, now: number, error: string, policy: CircuitPolicy): Circuit {
  const lastError = error.slice(0, 500);
  if (c.state !== 'closed') return { ...c, state: 'open', failures: c.failures + 1, openedAt: now, probeAt: null, lastError, updatedAt: now };
  const fresh = c.firstFailureAt === null || c.failures === 0 || now - c.firstFailureAt > policy.windowSeconds * 1000;
  const failures = fresh ? 1 : c.failures + 1;
  const firstFailureAt = fresh ? now : c.firstFailureAt;
  if (failures >= policy.failures) return { state: 'open', failures, firstFailureAt, openedAt: now, probeAt: null, lastError, updatedAt: now };
  return { ...c, failures, firstFailureAt, lastError, updatedAt: now };
}

async function recordFailure(store: Store, workspaceId: string, providerId: string, now: number, error: string, policy: CircuitPolicy): Promise<Circuit> {
  return store.transaction(async (trx) => {
    await trx
      .insertInto('email_circuits')
      .values({ workspace_id: workspaceId, provider_id: providerId, state: 'closed', failures: 0, updated_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'provider_id']).doNothing())
      .execute();
    // Locked: two workers failing at once both count.
    const row = await store.adapter.lockRows(trx.selectFrom('email_circuits').selectAll().where('workspace_id', '=', workspaceId).where('provider_id', '=', providerId)).executeTakeFirstOrThrow();
    const next = afterFailure(toCircuit(row), now, error, policy);
    await trx
      .updateTable('email_circuits')
      .set({ state: next.state, failures: next.failures, first_failure_at: next.firstFailureAt, opened_at: next.openedAt, probe_at: next.probeAt, last_error: next.lastError, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('provider_id', '=', providerId)
      .execute();
    return next;
  });
}

/** One batch's view of a workspace's circuits, kept current by its own sends. */
export class CircuitBoard {
  private readonly mine = new Set<string>();

  constructor(
    private readonly deps: { store: Store; clock: Clock },
    private readonly workspaceId: string,
    private readonly policy: CircuitPolicy,
    private readonly circuits: Map<string, Circuit>,
  ) {}

  static async load(deps: { store: Store; clock: Clock }, workspaceId: string, policy: CircuitPolicy): Promise<CircuitBoard> {
    return new CircuitBoard(deps, workspaceId, policy, await loadCircuits(deps.store, workspaceId));
  }

  get(providerId: string): Circuit {
    return this.circuits.get(providerId) ?? CLOSED;
  }

  /** Whether this send may go to the provider: closed, or this send won the probe of an open circuit. */
  async allow(providerId: string): Promise<boolean> {
    const c = this.get(providerId);
    if (c.state === 'closed') return true;
    const now = this.deps.clock.now();
    const since = c.state === 'open' ? c.openedAt : c.probeAt;
    if (since !== null && now - since < this.policy.coolDownSeconds * 1000) return false;
    const due = now - this.policy.coolDownSeconds * 1000;
    const claimed = await this.deps.store.db
      .updateTable('email_circuits')
      .set({ state: 'half_open', probe_at: now, updated_at: now })
      .where('workspace_id', '=', this.workspaceId)
      .where('provider_id', '=', providerId)
      .where((eb) => eb.or([eb.and([eb('state', '=', 'open'), eb('opened_at', '<=', due)]), eb.and([eb('state', '=', 'half_open'), eb('probe_at', '<=', due)])]))
      .executeTakeFirst();
    const won = Number(claimed.numUpdatedRows) === 1;
    // Won or lost, the circuit is half open now: the rest of this batch waits for the probe.
    this.circuits.set(providerId, { ...c, state: 'half_open', probeAt: now, updatedAt: now });
    if (won) this.mine.add(providerId);
    return won;
  }

  async failed(providerId: string, error: string): Promise<void> {
    this.mine.delete(providerId);
    const next = await recordFailure(this.deps.store, this.workspaceId, providerId, this.deps.clock.now(), error, this.policy);
    this.circuits.set(providerId, next);
  }

  /** The provider answered: a probe closes its circuit; a count of failures is reset. */
  async succeeded(providerId: string): Promise<void> {
    const c = this.get(providerId);
    if (c.state === 'closed' && c.failures === 0) return;
    if (c.state !== 'closed' && !this.mine.has(providerId)) return;
    this.mine.delete(providerId);
    const now = this.deps.clock.now();
    this.circuits.set(providerId, { ...CLOSED, lastError: c.lastError, updatedAt: now });
    await this.deps.store.db
      .updateTable('email_circuits')
      .set({ state: 'closed', failures: 0, first_failure_at: null, opened_at: null, probe_at: null, updated_at: now })
      .where('workspace_id', '=', this.workspaceId)
      .where('provider_id', '=', providerId)
      .execute();
  }
}
