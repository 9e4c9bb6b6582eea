/**
 * @module Ingestion: stores calls as events and resolves them to contacts, in one transaction, and
 * acknowledges only after it committed (an acknowledged call is durable). Concurrent requests are
 * written together (./group-commit.ts); per group, whatever its size:
 *
 *   1. one SELECT of the messageIds already stored, which also reads the contacts of the calls'
 *      userIds (./lookup.ts): a replayed call has no effect at all (no contact change, no signal)
 *      and is answered 200 like the first time;
 *   2. identity resolution in bulk (src/contacts/identity.ts), starting from those contacts;
 *   3. one INSERT … ON CONFLICT (workspace_id, message_id) DO NOTHING RETURNING per 1000
 *      calls (./insert-events.ts), which also absorbs a concurrent request carrying the same
 *      messageId; only returned rows are new and get an `event` signal.
 *
 * On PostgreSQL two concurrent groups may race to create the same contact or to merge one the other
 * uses (unique or foreign-key violation, deadlock). Nothing of the losing transaction is kept, so it
 * is run again, up to three times.
 *
 * Backpressure: at most `config.ingest.maxQueued` calls wait for the store in this process, at most
 * `maxQueuedPerWorkspace` of one workspace; past either a request is refused with 429 and
 * Retry-After (TooManyRequestsError) before anything of it is stored, so a store that falls behind
 * makes the senders back off and retry (Segment's libraries do) instead of filling memory.
 *
 * Reads `store.dialect` for the group committer's parallelism (measured: see committerOf) and the
 * PostgreSQL error codes worth a retry, and hands it to ./lookup.ts and ./insert-events.ts (measured there).
 */
import type { ServiceDeps } from '../core/deps.js';
import type { JsonObject } from '../core/json.js';
import { resolveContacts, userIdsOf } from '../contacts/identity.js';
import type { Db, DialectName, Store } from '../store/store.js';
import { INGEST_QUEUE_DEFAULTS, type Config } from '../config/config.js';
import { TooManyRequestsError } from '../core/errors.js';
import { markBots } from './bots.js';
import { pageLocation } from './page-url.js';
import type { Call } from './call.js';
import { GroupCommitter } from './group-commit.js';
import { insertEvents } from './insert-events.js';
import { storedAndKnown } from './lookup.js';
import type { Signal, Signals } from './signals.js';

/** Rows per INSERT statement. */
const ROWS_PER_INSERT = 1000;
/** Calls per group transaction: 20 requests of 100 events. */
const MAX_GROUP_CALLS = 2000;
const RETRIED_PG_CODES = new Set(['23505', '23503', '40P01', '40001']);
const ATTEMPTS = 3;
/** Segment's libraries back off and retry a 429; a second lets a group or two commit. */
const RETRY_AFTER_S = 1;

type IngestQueueLimits = NonNullable<Config['ingest']>;

interface Job {
  /** Where the signals of the job's calls go (the runtime's `deps.signals`). */
  signals: Signals;
  workspaceId: string;
  calls: readonly Call[];
}

/**
 * One group committer per store. Module-level on purpose: keyed weakly by the Store object, so each
 * runtime's store gets its own and it is collected with the store; every ingest on one store must
 * share it, wherever the call comes from (HTTP, forms, CLI), without threading it through their deps.
 */
const committers = new WeakMap<Store, GroupCommitter<Job>>();

function committerOf(store: Store, limits: IngestQueueLimits): GroupCommitter<Job> {
  let committer = committers.get(store);
  if (!committer) {
    committer = new GroupCommitter<Job>({
      commit: (jobs) => commitGroup(store, jobs),
      weight: (job) => job.calls.length,
      maxWeight: MAX_GROUP_CALLS,
      bounds: {
        maxQueued: limits.maxQueued,
        maxQueuedPerKey: limits.maxQueuedPerWorkspace,
        key: (job) => job.workspaceId,
        refuse: (scope, queued) =>
          new TooManyRequestsError(
            scope === 'key'
              ? `this workspace already has ${queued} calls waiting to be stored; nothing of this request was stored, retry after the Retry-After seconds`
              : `the server has ${queued} calls waiting to be stored; nothing of this request was stored, retry after the Retry-After seconds`,
            RETRY_AFTER_S,
          ),
      },
      // SQLite serialises writes. On PostgreSQL the server's per-row cost dominates (the bench showed
      // our event loop idle 65% of the time with 2 groups in flight), so more groups overlap more.
      parallel: store.dialect === 'sqlite' ? 1 : 4,
    });
    committers.set(store, committer);
  }
  return committer;
}

/** Stores the calls of one request (all or none); resolves once they are committed. */
export async function ingest(deps: Pick<ServiceDeps, 'store' | 'signals'> & { config?: Pick<Config, 'bots' | 'ingest'> }, workspaceId: string, calls: readonly Call[]): Promise<void> {
  if (calls.length === 0) return;
  await committerOf(deps.store, deps.config?.ingest ?? INGEST_QUEUE_DEFAULTS).run({ signals: deps.signals, workspaceId, calls: markBots(calls, deps.config?.bots) });
}

async function commitGroup(store: Store, jobs: Job[]): Promise<void> {
  // Jobs of one store share a runtime's signals, unless several runtimes share the store (tests).
  const bySignals = new Map<Signals, Map<string, Call[]>>();
  for (const job of jobs) {
    let byWorkspace = bySignals.get(job.signals);
    if (!byWorkspace) bySignals.set(job.signals, (byWorkspace = new Map()));
    const list = byWorkspace.get(job.workspaceId);
    if (list) list.push(...job.calls);
    else byWorkspace.set(job.workspaceId, [...job.calls]);
  }
  const work = async (trx: Db) => {
    for (const [signals, byWorkspace] of bySignals) {
      for (const [workspaceId, calls] of byWorkspace) await ingestIn(trx, { dialect: store.dialect, signals }, workspaceId, calls);
    }
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.transaction(work);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const retry = store.dialect === 'postgres' && typeof code === 'string' && RETRIED_PG_CODES.has(code);
      if (!retry || attempt >= ATTEMPTS) throw err;
    }
  }
}

async function ingestIn(trx: Db, out: { dialect: DialectName; signals: Signals }, workspaceId: string, calls: readonly Call[]): Promise<void> {
  const { dialect } = out;
  const { stored, users } = await storedAndKnown(trx, dialect, workspaceId, [...new Set(calls.map((c) => c.messageId))], userIdsOf(calls));
  const fresh = withoutStored(calls, stored);
  if (fresh.length === 0) return;
  const now = Math.max(...fresh.map((c) => c.receivedAt));
  const { contactIds, signals } = await resolveContacts(trx, out, workspaceId, fresh, now, users);
  for (let start = 0; start < fresh.length; start += ROWS_PER_INSERT) {
    const chunk = fresh.slice(start, start + ROWS_PER_INSERT);
    const rows = chunk.map((c, k) => ({
      contactId: contactIds[start + k]!,
      type: c.type,
      name: c.name,
      properties: c.properties,
      context: c.context,
      messageId: c.messageId,
      timestamp: c.timestamp,
      receivedAt: c.receivedAt,
      bot: c.bot ? (1 as const) : (0 as const),
      page: c.type === 'page' ? pageLocation(c.properties, c.context) : null,
    }));
    const inserted = await insertEvents(trx, dialect, workspaceId, rows);
    if (inserted.length === 0) continue;
    const byMessage = new Map(chunk.map((c, k) => [c.messageId, k]));
    for (const row of inserted) {
      const k = byMessage.get(row.message_id)!;
      const call = chunk[k]!;
      if (call.bot) continue; // stored, but a crawler's call starts, resumes and counts nothing (./bots.ts)
      signals.push({
        kind: 'event',
        event: {
          id: row.id,
          workspaceId,
          contactId: contactIds[start + k]!,
          type: call.type,
          name: call.name,
          properties: call.properties as JsonObject,
          timestamp: call.timestamp,
          receivedAt: call.receivedAt,
          ...(rows[k]!.page ? { page: rows[k]!.page } : {}),
        },
      });
    }
  }
  // The contacts' signals first (a journey triggered by contact_created sees the contact before its events).
  await out.signals.emit(trx, signals, now);
}

/** The calls whose messageId is neither stored yet nor repeated earlier in the same group. */
function withoutStored(calls: readonly Call[], stored: Set<string>): Call[] {
  const seen = new Set(stored);
  const fresh: Call[] = [];
  for (const c of calls) {
    if (seen.has(c.messageId)) continue;
    seen.add(c.messageId);
    fresh.push(c);
  }
  return fresh;
}
