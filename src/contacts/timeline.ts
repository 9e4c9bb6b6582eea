/**
 * @module A contact's timeline: its events, its messages, its consent changes (the ledger,
 * src/consent) and the sends that were skipped before any message was recorded (a journey message
 * node skipped by the consent, quiet-hours or frequency-cap guard; a broadcast recipient skipped at
 * send time), each with its reason, merged into one list, newest first, in cursor pages. A send the
 * channel itself skipped is a message with status `skipped` and its reason.
 *
 * Order: by time (an event's `timestamp`, a message's `created_at`, a ledger row's `created_at`, a
 * step's `executed_at`, a recipient's `settled_at`) descending; at the same time messages, then
 * skipped sends (journey steps, then broadcast recipients), then consent changes, then events; then
 * by id descending. A cursor is the last entry's (time, source, id).
 * Events and messages are one range scan backwards from the cursor on their index each
 * (events_contact_time, messages_contact_time; migrations/000014.sql) reading at most `limit + 1`
 * rows, so a page costs the same on the first page and the thousandth (EXPLAIN in docs/web.md).
 * Consent rows scan consent_history_contact (contact_id, id); skipped steps are found through the
 * contact's runs (journey_runs_contact) and each run's steps (journey_steps_once); skipped broadcast
 * recipients by primary key (broadcast_id, contact_id) for each of the workspace's broadcasts. These
 * read a contact's few rows of each kind; the lists are merged here and the page cut at `limit`.
 */
import type { ServiceDeps } from '../core/deps.js';
import { ValidationError } from '../core/errors.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { MessageStatus } from '../messages/tables.js';
import type { Db } from '../store/store.js';
import { newestFirst, type KeysetBound } from '../store/keyset.js';
import { getContact } from './contacts.js';
import { getVersion } from '../journeys/versions.js';

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

/** A change of consent (a consent_history row): given, pending or withdrawn, with its source. */
export interface TimelineConsent {
  kind: 'consent';
  at: number;
  id: string;
  channel: string;
  topic: string;
  status: string;
  source: string | null;
}

/** A send skipped before a message was recorded, with the reason (`unsubscribed from email`, …). */
export interface TimelineSkippedSend {
  kind: 'skipped_send';
  at: number;
  /** `step:<journey step id>` or `broadcast:<broadcast id>`. */
  id: string;
  channel: string | null;
  reason: string | null;
  journeyId: string | null;
  nodeId: string | null;
  broadcastId: string | null;
}

export type TimelineEntry = TimelineEvent | TimelineMessage | TimelineConsent | TimelineSkippedSend;

/** Where an entry comes from; at the same time, sources sort in this order. */
const SOURCES = ['message', 'step', 'broadcast', 'consent', 'event'] as const;
type Source = (typeof SOURCES)[number];
const LETTER: Record<Source, string> = { message: 'm', step: 's', broadcast: 'b', consent: 'c', event: 'e' };
const NUMERIC: ReadonlySet<Source> = new Set(['step', 'consent', 'event']);

/** Where the previous page ended: the last entry's time, source and id within its source. */
export interface TimelineCursor {
  at: number;
  kind: Source;
  id: string;
}

export function encodeTimelineCursor(c: TimelineCursor): string {
  return `${c.at}:${LETTER[c.kind]}:${c.id}`;
}

export function decodeTimelineCursor(text: string | undefined): TimelineCursor | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{1,16}):([mbsce]):(.{1,100})$/.exec(text);
  const kind = m ? SOURCES.find((s) => LETTER[s] === m[2]) : undefined;
  if (!m || !kind || (NUMERIC.has(kind) && !/^\d{1,19}$/.test(m[3]!))) throw ValidationError.at('querystring.cursor', 'not a cursor returned by this API');
  return { at: Number(m[1]), kind, id: m[3]! };
}

/** A place in the timeline's order. */
interface Position {
  at: number;
  source: Source;
  /** The id within its source (a number's text for numeric sources). */
  key: string;
}

interface Keyed extends Position {
  entry: TimelineEntry;
}

/** Position `a` sorts before `b` (newest first). */
function before(a: Position, b: Position): boolean {
  if (a.at !== b.at) return a.at > b.at;
  if (a.source !== b.source) return SOURCES.indexOf(a.source) < SOURCES.indexOf(b.source);
  return NUMERIC.has(a.source) ? Number(a.key) > Number(b.key) : a.key > b.key;
}

/**
 * How a source of kind `mine` continues after cursor `c`: after its own kind, strictly before the
 * cursor's (time, id); after a kind sorting earlier at the same time, at the cursor's time too.
 */
function after(c: TimelineCursor | undefined, mine: Source): KeysetBound {
  if (!c) return null;
  if (c.kind === mine) return { own: true, at: c.at, id: NUMERIC.has(mine) ? Number(c.id) : c.id };
  return { own: false, at: c.at, inclusive: SOURCES.indexOf(mine) > SOURCES.indexOf(c.kind) };
}

/** The page's two hot queries: `take` events and `take` messages after the cursor, newest first. */
export function timelineQueries(db: Db, contactId: string, c: TimelineCursor | undefined, take: number) {
  const events = db.selectFrom('events').select(['id', 'type', 'name', 'properties', 'timestamp']).where('contact_id', '=', contactId);
  const messages = db
    .selectFrom('messages')
    .select([
      'id',
      'channel',
      'status',
      'reason',
      'to_address',
      'subject',
      'journey_id',
      'node_id',
      'template_id',
      'template_version',
      'sent_at',
      'open_count',
      'click_count',
      'first_opened_at',
      'first_clicked_at',
      'created_at',
    ])
    .where('contact_id', '=', contactId);
  return {
    events: newestFirst(events, 'timestamp', 'id', after(c, 'event'), take),
    messages: newestFirst(messages, 'created_at', 'id', after(c, 'message'), take),
  };
}

/** The contact's consent changes after the cursor, newest first. */
function consentQuery(db: Db, contactId: string, c: TimelineCursor | undefined, take: number) {
  const q = db.selectFrom('consent_history').select(['id', 'channel', 'topic', 'status', 'source', 'created_at']).where('contact_id', '=', contactId);
  return newestFirst(q, 'created_at', 'id', after(c, 'consent'), take);
}

/** Journey steps that skipped a send (outcome `skipped`) of the contact's runs, after the cursor. */
function skippedStepsQuery(db: Db, workspaceId: string, contactId: string, c: TimelineCursor | undefined, take: number) {
  const q = db
    .selectFrom('journey_steps as s')
    .innerJoin('journey_runs as r', 'r.id', 's.run_id')
    .select(['s.id', 's.node_id', 's.executed_at', 's.detail', 'r.journey_id', 'r.version'])
    .where('r.workspace_id', '=', workspaceId)
    .where('r.contact_id', '=', contactId)
    .where('s.outcome', '=', 'skipped');
  return newestFirst(q, 's.executed_at', 's.id', after(c, 'step'), take);
}

/** Broadcast recipients skipped at send time, after the cursor (primary-key probes per broadcast of the workspace). */
function skippedRecipientsQuery(db: Db, workspaceId: string, contactId: string, c: TimelineCursor | undefined, take: number) {
  const q = db
    .selectFrom('broadcast_recipients as br')
    .innerJoin('broadcasts as b', 'b.id', 'br.broadcast_id')
    .select(['br.broadcast_id', 'br.error', 'br.settled_at', 'b.channel'])
    .where('b.workspace_id', '=', workspaceId)
    .where('br.contact_id', '=', contactId)
    .where('br.status', '=', 'skipped')
    .where('br.settled_at', 'is not', null);
  return newestFirst(q, 'br.settled_at', 'br.broadcast_id', after(c, 'broadcast'), take);
}

export async function contactTimeline(
  deps: ServiceDeps,
  workspaceId: string,
  contactId: string,
  page: { limit: number; cursor?: TimelineCursor | undefined },
): Promise<{ entries: TimelineEntry[]; next: TimelineCursor | null }> {
  await getContact(deps, workspaceId, contactId); // 404 for another workspace's contact
  const db = deps.store.db;
  const take = page.limit + 1;
  const { events, messages } = timelineQueries(db, contactId, page.cursor, take);
  const [eventRows, messageRows, consentRows, stepRows, recipientRows] = await Promise.all([
    events.execute(),
    messages.execute(),
    consentQuery(db, contactId, page.cursor, take).execute(),
    skippedStepsQuery(db, workspaceId, contactId, page.cursor, take).execute(),
    skippedRecipientsQuery(db, workspaceId, contactId, page.cursor, take).execute(),
  ]);
  const merged: Keyed[] = [
    ...eventRows.map((e): Keyed => ({
      source: 'event',
      key: String(e.id),
      at: Number(e.timestamp),
      entry: { kind: 'event', at: Number(e.timestamp), id: String(e.id), type: e.type, name: e.name, properties: fromJson<JsonObject>(e.properties) ?? {} },
    })),
    ...messageRows.map((m): Keyed => ({
      source: 'message',
      key: m.id,
      at: Number(m.created_at),
      entry: {
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
      },
    })),
    ...consentRows.map((r): Keyed => ({
      source: 'consent',
      key: String(r.id),
      at: Number(r.created_at),
      entry: { kind: 'consent', at: Number(r.created_at), id: String(r.id), channel: r.channel, topic: r.topic, status: r.status, source: r.source },
    })),
    ...(await skippedSends(db, workspaceId, stepRows)),
    ...recipientRows.map((r): Keyed => ({
      source: 'broadcast',
      key: r.broadcast_id,
      at: Number(r.settled_at),
      entry: { kind: 'skipped_send', at: Number(r.settled_at), id: `broadcast:${r.broadcast_id}`, channel: r.channel, reason: r.error, journeyId: null, nodeId: null, broadcastId: r.broadcast_id },
    })),
  ].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  // Skipped steps are filtered here (message nodes only), so when that query filled its `take`, an
  // unread step may sort right after the last one read: this page ends there (its "horizon").
  const lastStep = stepRows.length === take ? stepRows[stepRows.length - 1]! : undefined;
  const horizon: Position | undefined = lastStep ? { at: Number(lastStep.executed_at), source: 'step', key: String(lastStep.id) } : undefined;
  const candidates = horizon ? merged.filter((k) => !before(horizon, k)) : merged;
  const kept = candidates.slice(0, page.limit);
  const last = candidates.length > page.limit ? kept[kept.length - 1] : horizon;
  return { entries: kept.map((k) => k.entry), next: last ? { at: last.at, kind: last.source, id: last.key } : null };
}

/** Skipped steps of message nodes only (a delay can be skipped too; that is no send). */
async function skippedSends(
  db: Db,
  workspaceId: string,
  rows: { id: number | string; node_id: string; executed_at: number | string; detail: unknown; journey_id: string; version: number }[],
): Promise<Keyed[]> {
  const out: Keyed[] = [];
  for (const r of rows) {
    const doc = await getVersion(db, workspaceId, r.journey_id, Number(r.version));
    const node = doc?.nodes.find((n) => n.id === r.node_id);
    if (!node || node.type !== 'message') continue;
    const detail = fromJson<JsonObject | null>(r.detail) ?? {};
    const reason = typeof detail.reason === 'string' ? detail.reason : null;
    out.push({
      source: 'step',
      key: String(r.id),
      at: Number(r.executed_at),
      entry: { kind: 'skipped_send', at: Number(r.executed_at), id: `step:${r.id}`, channel: node.channel, reason, journeyId: r.journey_id, nodeId: r.node_id, broadcastId: null },
    });
  }
  return out;
}
