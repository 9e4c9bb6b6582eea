/**
 * @module The planted-data generator of the insights proofs (issue 22): a workspace over 42 days whose
 * truths are known, so tests and benches can assert that the finders report them and nothing else.
 *
 * Planted truths (see `PLANTED`):
 *  - `loyalty_member = true` doubles a contact's conversion probability; `favourite_colour` does nothing;
 *  - weekends (Saturday, Sunday UTC) are quieter: 40% of the sends, half the opens and a fifth of the
 *    clicks per message (a day-to-day baseline flags every weekend; a weekly one must flag none);
 *  - from day 20 (a Wednesday) hard bounces at one recipient domain jump from 0.6% to 30%.
 *
 * Everything is drawn from one seeded PRNG (mulberry32), so the same options give the same rows on
 * SQLite and PostgreSQL. Rows are inserted in bulk through the store (multi-row INSERTs in chunks on
 * SQLite, column arrays through unnest on PostgreSQL), day by day, so the large size (1M contacts / 10M events) never holds
 * more than one day of rows in memory.
 *
 * Tables written: workspaces, contacts, messages (email and SMS, journey and broadcast, with opens,
 * clicks, bounces, complaints), consent_history (unsubscribes), events (`Viewed Product` page views
 * and `Order Completed` conversions with a `revenue` property).
 */
import { sql } from 'kysely';
import type { Store } from '../store/store.js';

export const DAY_MS = 86_400_000;

/** The ground truth every planted workspace shares. */
export const PLANTED = Object.freeze({
  days: 42,
  /** 2026-10-01, a Thursday (UTC): day 20 is a Wednesday, so the spike does not start on a weekend. */
  start: Date.UTC(2026, 9, 1),
  spikeDay: 20,
  spikeDomain: 'inbox.gamma.test',
  domains: ['mail.alpha.test', 'post.beta.test', 'inbox.gamma.test', 'delta.test'] as readonly string[],
  domainWeights: [0.35, 0.25, 0.2, 0.2] as readonly number[],
  locales: ['en', 'ar', 'fa'] as readonly string[],
  localeWeights: [0.6, 0.25, 0.15] as readonly number[],
  plantedAttribute: 'loyalty_member',
  nullAttribute: 'favourite_colour',
  conversionEvent: 'Order Completed',
  pageEvent: 'Viewed Product',
  journeyId: 'planted-journey',
  broadcastId: 'planted-broadcast',
  templates: ['tpl-welcome', 'tpl-promo', 'tpl-news'] as readonly string[],
  /** Conversion probability over the 42 days without and with the planted attribute. */
  baseConversion: 0.12,
  plantedConversion: 0.24,
  hardBounceRate: 0.006,
  spikeHardBounceRate: 0.3,
  softBounceRate: 0.004,
});

export type PlantedSize = 'small' | 'large';

export interface PlantedOptions {
  seed?: number;
  workspaceId?: string;
  /** Contacts; default 3,000 (small). */
  contacts?: number;
  /** Probability that a contact gets a message on a weekday (weekends: 40% of it). Default 0.3. */
  sendRate?: number;
  /** Page views per contact per weekday (weekends: 60% of it). Default 0.3. */
  pageViewRate?: number;
  /** Rows per INSERT statement. */
  chunk?: number;
}

/** The sizes the tests and the bench use: small ≈ 3k contacts; large = 1M contacts, ≈ 10M events. */
export function plantedSize(size: PlantedSize): Required<Pick<PlantedOptions, 'contacts' | 'sendRate' | 'pageViewRate'>> {
  return size === 'small' ? { contacts: 3000, sendRate: 0.3, pageViewRate: 0.3 } : { contacts: 1_000_000, sendRate: 0.08, pageViewRate: 0.27 };
}

export interface PlantedWorkspace {
  workspaceId: string;
  start: number;
  end: number;
  counts: { contacts: number; messages: number; events: number; conversions: number; unsubscribes: number };
}

/** mulberry32: small, fast, good enough for planting data; same sequence on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(r: number, weights: readonly number[]): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (r < acc) return i;
  }
  return weights.length - 1;
}

/** Day-of-week of a planted day (0 = Sunday … 6 = Saturday, UTC). */
export const weekdayOf = (day: number) => new Date(PLANTED.start + day * DAY_MS).getUTCDay();
export const isWeekend = (day: number) => weekdayOf(day) === 0 || weekdayOf(day) === 6;

/** A send hour: mostly office hours, some evening. */
const sendHour = (r: number) => (r < 0.8 ? 8 + Math.floor(r * 12.5) : 18 + Math.floor((r - 0.8) * 20));

type Row = Record<string, unknown>;

/**
 * Buffers rows and inserts them in chunks. On PostgreSQL one statement per chunk takes each column as
 * one text array (`INSERT … SELECT u.c::type … FROM unnest($1::text[], …)`): a few parameters
 * whatever the chunk size, and 10,000-row chunks, which the large size needs (1M contacts, ≈13M
 * rows); the column types come from information_schema, so the generator names no type twice.
 */
class Inserter {
  private pending: Row[] = [];
  private pgTypes: Map<string, string> | null = null;
  count = 0;
  constructor(
    private store: Store,
    private table: 'contacts' | 'messages' | 'events' | 'consent_history',
    private chunk: number,
  ) {}
  async add(row: Row) {
    this.pending.push(row);
    if (this.pending.length >= (this.store.dialect === 'postgres' ? PG_CHUNK : this.chunk)) await this.flush();
  }
  async flush() {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.count += rows.length;
    if (this.store.dialect === 'postgres') return this.flushPostgres(rows);
    await this.store.db
      .insertInto(this.table)
      .values(rows as never)
      .execute();
  }
  private async flushPostgres(rows: Row[]) {
    if (!this.pgTypes) {
      const cols = await sql<{
        column_name: string;
        udt_name: string;
      }>`SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${this.table}`.execute(this.store.db);
      this.pgTypes = new Map(cols.rows.map((c) => [c.column_name, c.udt_name]));
    }
    const columns = Object.keys(rows[0]!);
    const arrays = columns.map((c) => rows.map((r) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
    const select = sql.join(columns.map((c, i) => sql`${sql.ref(`u.c${i}`)}::${sql.raw(this.pgTypes!.get(c)!)}`));
    const unnest = sql.join(arrays.map((a) => sql`${a}::text[]`));
    const names = sql.join(columns.map((_, i) => sql.ref(`c${i}`)));
    await sql`INSERT INTO ${sql.table(this.table)} (${sql.join(columns.map((c) => sql.ref(c)))}) SELECT ${select} FROM unnest(${unnest}) AS u(${names})`.execute(this.store.db);
  }
}

/** Rows per statement on PostgreSQL (column arrays: the parameter count does not grow with it). */
const PG_CHUNK = 10_000;

/** Generates a planted workspace; see the module comment for what it holds. */
export async function generatePlanted(store: Store, options: PlantedOptions = {}): Promise<PlantedWorkspace> {
  const seed = options.seed ?? 22;
  const ws = options.workspaceId ?? `ws_planted_${seed}`;
  const nContacts = options.contacts ?? 3000;
  const sendRate = options.sendRate ?? 0.3;
  const pageViewRate = options.pageViewRate ?? 0.3;
  const rand = prng(seed);
  const P = PLANTED;
  const end = P.start + P.days * DAY_MS;
  // Columns per row ≤ 30; 400 rows stay under SQLite's and PostgreSQL's bound-parameter limits.
  const chunk = options.chunk ?? 400;
  await store.db
    .insertInto('workspaces')
    .values({ id: ws, name: 'Planted insights workspace', timezone: 'UTC', settings: '{}', created_at: P.start - 90 * DAY_MS })
    // An existing workspace (a test harness's tenant) is planted into as it is.
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();

  const contacts = new Inserter(store, 'contacts', chunk);
  const domainOf = new Uint8Array(nContacts);
  const localeOf = new Uint8Array(nContacts);
  const convertDay = new Int16Array(nContacts).fill(-1);
  const colours = ['red', 'green', 'blue'];
  for (let i = 0; i < nContacts; i++) {
    const d = pick(rand(), P.domainWeights);
    const l = pick(rand(), P.localeWeights);
    const loyal = rand() < 0.3;
    const colour = colours[Math.floor(rand() * 3)]!;
    const plan = rand() < 0.25 ? 'pro' : 'free';
    domainOf[i] = d;
    localeOf[i] = l;
    if (rand() < (loyal ? P.plantedConversion : P.baseConversion)) convertDay[i] = Math.floor(rand() * P.days);
    const created = P.start - Math.floor(rand() * 60) * DAY_MS;
    await contacts.add({
      id: `${ws}_c${i}`,
      workspace_id: ws,
      user_id: `u${i}`,
      email: `user${i}@${P.domains[d]}`,
      phone: `+9891200${String(i).padStart(5, '0')}`,
      timezone: 'UTC',
      locale: P.locales[l],
      attributes: JSON.stringify({ [P.plantedAttribute]: loyal, [P.nullAttribute]: colour, plan }),
      created_at: created,
      updated_at: created,
    });
  }
  await contacts.flush();

  const messages = new Inserter(store, 'messages', chunk);
  const events = new Inserter(store, 'events', chunk);
  const consent = new Inserter(store, 'consent_history', chunk);
  let conversions = 0;
  let msgSeq = 0;
  let evSeq = 0;
  for (let day = 0; day < P.days; day++) {
    const dayStart = P.start + day * DAY_MS;
    const weekend = isWeekend(day);
    const pSend = weekend ? sendRate * 0.4 : sendRate;
    const pOpen = weekend ? 0.12 : 0.25;
    const pClickIfOpen = weekend ? 0.1 : 0.24;
    const pPage = (weekend ? 0.6 : 1) * pageViewRate;
    for (let i = 0; i < nContacts; i++) {
      const cid = `${ws}_c${i}`;
      // Page views: Poisson-ish, at most 3 a day.
      let views = 0;
      for (let k = 0; k < 3 && rand() < pPage / (k + 1); k++) views++;
      for (let k = 0; k < views; k++) {
        const ts = dayStart + Math.floor(rand() * DAY_MS);
        await events.add({
          workspace_id: ws,
          contact_id: cid,
          type: 'track',
          name: P.pageEvent,
          properties: JSON.stringify({ sku: `sku-${Math.floor(rand() * 50)}` }),
          context: null,
          message_id: `${ws}-e${evSeq++}`,
          timestamp: ts,
          received_at: ts,
        });
      }
      if (convertDay[i] === day) {
        const ts = dayStart + Math.floor(rand() * DAY_MS);
        const revenue = 20 + Math.round(rand() * 100);
        conversions++;
        await events.add({
          workspace_id: ws,
          contact_id: cid,
          type: 'track',
          name: P.conversionEvent,
          properties: JSON.stringify({ revenue }),
          context: null,
          message_id: `${ws}-e${evSeq++}`,
          timestamp: ts,
          received_at: ts,
        });
      }
      if (rand() >= pSend) continue;
      const sms = rand() < 0.1;
      const fromJourney = rand() < 0.6;
      const template = P.templates[Math.floor(rand() * P.templates.length)]!;
      const at = dayStart + sendHour(rand()) * 3_600_000 + Math.floor(rand() * 3_600_000);
      const id = `${ws}_m${msgSeq++}`;
      const domain = P.domains[domainOf[i]!]!;
      let status: 'sent' | 'bounced' = 'sent';
      let reason: string | null = null;
      let firstOpen: number | null = null;
      let firstClick: number | null = null;
      let complained: number | null = null;
      let deliveryStatus: string | null = null;
      const r = rand();
      if (sms) {
        deliveryStatus = r < 0.97 ? 'delivered' : 'undelivered';
        if (deliveryStatus === 'delivered' && rand() < pOpen * pClickIfOpen) firstClick = at + Math.floor(rand() * 7_200_000);
      } else {
        const hard = day >= P.spikeDay && domain === P.spikeDomain ? P.spikeHardBounceRate : P.hardBounceRate;
        if (r < hard) [status, reason] = ['bounced', 'hard bounce: 5.1.1 user unknown'];
        else if (r < hard + P.softBounceRate) [status, reason] = ['bounced', 'soft bounce: 4.2.2 mailbox full'];
        else {
          if (rand() < pOpen) {
            firstOpen = at + Math.floor(rand() * 10_800_000);
            if (rand() < pClickIfOpen) firstClick = firstOpen + Math.floor(rand() * 600_000);
          }
          if (rand() < 0.0005) complained = at + 3_600_000;
          if (rand() < 0.002) await consent.add({ workspace_id: ws, contact_id: cid, channel: 'email', topic: '', status: 'unsubscribed', source: 'one-click', created_at: at + 1_800_000 });
        }
      }
      await messages.add({
        id,
        workspace_id: ws,
        contact_id: cid,
        channel: sms ? 'sms' : 'email',
        kind: 'marketing',
        idempotency_key: fromJourney ? `run:${id}` : `broadcast:${P.broadcastId}:${id}`,
        journey_id: fromJourney ? P.journeyId : null,
        journey_version: fromJourney ? 1 : null,
        template_id: template,
        template_version: 1,
        provider: sms ? 'sms-gateway' : 'smtp',
        status,
        reason,
        to_address: sms ? `+9891200${String(i).padStart(5, '0')}` : `user${i}@${domain}`,
        subject: sms ? null : 'Hello',
        links: '[]',
        attempts: 1,
        open_count: firstOpen === null ? 0 : 1,
        click_count: firstClick === null ? 0 : 1,
        first_opened_at: firstOpen,
        first_clicked_at: firstClick,
        complained_at: complained,
        segments: 1,
        delivery_status: deliveryStatus,
        delivered_at: deliveryStatus === 'delivered' ? at + 5000 : null,
        created_at: at,
        sent_at: at,
        updated_at: at,
      });
    }
  }
  await messages.flush();
  await events.flush();
  await consent.flush();
  return {
    workspaceId: ws,
    start: P.start,
    end,
    counts: { contacts: nContacts, messages: messages.count, events: events.count, conversions, unsubscribes: consent.count },
  };
}
