/**
 * @module Whether an event starts a journey whose trigger is a page view (`trigger.type: page_view`):
 * a `page` call, not from a bot (bots emit no event signal at all: src/events/bots.ts), whose place
 * (src/events/page-url.ts) matches the trigger's URL pattern (src/conditions/url-pattern.ts) and
 * whose properties pass `where`. The runtime's inbox and the simulator both ask here.
 */
import type { JsonObject } from '../../core/json.js';
import { matchesFilters } from '../../conditions/conditions.js';
import { compileUrlPattern, matchesUrlPattern } from '../../conditions/url-pattern.js';
import { pageLocation, type PageLocation } from '../../events/page-url.js';
import type { Trigger } from './schema.js';

export interface PageEvent {
  type: string;
  properties: JsonObject;
  /** Read at ingestion; absent on events stored before it was (then read from the properties). */
  page?: PageLocation | null | undefined;
}

export function pageTriggerMatches(trigger: Trigger, event: PageEvent): boolean {
  if (trigger.type !== 'page_view' || event.type !== 'page') return false;
  const page = event.page ?? pageLocation(event.properties);
  return matchesUrlPattern(compileUrlPattern(trigger.url), page) && matchesFilters(event.properties, trigger.where);
}
