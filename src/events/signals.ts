/**
 * @module Domain signals: things that happened to a contact that other parts of Qatra react to (a
 * tracked event may start or advance a journey, a contact joining a list may start a signup series).
 *
 * A service that changes data emits its signals with `deps.signals.emit(trx, …)` inside the same
 * transaction as the change, so a reaction is recorded exactly when the change commits: never lost
 * (acknowledged but not reacted to) and never for a change that rolled back. Sinks must be cheap:
 * they should only record work (e.g. insert rows into a queue) that a worker does later.
 *
 * Types only: the sinks are built per runtime (src/server/signal-sinks.ts) and joined by
 * ./signal-bus.ts, so no domain imports another's sink and no sink keeps state at module level.
 */
import type { JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';
import type { PageLocation } from './page-url.js';

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
  /** A page view's host, path and query string (./page-url.ts), for URL-pattern triggers. */
  page?: PageLocation;
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

/** Records reactions to signals inside the emitting transaction; one per domain that reacts. */
export interface SignalSink {
  record(trx: Db, signals: readonly Signal[], now: number): Promise<void>;
  /** Drops what the sink caches of a workspace (this process changed its segments or scoring setup). */
  forget?(workspaceId: string): void;
}

/** The runtime's sinks, in order, as services see them (`deps.signals`). */
export interface Signals {
  /** Calls every sink in order inside `trx`; nothing when `signals` is empty. */
  emit(trx: Db, signals: readonly Signal[], now: number): Promise<void>;
  /** This process changed a workspace's segments or scoring rules/settings: the sinks forget their cached view of it. */
  forget(workspaceId: string): void;
}
