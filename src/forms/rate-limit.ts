/**
 * @module A sliding-window rate limit for the public signup endpoint: at most `limit` submissions
 * per key (form and client IP) within `windowMs`. Kept in memory per process: with several API
 * processes behind a load balancer each allows `limit`, which is acceptable for abuse damping (the
 * honeypot and double opt-in do the rest); a shared limit would need the database or a proxy.
 */
import type { Clock } from '../core/clock.js';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    /** Entries kept before expired keys are swept, bounding memory under many distinct IPs. */
    private readonly maxKeys = 50_000,
  ) {}

  hit(key: string): RateDecision {
    const now = this.clock.now();
    const since = now - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) this.sweep(since);
    return { allowed: true };
  }

  private sweep(since: number): void {
    for (const [key, times] of this.hits) if (times[times.length - 1]! <= since) this.hits.delete(key);
  }
}
