/**
 * @module The broadcasts worker task (registered in src/worker/tasks.ts). Each tick:
 *  1. starts scheduled broadcasts whose sendAt has come (snapshot; ./audience.ts), a few per tick;
 *  2. for each sending broadcast, claims one batch of due recipients (throttled; ./claim.ts) and
 *     sends it (./send.ts); a broadcast with nothing left pending is completed.
 * Returns the number of recipients handled (plus broadcasts started), so the worker loop goes on at
 * once while there is work and sleeps when everything left is throttled or due later.
 */
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../core/app-deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { createChannelRegistry } from '../channels/registry.js';
import { DEFAULT_RETRY } from '../core/retry.js';
import { startBroadcast } from './audience.js';
import { claimRecipients, completeIfDone } from './claim.js';
import { inActiveWorkspace } from '../workspaces/archived.js';
import { sendBatch, type BroadcastRuntime } from './send.js';

/** Broadcasts started per tick at most (each snapshot can be large). */
const STARTS_PER_TICK = 5;
/** Sending broadcasts visited per tick at most. */
const SENDING_PER_TICK = 20;

export function createBroadcastRuntime(deps: AppDeps, options: Partial<Pick<BroadcastRuntime, 'channels' | 'retry' | 'workerId'>> = {}): BroadcastRuntime {
  return {
    ...deps,
    channels: options.channels ?? createChannelRegistry(deps),
    retry: options.retry ?? DEFAULT_RETRY,
    workerId: options.workerId ?? `b${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}

export function claimToken(rt: BroadcastRuntime): string {
  return `${rt.workerId}:${randomBytes(6).toString('hex')}`;
}

/** Starts due broadcasts; returns how many this worker started. */
export async function startDue(rt: BroadcastRuntime, now: number): Promise<number> {
  const due = await rt.store.db
    .selectFrom('broadcasts')
    .select('id')
    .where('status', '=', 'scheduled')
    .where('send_at', '<=', now)
    .where(inActiveWorkspace('broadcasts.workspace_id'))
    .orderBy('send_at')
    .limit(STARTS_PER_TICK)
    .execute();
  let started = 0;
  for (const { id } of due) {
    const total = await startBroadcast(rt.store, id, now);
    if (total !== null) {
      started++;
      rt.log.info({ broadcastId: id, recipients: total }, 'broadcast started');
    }
  }
  return started;
}

/** One batch for each sending broadcast; returns the recipients handled. */
export async function sendDue(rt: BroadcastRuntime, now: number): Promise<number> {
  const sending = await rt.store.db
    .selectFrom('broadcasts')
    .select('id')
    .where('status', '=', 'sending')
    .where(inActiveWorkspace('broadcasts.workspace_id'))
    .orderBy('throttle_at')
    .limit(SENDING_PER_TICK)
    .execute();
  let handled = 0;
  for (const { id } of sending) {
    const token = claimToken(rt);
    const claim = await claimRecipients(rt.store, id, token, now, rt.config.worker.leaseMs, rt.config.worker.batchSize);
    if (!claim) continue;
    if (claim.recipients.length > 0) {
      handled += await sendBatch(rt, claim, token, now);
      continue;
    }
    if (await completeIfDone(rt.store, id, now)) rt.log.info({ broadcastId: id }, 'broadcast completed');
  }
  return handled;
}

export function broadcastTask(rt: BroadcastRuntime): WorkerTask {
  return {
    name: 'broadcasts',
    async tick() {
      const now = rt.clock.now();
      return (await startDue(rt, now)) + (await sendDue(rt, now));
    },
  };
}

/** The factory src/worker/tasks.ts lists. */
export function broadcastTasks(deps: AppDeps): WorkerTask {
  return broadcastTask(createBroadcastRuntime(deps));
}
