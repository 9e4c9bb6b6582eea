/**
 * @module One batch's gate in front of a workspace's providers: what may be sent now, and what is
 * deferred (not failed: the record stays queued with its Message-ID, its due time pushed, and the
 * deferral does not count as an attempt). For each message, in this order:
 *
 *   1. the recipient domain's 4xx backoff (./backoff.ts): waiting → deferred until it ends; over →
 *      one send claims the retry, the others wait for its answer;
 *   2. the recipient domain's throttle (`throttles` of the list): used up → deferred to the next
 *      window; its connection cap (`connections`): all in flight → deferred a few seconds;
 *   3. per provider of its route: the warm-up allowance of today (marketing only): used up → the
 *      next provider of the route, and when none is left, deferred to the next UTC day; then the
 *      provider's throttle: used up → deferred to its next window (a throttle sets a pace; letting
 *      the overflow spill onto the next provider would undo the routing's weights); then its
 *      connection cap: all in flight → deferred a few seconds (./slots.ts).
 *
 * A rate token taken for a send that then did not go is given back (`release`); a connection slot
 * is freed when the send has answered, whatever the answer (`finish`).
 *
 * Every count is a row shared by all workers (./counters.ts, ./slots.ts). Without any throttle,
 * connection cap or warm-up configured and no domain in backoff, the gate costs no statement.
 */
import type { Clock } from '../../../core/clock.js';
import type { Store } from '../../../store/store.js';
import type { SendResult } from '../../channel.js';
import { PROBE_LEASE_MS, claimDomainRetry, clearDomain, loadBackoffs, recordDeferral, type DomainBackoff } from './backoff.js';
import { returnSend, takeSend } from './counters.js';
import { DAY_MS, PER_MS, domainThrottleOf, unitOf, warmupDay, windowStart, type DomainThrottle, type Throttle, type Warmup } from './limits.js';
import { freeSlot, takeSlot } from './slots.js';

export type Deferral = Extract<SendResult, { status: 'retryable' }> & { deferred: true; retryAfterMs: number };

export interface GateLimits {
  providers: ReadonlyMap<string, { throttle: Throttle | null; warmup: Warmup | null; connections: number | null }>;
  throttles: readonly DomainThrottle[];
  policy: { deferralBaseSeconds: number; deferralMaxSeconds: number };
}

/** What a send holds: `release` gives it all back when the send did not go; `finish` frees its connection slots once it has answered. */
export interface Held {
  release(): Promise<void>;
  finish(): Promise<void>;
}

export type ProviderPass = { ok: true; held: Held } | { ok: false; deferral: Deferral; spill: boolean };

const NOTHING: Held = { release: async () => {}, finish: async () => {} };

const heldAll = (held: Held[]): Held =>
  held.length === 0
    ? NOTHING
    : held.length === 1
      ? held[0]!
      : { release: async () => void (await Promise.all(held.map((h) => h.release()))), finish: async () => void (await Promise.all(held.map((h) => h.finish()))) };

/** How long a send waits when every connection of its scope is in flight: a send takes seconds. */
const SLOT_WAIT_MS = 2_000;

function deferral(reason: string, waitMs: number, messageId: string): Deferral {
  // Up to 2% (at most a minute) more, from the message id: the deferred do not all return at once.
  const spread = Math.min(60_000, Math.round(waitMs * 0.02 * unitOf(messageId)));
  return { status: 'retryable', reason, retryAfterMs: Math.max(1, waitMs + spread), deferred: true };
}

export class SendGate {
  constructor(
    private readonly deps: { store: Store; clock: Clock },
    private readonly workspaceId: string,
    private readonly limits: GateLimits,
    private readonly backoffs: Map<string, DomainBackoff>,
  ) {}

  /** Scopes whose slot rows exist (./slots.ts). */
  private readonly knownSlots = new Set<string>();

  static async load(deps: { store: Store; clock: Clock }, workspaceId: string, limits: GateLimits): Promise<SendGate> {
    return new SendGate(deps, workspaceId, limits, await loadBackoffs(deps.store, workspaceId));
  }

  private async take(scope: string, windowMs: number, limit: number): Promise<{ ok: true; held: Held } | { ok: false; waitMs: number }> {
    const now = this.deps.clock.now();
    const window = windowStart(now, windowMs);
    const key = { workspaceId: this.workspaceId, scope };
    if (!(await takeSend(this.deps.store.db, key, window, limit))) return { ok: false, waitMs: window + windowMs - now };
    return { ok: true, held: { release: () => returnSend(this.deps.store.db, key, window), finish: async () => {} } };
  }

  private async slot(scope: string, cap: number, messageId: string): Promise<Held | null> {
    const key = { workspaceId: this.workspaceId, scope };
    const slot = await takeSlot(this.deps.store, key, cap, messageId, this.deps.clock.now(), this.knownSlots);
    if (slot === null) return null;
    let freed = false;
    const free = async () => {
      if (freed) return;
      freed = true;
      await freeSlot(this.deps.store, key, slot, messageId);
    };
    return { release: free, finish: free };
  }

  /** Steps 1 and 2: the domain's token (given back if no provider takes the message), or the deferral. */
  async domain(domain: string, messageId: string): Promise<{ ok: true; held: Held } | { ok: false; deferral: Deferral }> {
    const backoff = this.backoffs.get(domain);
    if (backoff) {
      const now = this.deps.clock.now();
      const waiting = `deferred: ${domain} answered 4xx ${backoff.failures} time${backoff.failures === 1 ? '' : 's'} in a row`;
      if (backoff.untilAt > now) return { ok: false, deferral: deferral(`${waiting}; next try after ${new Date(backoff.untilAt).toISOString()}`, backoff.untilAt - now, messageId) };
      if (!(await claimDomainRetry(this.deps.store, this.workspaceId, domain, now))) {
        this.backoffs.set(domain, { ...backoff, untilAt: now + PROBE_LEASE_MS });
        return { ok: false, deferral: deferral(`${waiting}; another send is retrying it`, PROBE_LEASE_MS, messageId) };
      }
      // This send retries the domain; the rest of the batch waits for its answer.
      this.backoffs.set(domain, { ...backoff, untilAt: now + PROBE_LEASE_MS });
    }
    const throttled = domainThrottleOf(this.limits.throttles, domain);
    if (!throttled) return { ok: true, held: NOTHING };
    const { pattern, throttle, connections } = throttled;
    const taken = await this.take(`domain:${pattern}`, PER_MS[throttle.per], throttle.limit);
    if (!taken.ok) return { ok: false, deferral: deferral(`throttled: ${pattern} allows ${throttle.limit} per ${throttle.per}`, taken.waitMs, messageId) };
    if (connections === null) return taken;
    const slot = await this.slot(`domain:${pattern}`, connections, messageId);
    if (slot) return { ok: true, held: heldAll([taken.held, slot]) };
    await taken.held.release();
    return { ok: false, deferral: deferral(`throttled: ${pattern} allows ${connections} connection${connections === 1 ? '' : 's'} at once, all in use`, SLOT_WAIT_MS, messageId) };
  }

  /** Step 3 for one provider of the route. */
  async provider(providerId: string, kind: 'marketing' | 'transactional', messageId: string): Promise<ProviderPass> {
    const own = this.limits.providers.get(providerId);
    if (!own) return { ok: true, held: NOTHING };
    const held: Held[] = [];
    if (own.warmup && kind === 'marketing') {
      const today = warmupDay(own.warmup, this.deps.clock.now());
      if (today.allowance !== null) {
        const taken = await this.take(`warmup:${providerId}`, DAY_MS, today.allowance);
        if (!taken.ok) {
          const reason = `warm-up: ${providerId} may send ${today.allowance} marketing messages on day ${today.day}; deferred to the next day`;
          return { ok: false, deferral: deferral(reason, taken.waitMs, messageId), spill: true };
        }
        held.push(taken.held);
      }
    }
    if (own.throttle) {
      const taken = await this.take(`provider:${providerId}`, PER_MS[own.throttle.per], own.throttle.limit);
      if (!taken.ok) {
        await Promise.all(held.map((h) => h.release()));
        return { ok: false, deferral: deferral(`throttled: ${providerId} allows ${own.throttle.limit} per ${own.throttle.per}`, taken.waitMs, messageId), spill: false };
      }
      held.push(taken.held);
    }
    if (own.connections !== null) {
      const slot = await this.slot(`provider:${providerId}`, own.connections, messageId);
      if (!slot) {
        await Promise.all(held.map((h) => h.release()));
        const reason = `throttled: ${providerId} allows ${own.connections} connection${own.connections === 1 ? '' : 's'} at once, all in use`;
        return { ok: false, deferral: deferral(reason, SLOT_WAIT_MS, messageId), spill: false };
      }
      held.push(slot);
    }
    return { ok: true, held: heldAll(held) };
  }

  /** The recipient's server answered 4xx for `domain`: back off; the deferral of this message. */
  async deferred(domain: string, error: string, messageId: string): Promise<Extract<SendResult, { status: 'retryable' }>> {
    const now = this.deps.clock.now();
    const next = await recordDeferral(this.deps.store, this.workspaceId, domain, now, error, this.limits.policy);
    this.backoffs.set(domain, next);
    // An attempt was made, so it counts as one (not `deferred`); the message waits as long as its domain.
    const { deferred: _attempted, ...result } = deferral(`${error} (${domain} backs off for ${Math.round((next.untilAt - now) / 1000)} s)`, next.untilAt - now, messageId);
    return result;
  }

  /** The domain's server accepted a message: a backoff it was in is over (a 5xx changes nothing). */
  async accepted(domain: string): Promise<void> {
    if (!this.backoffs.has(domain)) return;
    this.backoffs.delete(domain);
    await clearDomain(this.deps.store, this.workspaceId, domain);
  }
}
