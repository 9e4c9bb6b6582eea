/**
 * @module A signal sink for tests, added after the runtime's own (`createHarness(kind, config,
 * { extraSinks: [tap] })`): while a test listens, every emitted signal passes through its listener
 * inside the emitting transaction (a listener that throws rolls the change back).
 */
import type { Signal, SignalSink } from '../src/events/signals.js';

export class SignalTap implements SignalSink {
  private listener: ((signals: readonly Signal[]) => void | Promise<void>) | null = null;

  async record(_trx: unknown, signals: readonly Signal[]): Promise<void> {
    if (this.listener) await this.listener(signals);
  }

  /** Calls `listener` with each emitted batch until `stop()`. */
  listen(listener: (signals: readonly Signal[]) => void | Promise<void>): void {
    this.listener = listener;
  }

  /** Collects the emitted signals that pass `keep` (all by default) until `stop()`. */
  collect(keep: (s: Signal) => boolean = () => true): Signal[] {
    const seen: Signal[] = [];
    this.listen((signals) => void seen.push(...signals.filter(keep)));
    return seen;
  }

  stop(): void {
    this.listener = null;
  }
}
