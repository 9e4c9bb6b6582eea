/**
 * @module Message records written for many sends at once, so that a batch of deliveries costs a few
 * statements instead of a few per message:
 *
 *  - `reserveMessages`: one multi-row INSERT … ON CONFLICT DO NOTHING for a batch's records (the
 *    keys already recorded by an earlier attempt are then read in one SELECT);
 *  - `outcomeWriter`: a send's outcome and what left (provider, subject, links, Message-ID) in one
 *    UPDATE, and the outcomes of sends that finish together in the same UPDATE: one statement per
 *    flush, by hand (PostgreSQL `jsonb_to_recordset`, SQLite `json_each`, as in
 *    src/journeys/runtime/bulk.ts).
 *
 * Why: the email bench issued 8.7 (PostgreSQL) and 9.2 (SQLite) statements per message (reserve,
 * content, outcome, and the send-time reads); 0.37 and 0.38 with these and the per-batch reads of
 * src/channels/email/channel.ts (counted, docs/benchmarks.md "Email send path"). SQLite runs with
 * synchronous=FULL: every commit is an fsync (~1.5 ms, blocking the event loop), so fewer commits
 * matter there in the same way.
 *
 * The content is not written for a contact erased meanwhile (the join on contacts; recordContent does
 * the same check): an erasure that commits while the mail is in flight leaves no address or subject.
 * The content is written with the outcome, not before the provider call: one statement fewer. The
 * cost: a worker killed after the SMTP server accepted a mail but before its outcome committed
 * leaves the record without subject and links until the retry (same Message-ID) records them.
 */
import { sql } from 'kysely';
import type { Db, Store } from '../store/store.js';
import { newId } from '../core/ids.js';
import { toJson } from '../core/json.js';
import { ATTEMPT_LEASE_MS, newMessageRow, recordContent, recordOutcome, toMessage, type Message, type MessageStatus, type NewMessage, type SentContent } from './records.js';

export type { SentContent } from './records.js';

/** Rows per INSERT: 27 parameters a row stays far below both backends' limits. */
const RESERVE_CHUNK = 500;

/** reserveMessage for a batch, in order: a new record is created already claimed (attempts 1, lease taken). */
export async function reserveMessages(db: Db, inputs: readonly NewMessage[], now: number, leaseMs = ATTEMPT_LEASE_MS): Promise<{ message: Message; created: boolean }[]> {
  const key = (ws: string, k: string) => `${ws}\u0000${k}`;
  const created = new Map<string, Message>();
  for (let start = 0; start < inputs.length; start += RESERVE_CHUNK) {
    const rows = inputs.slice(start, start + RESERVE_CHUNK).map((input) => newMessageRow(input, now, leaseMs));
    const inserted = await db
      .insertInto('messages')
      .values(rows)
      .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
      .returningAll()
      .execute();
    for (const row of inserted) created.set(key(row.workspace_id, row.idempotency_key), toMessage(row));
  }
  // Keys recorded before (a retried delivery), or twice in this batch: read what is there.
  const claimed = new Set<string>();
  const missing = inputs.filter((i) => {
    const k = key(i.workspaceId, i.idempotencyKey);
    const fresh = created.has(k) && !claimed.has(k);
    claimed.add(k);
    return !fresh;
  });
  const existing = new Map<string, Message>();
  for (const ws of new Set(missing.map((m) => m.workspaceId))) {
    const keys = [...new Set(missing.filter((m) => m.workspaceId === ws).map((m) => m.idempotencyKey))];
    for (let start = 0; start < keys.length; start += RESERVE_CHUNK) {
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('workspace_id', '=', ws)
        .where('idempotency_key', 'in', keys.slice(start, start + RESERVE_CHUNK))
        .execute();
      for (const row of rows) existing.set(key(row.workspace_id, row.idempotency_key), toMessage(row));
    }
  }
  const handedOut = new Set<string>();
  return inputs.map((input) => {
    const k = key(input.workspaceId, input.idempotencyKey);
    const mine = created.get(k);
    if (mine && !handedOut.has(k)) {
      handedOut.add(k);
      return { message: mine, created: true };
    }
    const found = existing.get(k) ?? mine;
    if (!found) throw new Error(`message ${input.idempotencyKey} neither inserted nor found`);
    return { message: found, created: false };
  });
}

export interface Outcome {
  status: MessageStatus;
  reason?: string | null;
  /** Set when given (null clears it); kept when undefined. */
  providerMessageId?: string | null | undefined;
}

export type OutcomeWriter = (id: string, outcome: Outcome, content: SentContent | null, now: number) => Promise<void>;

interface Pending {
  id: string;
  outcome: Outcome;
  content: SentContent | null;
  now: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  queuedAt: number;
}

/** One row of the UPDATE's JSON parameter. */
function row(p: Pending) {
  const c = p.content;
  return {
    id: p.id,
    status: p.outcome.status,
    reason: p.outcome.reason ?? null,
    set_pid: p.outcome.providerMessageId !== undefined,
    pid: p.outcome.providerMessageId ?? null,
    at: p.now,
    c: c !== null,
    provider: c?.provider ?? null,
    to_address: c?.to ?? null,
    subject: c?.subject ?? null,
    links: c ? c.links : null,
    header_message_id: c?.headerMessageId ?? null,
    template_version: c?.templateVersion ?? null,
    segments: c?.segments ?? null,
    cost_micros: c?.costMicros ?? null,
  };
}

async function writeOutcomes(store: Store, batch: readonly Pending[]): Promise<void> {
  const json = JSON.stringify(batch.map(row));
  const set = sql`
    status = v.status, reason = v.reason, lease_until = NULL,
    provider_message_id = CASE WHEN v.set_pid THEN v.pid ELSE m.provider_message_id END,
    sent_at = CASE WHEN v.status = 'sent' THEN v.at ELSE m.sent_at END,
    updated_at = v.at,
    provider = CASE WHEN v.keep THEN v.provider ELSE m.provider END,
    to_address = CASE WHEN v.keep THEN v.to_address ELSE m.to_address END,
    subject = CASE WHEN v.keep THEN v.subject ELSE m.subject END,
    links = CASE WHEN v.keep THEN v.links ELSE m.links END,
    header_message_id = CASE WHEN v.keep THEN v.header_message_id ELSE m.header_message_id END,
    template_version = CASE WHEN v.keep THEN v.template_version ELSE m.template_version END,
    segments = CASE WHEN v.keep THEN v.segments ELSE m.segments END,
    cost_micros = CASE WHEN v.keep THEN v.cost_micros ELSE m.cost_micros END`;
  if (store.dialect === 'postgres') {
    await sql`
      UPDATE messages AS m SET ${set}
      FROM (SELECT r.*, r.c AND e.erased_at IS NULL AS keep
            FROM jsonb_to_recordset(${json}::jsonb) AS r(id text, status text, reason text, set_pid boolean, pid text, at bigint, c boolean,
              provider text, to_address text, subject text, links jsonb, header_message_id text, template_version integer, segments integer, cost_micros bigint)
            JOIN messages mm ON mm.id = r.id LEFT JOIN contacts e ON e.id = mm.contact_id) AS v
      WHERE m.id = v.id`.execute(store.db);
    return;
  }
  await sql`
    UPDATE messages AS m SET ${set}
    FROM (SELECT r.*, r.c AND e.erased_at IS NULL AS keep
          FROM (SELECT value ->> 'id' AS id, value ->> 'status' AS status, value ->> 'reason' AS reason, value ->> 'set_pid' AS set_pid,
                  value ->> 'pid' AS pid, value ->> 'at' AS at, value ->> 'c' AS c, value ->> 'provider' AS provider,
                  value ->> 'to_address' AS to_address, value ->> 'subject' AS subject, value -> 'links' AS links,
                  value ->> 'header_message_id' AS header_message_id, value ->> 'template_version' AS template_version,
                  value ->> 'segments' AS segments, value ->> 'cost_micros' AS cost_micros
                FROM json_each(${json})) AS r
          JOIN messages mm ON mm.id = r.id LEFT JOIN contacts e ON e.id = mm.contact_id) AS v
    WHERE m.id = v.id`.execute(store.db);
}

/** Splits a flush so that no message appears twice in one UPDATE (it would be applied once, arbitrarily). */
function distinctRuns(batch: readonly Pending[]): Pending[][] {
  const out: Pending[][] = [[]];
  let seen = new Set<string>();
  for (const p of batch) {
    if (seen.has(p.id)) {
      out.push([]);
      seen = new Set();
    }
    seen.add(p.id);
    out.at(-1)!.push(p);
  }
  return out;
}

export interface OutcomeWriterOptions {
  /** The longest an outcome waits for others to share its UPDATE (default 50 ms). */
  maxDelayMs?: number;
}

/**
 * Outcomes share UPDATEs. A caller that knows more outcomes are coming (a batch of sends in flight)
 * says so with `expect(n)`: the writer then waits until those n have arrived, or `maxDelayMs` after
 * the oldest queued one, whichever is first; otherwise it writes on the next turn of the event loop.
 * Outcomes queued while a flush is in progress go in the next one. Each caller's promise resolves
 * once its row is written. A failed UPDATE is retried row by row, so one bad row fails only its own
 * caller.
 *
 * Why wait: at ~250 sends/s outcomes arrive ~4 ms apart, so writing on the next turn shared only
 * ~2.3 outcomes per UPDATE (0.43 UPDATEs per message, each an fsync on SQLite); waiting for the
 * batch's sends gives ~0.1 (docs/benchmarks.md, "Email send path"). The cost: a worker killed
 * meanwhile loses up to maxDelayMs of outcomes, whose mails are sent again (same Message-ID).
 */
export function outcomeWriter(store: Store, options: OutcomeWriterOptions = {}): OutcomeWriter & { expect(n: number): void } {
  const maxDelayMs = options.maxDelayMs ?? 50;
  let queue: Pending[] = [];
  let flushing = false;
  let outstanding = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    flushing = true;
    const batch = queue;
    queue = [];
    for (const part of distinctRuns(batch)) {
      try {
        await writeOutcomes(store, part);
        for (const p of part) p.resolve();
      } catch {
        for (const p of part) {
          await store
            .transaction(async (trx) => {
              if (p.content) await recordContent(trx, p.id, p.content, p.now);
              await recordOutcome(trx, p.id, p.outcome, p.now);
            })
            .then(p.resolve, p.reject);
        }
      }
    }
    flushing = false;
    schedule();
  }

  function schedule(): void {
    if (flushing || queue.length === 0) return;
    if (outstanding === 0) {
      if (timer) clearTimeout(timer);
      // Wait one turn of the event loop so the outcomes of sends that finish together share a statement.
      timer = setTimeout(() => void flush(), 0);
    } else if (!timer) {
      timer = setTimeout(() => void flush(), Math.max(0, maxDelayMs - (Date.now() - queue[0]!.queuedAt)));
    }
  }

  const write = ((id, outcome, content, now) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ id, outcome, content, now, resolve, reject, queuedAt: Date.now() });
      outstanding = Math.max(0, outstanding - 1);
      schedule();
    })) as OutcomeWriter & { expect(n: number): void };
  write.expect = (n) => {
    outstanding = Math.max(0, outstanding + n);
    schedule();
  };
  return write;
}
