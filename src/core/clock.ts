/**
 * @module The clock is a dependency so that tests can move time by weeks. All persisted times are
 * epoch milliseconds.
 */

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests of journeys that span weeks. */
export class ManualClock implements Clock {
  constructor(private ms: number = Date.UTC(2026, 0, 5, 12, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
