/**
 * @module The supplied events on the virtual timeline: times resolved against the start, sorted, and
 * matched the way the runtime's inbox does (src/journeys/runtime/process-inbox.ts): goals and exit
 * events end the run; a wait resumes on the first matching event at or after the wait started.
 */
import type { JsonObject } from '../../core/json.js';
import type { JourneyDocument, PropertyFilter } from '../definition/schema.js';
import { matchesFilters } from '../../conditions/conditions.js';
import { durationMs } from '../../core/duration.js';
import { OFFSET } from './schemas.js';
import { parseIsoTime } from '../../core/iso-time.js';

export interface TimedEvent {
  index: number;
  name: string;
  properties: JsonObject;
  at: number;
}

export function resolveAt(at: string, start: number): number {
  if (OFFSET.test(at)) return start + durationMs(at.startsWith('+') ? at.slice(1) : at);
  return parseIsoTime(at) ?? Number.NaN;
}

export function timeline(events: ReadonlyArray<{ name: string; properties?: Record<string, unknown> | undefined; at: string }>, start: number): TimedEvent[] {
  return events.map((e, index) => ({ index, name: e.name, properties: (e.properties ?? {}) as JsonObject, at: resolveAt(e.at, start) })).sort((a, b) => a.at - b.at || a.index - b.index);
}

export type Interrupt = { event: TimedEvent; status: 'converted' | 'exited'; reason: string };

/** A goal or exit event in (from, to]: it ends the run at its time. */
export function interrupt(doc: JourneyDocument, events: readonly TimedEvent[], from: number, to: number): Interrupt | null {
  for (const e of events) {
    if (e.at <= from || e.at > to) continue;
    if (doc.goal && doc.goal.event === e.name && matchesFilters(e.properties, doc.goal.where)) return { event: e, status: 'converted', reason: 'goal' };
    const exit = (doc.exitWhen ?? []).find((x) => x.event === e.name && matchesFilters(e.properties, x.where));
    if (exit) return { event: e, status: 'exited', reason: `exit_event:${e.name}` };
  }
  return null;
}

/** The first event resuming a wait started at `startedAt` that times out at `timeoutAt`. */
export function resuming(events: readonly TimedEvent[], wait: { event: string; where: PropertyFilter[] | null; startedAt: number }, timeoutAt: number): TimedEvent | null {
  return events.find((e) => e.name === wait.event && e.at >= wait.startedAt && e.at <= timeoutAt && matchesFilters(e.properties, wait.where)) ?? null;
}
