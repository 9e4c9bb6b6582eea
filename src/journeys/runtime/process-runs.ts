/**
 * @module One batch of due runs, the heart of the scheduler.
 *
 *  1. Claim up to `batchSize` due runs (lease; ./claim.ts).
 *  2. Walk each run in memory (./walk.ts) until it waits, ends, or reaches a message.
 *  3. Transaction A: write every walk (run moved, step rows, effects). Runs stopped at a message keep
 *     their lease, and their delivery row (pending, deterministic key) is inserted here — committed
 *     BEFORE any channel is called (STANDARDS.md 2).
 *  4. Call the channels, one batch per channel (`sendMany`: the email channel shares its reads and
 *     writes across it), except for deliveries already `sent` by an earlier attempt.
 *  5. Transaction B: settle the deliveries, write the message steps and walk on from them; a
 *     retryable failure reschedules the same step with backoff (other runs are not held up), and after
 *     `maxAttempts` (or a permanent failure) the run is errored with the reason.
 * A worker killed anywhere in between leaves leases that expire; the next claimer redoes only what
 * was not committed, and the step log's unique key stops any step from being recorded twice.
 */
import type { JourneyDocument } from '../definition/schema.js';
import type { Contact } from '../../contacts/contact.js';
import { sendMany, type SendRequest, type SendResult } from '../../channels/channel.js';
import type { JsonObject } from '../../core/json.js';
import { claimDueRuns } from './claim.js';
import { loadContacts } from './enroll.js';
import { toRun, type Run } from './run.js';
import { ended, walk, type PendingSend, type WalkResult } from './walk.js';
import { commitBatch, type CommitItem } from './writer.js';
import { deliveryKey, deliveryStatuses, recordDeliveries, settlement } from './deliveries.js';
import { settleDeliveries } from './bulk.js';
import { durationMs } from './duration.js';
import { zoneFor } from './tz.js';
import { loadSendContext, type MessagingDefaults } from '../../workspaces/messaging.js';
import { unsubscribedChannels } from './guards.js';
import { backoffMs, claimToken, type JourneyRuntime } from './runtime.js';
import type { StepContext } from './step.js';

interface Prepared {
  run: Run;
  ctx: StepContext | null;
  version: number;
  result: WalkResult;
}

/** Picks the document a run continues on: a newer live version when its node still exists there. */
async function resolveDocument(rt: JourneyRuntime, run: Run, states: Map<string, Promise<{ status: string; currentVersion: number } | null>>): Promise<{ doc: JourneyDocument; version: number } | null> {
  const db = rt.store.db;
  const key = `${run.workspaceId}\u0000${run.journeyId}`;
  if (!states.has(key)) states.set(key, rt.catalog.state(db, run.workspaceId, run.journeyId));
  const state = await states.get(key)!;
  if (state && state.status === 'live' && state.currentVersion > run.version) {
    const newer = await rt.catalog.version(db, run.workspaceId, run.journeyId, state.currentVersion);
    if (newer && (run.node === null || newer.nodes.some((n) => n.id === run.node))) return { doc: newer, version: state.currentVersion };
  }
  const own = await rt.catalog.version(db, run.workspaceId, run.journeyId, run.version);
  return own ? { doc: own, version: run.version } : null;
}

async function prepare(rt: JourneyRuntime, run: Run, contact: Contact | undefined, optedOut: ReadonlySet<string>, tz: string, defaults: MessagingDefaults, now: number, states: Map<string, Promise<{ status: string; currentVersion: number } | null>>): Promise<Prepared> {
  const resolved = await resolveDocument(rt, run, states);
  const stop = (status: 'exited' | 'errored' | 'timed_out', reason: string): Prepared => ({
    run,
    ctx: null,
    version: run.version,
    result: { steps: [], effects: [], send: null, patch: ended(status, reason, now, run.node, run.visit) },
  });
  if (!resolved) return stop('errored', `journey ${run.journeyId} version ${run.version} not found`);
  if (!contact) return stop('exited', 'contact_deleted');
  const deadline = run.enteredAt + durationMs(resolved.doc.settings?.maxDuration ?? '365d');
  if (now >= deadline) return stop('timed_out', 'max_duration');
  const ctx: StepContext = { run, contact, doc: resolved.doc, now, tz: zoneFor(contact.timezone, tz), db: rt.store.db, optedOut, defaults };
  // A claimed waiting run has reached its timeout: the wait node resolves along `timeout`.
  const first = run.wait ? ({ kind: 'next', output: 'timeout', outcome: 'timeout' } as const) : null;
  try {
    const result = await walk(ctx, { node: run.node, visit: run.visit }, first, run.dueAt);
    // Nothing waits past the maximum duration: the run wakes then, and times out.
    if (result.patch.dueAt !== null && result.patch.dueAt > deadline) result.patch.dueAt = deadline;
    return { run, ctx, version: resolved.version, result };
  } catch (err) {
    return stop('errored', `step failed: ${(err as Error).message}`);
  }
}

function afterSend(rt: JourneyRuntime, p: Prepared, send: PendingSend, result: SendResult, now: number): { item: Promise<WalkResult>; final: boolean } {
  const ctx = p.ctx!;
  const attempts = p.result.patch.attempts + 1;
  const key = deliveryKey(p.run.id, send.nodeId, send.visit);
  switch (result.status) {
    case 'sent':
    case 'skipped': {
      const detail: JsonObject = result.status === 'sent' ? { channel: send.channel, deliveryKey: key, ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}) } : { channel: send.channel, reason: result.reason };
      const first = { kind: 'next', output: 'next', outcome: result.status, detail } as const;
      // The message's due time: the run's own when the message was the first node of this claim.
      const dueAt = p.result.steps.length === 0 ? p.run.dueAt : now;
      return { item: walk(ctx, { node: send.nodeId, visit: send.visit }, first, dueAt), final: true };
    }
    case 'retryable': {
      if (attempts >= rt.retry.maxAttempts) {
        const reason = `${send.channel}: ${result.reason} (gave up after ${attempts} attempts)`;
        const first = { kind: 'end', status: 'errored', reason, outcome: 'failed', detail: { channel: send.channel, reason, attempts } } as const;
        return { item: walk(ctx, { node: send.nodeId, visit: send.visit }, first, null), final: true };
      }
      const delay = Math.max(backoffMs(rt.retry, attempts), result.retryAfterMs ?? 0);
      const patch = { ...p.result.patch, attempts, dueAt: now + delay, lastError: `${send.channel}: ${result.reason} (attempt ${attempts})` };
      return { item: Promise.resolve({ steps: [], effects: [], send: null, patch }), final: false };
    }
    case 'permanent': {
      const reason = `${send.channel}: ${result.reason}`;
      const first = { kind: 'end', status: 'errored', reason, outcome: 'failed', detail: { channel: send.channel, reason } } as const;
      return { item: walk(ctx, { node: send.nodeId, visit: send.visit }, first, null), final: true };
    }
    default: {
      const never: never = result;
      throw new Error(`unknown send result ${JSON.stringify(never)}`);
    }
  }
}

/** Claims and processes one batch of due runs; returns how many runs it handled. */
export async function processDueRuns(rt: JourneyRuntime): Promise<number> {
  const now = rt.clock.now();
  const token = claimToken(rt);
  const leaseUntil = now + rt.config.worker.leaseMs;
  const rows = await claimDueRuns(rt.store, token, now, rt.config.worker.leaseMs, rt.config.worker.batchSize);
  if (rows.length === 0) return 0;
  const runs = rows.map(toRun);
  const contacts = await loadContacts(rt.store.db, runs.map((r) => r.contactId));
  const zones = new Map<string, string>();
  const defaults = new Map<string, MessagingDefaults>();
  for (const ws of new Set(runs.map((r) => r.workspaceId))) {
    // One query for both (the zone used to be read alone; the defaults add no round trip).
    const context = await loadSendContext(rt.store.db, ws);
    zones.set(ws, context.timezone);
    defaults.set(ws, context.defaults);
  }
  const optedOut = await unsubscribedChannels(rt.store.db, [...contacts.keys()]);
  const states = new Map();
  const prepared: Prepared[] = [];
  const none = new Set<string>();
  for (const run of runs) prepared.push(await prepare(rt, run, contacts.get(run.contactId), optedOut.get(run.contactId) ?? none, zones.get(run.workspaceId)!, defaults.get(run.workspaceId)!, now, states));

  // Transaction A: every walk; deliveries recorded before any send.
  const sending: Prepared[] = [];
  let fresh = new Set<string>();
  await rt.store.transaction(async (trx) => {
    const items: CommitItem[] = prepared.map((p) => ({ run: p.run, expectVisit: p.run.visit, patch: p.result.patch, steps: p.result.steps, effects: p.result.effects, keepLease: p.result.send !== null, version: p.version }));
    const moved = await commitBatch(trx, rt.store.dialect, token, now, leaseUntil, items);
    for (const p of prepared) if (p.result.send && moved.has(p.run.id)) sending.push(p);
    fresh = await recordDeliveries(trx, rt.store.dialect, sending.map((p) => ({ run: p.run, send: p.result.send! })), now);
  });
  if (sending.length === 0) return rows.length;

  // Deliveries that existed already (a retried step): read how far they got.
  const known = await deliveryStatuses(
    rt.store.db,
    sending.map((p) => ({ workspaceId: p.run.workspaceId, key: deliveryKey(p.run.id, p.result.send!.nodeId, p.result.send!.visit) })).filter((k) => !fresh.has(k.key)),
  );
  // Per channel, one batch (the email channel shares its reads and writes across it).
  const results: SendResult[] = new Array(sending.length);
  const batches = new Map<string, number[]>();
  sending.forEach((p, i) => {
    const send = p.result.send!;
    const before = known.get(deliveryKey(p.run.id, send.nodeId, send.visit));
    // Sent by an earlier attempt whose worker died before moving the run on: do not send again.
    if (before?.status === 'sent') results[i] = before.providerMessageId ? { status: 'sent', providerMessageId: before.providerMessageId } : { status: 'sent' };
    else if (!rt.channels.get(send.channel)) results[i] = { status: 'permanent', reason: `unknown channel ${send.channel}` };
    else batches.set(send.channel, [...(batches.get(send.channel) ?? []), i]);
  });
  await Promise.all(
    [...batches].map(async ([name, indexes]) => {
      const requests = indexes.map((i): SendRequest => {
        const p = sending[i]!;
        const send = p.result.send!;
        return {
          workspaceId: p.run.workspaceId,
          contact: p.ctx!.contact,
          idempotencyKey: deliveryKey(p.run.id, send.nodeId, send.visit),
          config: send.config,
          kind: send.messageKind,
          context: { journeyId: p.run.journeyId, journeyVersion: p.version, runId: p.run.id, nodeId: send.nodeId, trigger: p.run.trigger, event: p.run.event, data: p.run.data },
        };
      });
      const answers = await sendMany(rt.channels.get(name)!, requests);
      indexes.forEach((i, k) => (results[i] = answers[k]!));
    }),
  );

  // Transaction B: settle deliveries, record the message steps and walk on.
  const after = await Promise.all(sending.map((p, i) => ({ p, i, ...afterSend(rt, p, p.result.send!, results[i]!, now) })));
  const walks = await Promise.all(after.map((a) => a.item));
  await rt.store.transaction(async (trx) => {
    const items: CommitItem[] = after.map(({ p }, k) => ({ run: p.run, expectVisit: p.result.send!.visit, patch: walks[k]!.patch, steps: walks[k]!.steps, effects: walks[k]!.effects, keepLease: false, version: p.version }));
    const moved = await commitBatch(trx, rt.store.dialect, token, now, leaseUntil, items);
    const settlements = after
      .filter(({ p }) => moved.has(p.run.id))
      .map(({ p, i, final }) => settlement(p.run.workspaceId, deliveryKey(p.run.id, p.result.send!.nodeId, p.result.send!.visit), results[i]!, final, now));
    await settleDeliveries(trx, rt.store.dialect, now, settlements);
  });
  return rows.length;
}
