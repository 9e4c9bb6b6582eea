/**
 * @module The scoring signal sink (listed in src/server/signal-sinks.ts), run inside the transaction that
 * stored the events or changed the contacts, so points commit with their cause. Per workspace with
 * an enabled rule or decay (./catalog.ts, a cache the sink keeps per runtime; nothing else happens
 * for the others):
 *
 *  - events move the contacts' last activity (./activity.ts);
 *  - each event is matched against the event rules of its name with the journeys' own property
 *    filter (`matchesFilters`), in the order the events came;
 *  - created, merged and changed contacts (when a changed key is one an attribute rule reads) are
 *    checked against the attribute rules with the journeys' condition evaluator; an attribute rule
 *    applies once per contact;
 *  - a merge moves the merged-away contact's history and adds its score to the survivor's;
 *  - caps (`maxPerContact`, `maxPerPeriod`) count the rule's history rows plus the ones of this
 *    transaction, under the lock of ./apply.ts's lockScores;
 *  - contacts.attributes.lead_score is scoring's own: a write to it from elsewhere (identify traits,
 *    PATCH, a merge of attributes) is put back to the stored score in the same transaction.
 *
 * The changes go through ./apply.ts, which emits `lead_score.changed` and `contact_updated` to the
 * bus the sink belongs to (given to the factory); this sink sees those again and leaves them alone
 * (no rule may name `lead_score.changed`, and the mirror then equals the score). The factory also
 * gets the store's dialect, for the hand-written statements.
 */
import { sql } from 'kysely';
import type { Signal, SignalSink, Signals, StoredEvent } from '../events/signals.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { Db, DialectName } from '../store/store.js';
import { evaluate, matchesFilters } from '../conditions/conditions.js';
import { loadContacts } from '../contacts/load.js';
import { createScoringCatalog, type ScoringSetup } from './catalog.js';
import { isOwnSignal, lockScores, mirror, writeChanges, writeStates, type ScoreChange, type ScoreState } from './apply.js';
import { activityOf, recordActivity } from './activity.js';
import type { CompiledRule } from './rule.js';

interface Candidate {
  contactId: string;
  rule: CompiledRule;
  detail: JsonObject;
}

interface WorkspaceSignals {
  events: StoredEvent[];
  /** Contacts to check against the attribute rules: 'all' rules, or those reading the changed keys. */
  attributeChecks: Map<string, 'all' | Set<string>>;
  /** Contacts whose lead_score attribute may have been written by someone else. */
  mirrorChecks: Set<string>;
  merges: { from: string; into: string }[];
}

/** `attributes.plan.x` or `plan` → `plan` (contacts.ts and identity.ts name changes either way). */
const topKey = (changed: string) => (changed.startsWith('attributes.') ? changed.slice('attributes.'.length) : changed).split('.')[0]!;

function group(signals: readonly Signal[]): Map<string, WorkspaceSignals> {
  const out = new Map<string, WorkspaceSignals>();
  const of = (ws: string) => {
    let g = out.get(ws);
    if (!g) out.set(ws, (g = { events: [], attributeChecks: new Map(), mirrorChecks: new Set(), merges: [] }));
    return g;
  };
  const checkAll = (g: WorkspaceSignals, contactId: string) => g.attributeChecks.set(contactId, 'all');
  for (const s of signals) {
    switch (s.kind) {
      case 'event':
        of(s.event.workspaceId).events.push(s.event);
        break;
      case 'contact_created':
        checkAll(of(s.workspaceId), s.contactId);
        of(s.workspaceId).mirrorChecks.add(s.contactId);
        break;
      case 'contact_updated': {
        const g = of(s.workspaceId);
        if (!isOwnSignal(s)) g.mirrorChecks.add(s.contactId);
        const keys = g.attributeChecks.get(s.contactId) ?? new Set<string>();
        if (keys !== 'all') for (const c of s.changed) keys.add(topKey(c));
        g.attributeChecks.set(s.contactId, keys);
        break;
      }
      case 'contact_merged':
        of(s.workspaceId).merges.push({ from: s.fromContactId, into: s.intoContactId });
        checkAll(of(s.workspaceId), s.intoContactId);
        break;
      case 'contact_deleted': // the score and its history go with the contact (ON DELETE CASCADE)
      case 'list_joined':
      case 'segment_entered':
        break;
      default: {
        const never: never = s;
        throw new Error(`unknown signal ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

export interface ScoringSinkDeps {
  /** The store's backend, for the hand-written statements. */
  dialect: DialectName;
  /** The bus this sink is part of: score changes are emitted to it. */
  signals: Signals;
}

/** The sink with its own catalog (./catalog.ts); `forget` drops a workspace's setup (this process changed it). */
export function createScoringSignalSink(deps: ScoringSinkDeps): SignalSink {
  const catalog = createScoringCatalog();
  return {
    async record(trx, signals, now) {
      for (const [workspaceId, g] of group(signals)) {
        const setup = await catalog.setup(trx, workspaceId);
        if (!setup.active) continue;
        await scoreWorkspace(trx, deps, workspaceId, setup, g, now);
      }
    },
    forget: (workspaceId) => catalog.forget(workspaceId),
  };
}

async function scoreWorkspace(trx: Db, out: ScoringSinkDeps, workspaceId: string, setup: ScoringSetup, g: WorkspaceSignals, now: number): Promise<void> {
  const activity = activityOf(g.events, now);
  const candidates: Candidate[] = [];
  for (const e of g.events) {
    for (const rule of setup.byEvent.get(e.name) ?? []) {
      if (matchesFilters(e.properties, rule.where)) candidates.push({ contactId: e.contactId, rule, detail: { eventId: e.id, event: e.name } });
    }
  }
  const toCheck = new Set<string>();
  for (const [contactId, keys] of g.attributeChecks) {
    if (keys === 'all' || [...keys].some((k) => setup.attributeKeys.has(k))) toCheck.add(contactId);
  }
  if (setup.attributeRules.length > 0 && toCheck.size > 0) {
    const contacts = await loadContacts(trx, [...toCheck]);
    for (const contact of contacts.values()) {
      for (const rule of setup.attributeRules) {
        const scope = { contact, trigger: {}, event: {}, data: {}, since: 0, now, db: trx };
        if (await evaluate(rule.condition!, scope)) candidates.push({ contactId: contact.id, rule, detail: { attributes: true } });
      }
    }
  }

  const merged = await moveMergedHistory(trx, g.merges);
  const locking = new Set([...candidates.map((c) => c.contactId), ...merged.map((m) => m.into)]);
  // Contacts whose score row is written anyway get their activity in that write (one UPDATE fewer).
  await recordActivity(trx, out.dialect, new Map([...activity].filter(([id]) => !locking.has(id))), setup.decay);
  if (locking.size > 0) {
    const states = await lockScores(trx, workspaceId, [...locking], now);
    const moved: ScoreState[] = [];
    for (const [id, at] of activity) {
      const st = states.get(id);
      if (st && st.lastActivityAt < at) {
        st.lastActivityAt = at;
        st.decayPeriods = 0;
        moved.push(st);
      }
    }
    const changes: ScoreChange[] = merged.map((m) => ({ contactId: m.into, delta: m.score, reason: 'merge', detail: { fromContactId: m.from } }));
    for (const c of await withinCaps(trx, candidates, now)) changes.push({ contactId: c.contactId, delta: c.rule.points, reason: 'rule', ruleId: c.rule.id, detail: c.detail });
    const written = new Set((await writeChanges(trx, out, workspaceId, states, changes, setup.decay, now)).map((e) => e.contactId));
    await writeStates(
      trx,
      out.dialect,
      moved.filter((st) => !written.has(st.contactId)),
      setup.decay,
      now,
    );
  }
  await restoreMirror(trx, out.dialect, g.mirrorChecks, now);
}

/** Moves a merged-away contact's history to the survivor; returns the scores to add to it. */
async function moveMergedHistory(trx: Db, merges: WorkspaceSignals['merges']): Promise<{ from: string; into: string; score: number }[]> {
  const out = [];
  for (const m of merges) {
    await trx.updateTable('score_history').set({ contact_id: m.into }).where('contact_id', '=', m.from).execute();
    const row = await trx.selectFrom('lead_scores').select('score').where('contact_id', '=', m.from).executeTakeFirst();
    if (row && Number(row.score) !== 0) out.push({ ...m, score: Number(row.score) });
  }
  return out;
}

/** The candidates, in order, that their rules' caps still allow. */
async function withinCaps(trx: Db, candidates: Candidate[], now: number): Promise<Candidate[]> {
  const capped = new Map<string, { rule: CompiledRule; contacts: Set<string> }>();
  for (const c of candidates) {
    if (c.rule.maxPerContact === null && c.rule.maxPerPeriod === null) continue;
    const entry = capped.get(c.rule.id) ?? { rule: c.rule, contacts: new Set<string>() };
    entry.contacts.add(c.contactId);
    capped.set(c.rule.id, entry);
  }
  // Past applications per (rule, contact): ever, and within the rule's period.
  const ever = new Map<string, number>();
  const recent = new Map<string, number>();
  for (const { rule, contacts } of capped.values()) {
    const since = rule.maxPerPeriod ? now - rule.maxPerPeriod.periodMs : now;
    const rows = await trx
      .selectFrom('score_history')
      .select((eb) => ['contact_id', eb.fn.countAll<number>().as('n'), sql<number>`sum(CASE WHEN at > ${since} THEN 1 ELSE 0 END)`.as('recent')])
      .where('rule_id', '=', rule.id)
      .where('contact_id', 'in', [...contacts])
      .groupBy('contact_id')
      .execute();
    for (const r of rows) {
      ever.set(`${rule.id}\u0000${r.contact_id}`, Number(r.n));
      recent.set(`${rule.id}\u0000${r.contact_id}`, Number(r.recent));
    }
  }
  const out: Candidate[] = [];
  for (const c of candidates) {
    const key = `${c.rule.id}\u0000${c.contactId}`;
    const n = ever.get(key) ?? 0;
    const p = recent.get(key) ?? 0;
    if (c.rule.maxPerContact !== null && n >= c.rule.maxPerContact) continue;
    if (c.rule.maxPerPeriod !== null && p >= c.rule.maxPerPeriod.times) continue;
    ever.set(key, n + 1);
    recent.set(key, p + 1);
    out.push(c);
  }
  return out;
}

/** Puts contacts.attributes.lead_score back to the stored score where something else wrote it. */
async function restoreMirror(trx: Db, dialect: DialectName, contactIds: Set<string>, now: number): Promise<void> {
  if (contactIds.size === 0) return;
  const ids = [...contactIds];
  const wrong: [string, number][] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx
      .selectFrom('contacts as c')
      .leftJoin('lead_scores as s', 's.contact_id', 'c.id')
      .select(['c.id', 'c.attributes', 's.score'])
      .where('c.id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      const attrs = fromJson<JsonObject>(r.attributes) ?? {};
      const score = r.score === null ? null : Number(r.score);
      const has = Object.prototype.hasOwnProperty.call(attrs, 'lead_score');
      if (score === null ? has : attrs.lead_score !== score) wrong.push([r.id, score ?? 0]);
    }
  }
  if (wrong.length === 0) return;
  await mirror(trx, dialect, wrong, now);
}
