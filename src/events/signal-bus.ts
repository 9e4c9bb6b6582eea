/**
 * @module Joins a runtime's signal sinks into the `Signals` services emit to (`deps.signals`).
 * The list itself is made in one place, src/server/signal-sinks.ts.
 */
import type { Signal, SignalSink, Signals } from './signals.js';
import type { Db } from '../store/store.js';

/**
 * The sinks, called in order. A sink that emits signals itself (scoring's score changes) needs the
 * bus it belongs to: pass a function, which receives the bus and returns the sinks.
 */
export function createSignals(sinks: readonly SignalSink[] | ((signals: Signals) => readonly SignalSink[])): Signals {
  let list: readonly SignalSink[] = [];
  const signals: Signals = {
    async emit(trx: Db, batch: readonly Signal[], now: number): Promise<void> {
      if (batch.length === 0) return;
      for (const sink of list) await sink.record(trx, batch, now);
    },
    forget(workspaceId: string): void {
      for (const sink of list) sink.forget?.(workspaceId);
    },
  };
  list = typeof sinks === 'function' ? [...sinks(signals)] : [...sinks];
  return signals;
}
