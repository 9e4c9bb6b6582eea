/**
 * @module Domain signals: things that happened to a contact that other parts of Qatra react to (a
 * tracked event may start or advance a journey, a contact joining a list may start a signup series).
 *
 * A service that changes data emits its signals with `emitSignals(trx, …)` inside the same
 * transaction as the change, so a reaction is recorded exactly when the change commits: never lost
 * (acknowledged but not reacted to) and never for a change that rolled back. Sinks must be cheap:
 * they should only record work (e.g. insert rows into a queue) that a worker does later.
 */
import type { JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';
import { journeySignalSink } from '../journeys/runtime/inbox-sink.js';
import { segmentSignalSink } from '../segments/sink.js';
import { messageSignalSink } from '../messages/merge-sink.js';
import { scoringSignalSink } from '../scoring/sink.js';

export interface StoredEvent {
  id: number;
  workspaceId: string;
  contactId: string;
  /** Segment call type: track, identify, page, screen, group, alias, or an internal type. */
  type: string;
  name: string;
  properties: JsonObject;
  /** Client time (skew-corrected), epoch ms. */
  timestamp: number;
  receivedAt: number;
}

export type Signal =
  | { kind: 'event'; event: StoredEvent }
  | { kind: 'contact_created'; workspaceId: string; contactId: string }
  | { kind: 'contact_updated'; workspaceId: string; contactId: string; changed: string[] }
  | { kind: 'contact_merged'; workspaceId: string; fromContactId: string; intoContactId: string }
  | { kind: 'contact_deleted'; workspaceId: string; contactId: string }
  | { kind: 'list_joined'; workspaceId: string; contactId: string; listId: string }
  /** A contact entered a segment (src/segments/members.ts); journeys with trigger.segment = segmentId start. */
  | { kind: 'segment_entered'; workspaceId: string; contactId: string; segmentId: string };

/** Records reactions to signals inside the emitting transaction. */
export type SignalSink = (trx: Db, signals: readonly Signal[], now: number) => Promise<void>;

/** Every sink, in one list. A domain that reacts to signals (journeys, segments, scoring) adds its sink here. */
export const signalSinks: SignalSink[] = [journeySignalSink, segmentSignalSink, messageSignalSink, scoringSignalSink];

export async function emitSignals(trx: Db, signals: readonly Signal[], now: number): Promise<void> {
  if (signals.length === 0) return;
  for (const sink of signalSinks) await sink(trx, signals, now);
}
