/**
 * @module A contact's timeline: its events and its messages merged into one list, newest first, in
 * cursor pages.
 *
 * Order: by time (an event's `timestamp`, a message's `created_at`) descending; at the same time
 * messages come before events; then by id descending. A cursor is the last entry's (time, kind, id).
 * Each page is two queries, each one range scan backwards from the cursor on its index
 * (events_contact_time, messages_contact_time; migrations/000014.sql) reading at most `limit + 1`
 * rows, so a page costs the same on the first page and the thousandth (EXPLAIN in docs/web.md).
 * The two lists are merged here and the page cut at `limit`.
 */
import type { ServiceDeps } from '../core/deps.js';
import { ValidationError } from '../core/errors.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { MessageStatus } from '../messages/tables.js';
import type { Db } from '../store/store.js';
import { getContact } from './contacts.js';

export interface TimelineEvent {
  kind: 'event';
  at: number;
  id: string;
  type: string;
  name: string;
  properties: JsonObject;
}

export interface TimelineMessage {
  kind: 'message';
  at: number;
  id: string;
  channel: string;
  status: MessageStatus;
  reason: string | null;
  to: string | null;
  subject: string | null;
  journeyId: string | null;
  nodeId: string | null;
  templateId: string | null;
  templateVersion: number | null;
  sentAt: number | null;
  openCount: number;
  clickCount: number;
  firstOpenedAt: number | null;
  firstClickedAt: number | null;
}

export type TimelineEntry = TimelineEvent | TimelineMessage;

/** Where the previous page ended. */
export interface TimelineCursor {
  at: number;
  kind: 'event' | 'message';
  id: string;
}

export function encodeTimelineCursor(c: TimelineCursor): string {
  return `${c.at}:${c.kind === 'event' ? 'e' : 'm'}:${c.id}`;
}

export function decodeTimelineCursor(text: string | undefined): TimelineCursor | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{1,16}):([em]):(.{1,100})$/.exec(text);
  if (!m || (m[2] === 'e' && !/^\d{1,19}$/.test(m[3]!))) throw ValidationError.at('querystring.cursor', 'not a cursor returned by this API');
  return { at: Number(m[1]), kind: m[2] === 'e' ? 'event' : 'message', id: m[3]! };
}

/** Entry `a` sorts before `b` (newest first). */
function before(a: TimelineEntry, b: TimelineEntry): boolean {
  if (a.at !== b.at) return a.at > b.at;
  if (a.kind !== b.kind) return a.kind === 'message';
  return a.kind === 'event' ? Number(a.id) > Number(b.id) : a.id > b.id;
}

/** The page's two queries: `take` events and `take` messages after the cursor, newest first. */
export function timelineQueries(db: Db, contactId: string, c: TimelineCursor | undefined, take: number) {
  let events = db.selectFrom('events').select(['id', 'type', 'name', 'properties', 'timestamp']).where('contact_id', '=', contactId);
  if (c?.kind === 'event') events = events.where((eb) => eb(eb.refTuple('timestamp', 'id'), '<', eb.tuple(c.at, Number(c.id))));
  // After a message at time t, every event at t is still to come (messages sort first).
  else if (c) events = events.where('timestamp', '<=', c.at);
  let messages = db
    .selectFrom('messages')
    .select(['id', 'channel', 'status', 'reason', 'to_address', 'subject', 'journey_id', 'node_id', 'template_id', 'template_version', 'sent_at', 'open_count', 'click_count', 'first_opened_at', 'first_clicked_at', 'created_at'])
    .where('contact_id', '=', contactId);
  if (c?.kind === 'message') messages = messages.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(c.at, c.id)));
  else if (c) messages = messages.where('created_at', '<', c.at);
  return {
    events: events.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(take),
    messages: messages.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(take),
  };
}

export async function contactTimeline(
  deps: ServiceDeps,
  workspaceId: string,
  contactId: string,
  page: { limit: number; cursor?: TimelineCursor | undefined },
): Promise<{ entries: TimelineEntry[]; next: TimelineCursor | null }> {
  await getContact(deps, workspaceId, contactId); // 404 for another workspace's contact
  const { events, messages } = timelineQueries(deps.store.db, contactId, page.cursor, page.limit + 1);
  const [eventRows, messageRows] = await Promise.all([events.execute(), messages.execute()]);
  const merged: TimelineEntry[] = [
    ...eventRows.map((e): TimelineEvent => ({ kind: 'event', at: Number(e.timestamp), id: String(e.id), type: e.type, name: e.name, properties: fromJson<JsonObject>(e.properties) ?? {} })),
    ...messageRows.map(
      (m): TimelineMessage => ({
        kind: 'message',
        at: Number(m.created_at),
        id: m.id,
        channel: m.channel,
        status: m.status,
        reason: m.reason,
        to: m.to_address,
        subject: m.subject,
        journeyId: m.journey_id,
        nodeId: m.node_id,
        templateId: m.template_id,
        templateVersion: m.template_version,
        sentAt: m.sent_at === null ? null : Number(m.sent_at),
        openCount: m.open_count,
        clickCount: m.click_count,
        firstOpenedAt: m.first_opened_at === null ? null : Number(m.first_opened_at),
        firstClickedAt: m.first_clicked_at === null ? null : Number(m.first_clicked_at),
      }),
    ),
  ].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const entries = merged.slice(0, page.limit);
  const last = entries[entries.length - 1];
  return { entries, next: merged.length > page.limit && last ? { at: last.at, kind: last.kind, id: last.id } : null };
}
