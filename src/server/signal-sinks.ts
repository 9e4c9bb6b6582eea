/**
 * @module The one list of signal sinks, in order: journeys (inbox rows, ended and moved runs),
 * segments (dirty pairs), messages (merged contacts' records) and scoring (points, activity, the
 * lead_score mirror). Each runtime (`qatra start`/`worker`, the CLI, the test harness, benches)
 * builds its own, so the sinks' caches live as long as the runtime and no longer.
 *
 * Reads `store.dialect` only to hand it to the scoring sink, whose statements are hand-written
 * (rows as one JSON parameter: src/scoring/apply.ts).
 */
import { createSignals } from '../events/signal-bus.js';
import type { SignalSink, Signals } from '../events/signals.js';
import { createJourneySignalSink } from '../journeys/runtime/inbox-sink.js';
import { createSegmentSignalSink } from '../segments/sink.js';
import { messageSignalSink } from '../messages/merge-sink.js';
import { createScoringSignalSink } from '../scoring/sink.js';
import type { DialectName } from '../store/store.js';

/** The sinks for a store of `dialect`; `extraSinks` (tests recording signals) come after them. */
export function defaultSignals(store: { dialect: DialectName }, extraSinks: readonly SignalSink[] = []): Signals {
  return createSignals((signals) => [createJourneySignalSink(), createSegmentSignalSink(), messageSignalSink, createScoringSignalSink({ dialect: store.dialect, signals }), ...extraSinks]);
}
