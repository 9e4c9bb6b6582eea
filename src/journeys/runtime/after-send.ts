/**
 * @module What a run does after its channel answered (step 5 of ./process-runs.ts): sent or skipped
 * walk on from the message node; retryable reschedules the same step with backoff, until
 * `maxAttempts`, when the run errors with the reason (a `deferred` one is rescheduled after its
 * `retryAfterMs` and does not count); permanent errors the run.
 */
import type { SendResult } from '../../channels/channel.js';
import { assertNever } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { deliveryKey } from './deliveries.js';
import type { Prepared } from './prepare.js';
import { type JourneyRuntime } from './runtime.js';
import { backoffMs } from '../../core/retry.js';
import { walk, type PendingSend, type WalkResult } from './walk.js';

export interface AfterSend {
  /** The run's next walk (or, for a retry, the rescheduled patch). */
  item: Promise<WalkResult>;
  /** False while the delivery stays pending for another attempt. */
  final: boolean;
}

export function afterSend(rt: JourneyRuntime, p: Prepared, send: PendingSend, result: SendResult, now: number): AfterSend {
  const ctx = p.ctx!;
  const attempts = p.result.patch.attempts + 1;
  const key = deliveryKey(p.run.id, send.nodeId, send.visit);
  switch (result.status) {
    case 'sent':
    case 'skipped': {
      const detail: JsonObject =
        result.status === 'sent'
          ? { channel: send.channel, deliveryKey: key, ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}) }
          : { channel: send.channel, reason: result.reason };
      const first = { kind: 'next', output: 'next', outcome: result.status, detail } as const;
      // The message's due time: the run's own when the message was the first node of this claim.
      const dueAt = p.result.steps.length === 0 ? p.run.dueAt : now;
      return { item: walk(ctx, { node: send.nodeId, visit: send.visit }, first, dueAt), final: true };
    }
    case 'retryable': {
      if (result.deferred) {
        // A throttle, warm-up or a domain backing off held it: not an attempt, the same step later.
        const patch = { ...p.result.patch, dueAt: now + (result.retryAfterMs ?? 0), lastError: `${send.channel}: ${result.reason}` };
        return { item: Promise.resolve({ steps: [], effects: [], send: null, patch }), final: false };
      }
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
    default:
      return assertNever(result, 'send result');
  }
}
