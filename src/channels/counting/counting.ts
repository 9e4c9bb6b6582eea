/**
 * @module The counting channel, for tests and benchmarks: it "sends" by inserting a row into
 * channel_counting_sends, so a test (or a parent process) can count exactly how many sends were
 * made, per idempotency key. `config.fail` = 'retryable' | 'permanent' makes it fail on purpose.
 */
import type { Channel, SendRequest, SendResult } from '../channel.js';
import type { ServiceDeps } from '../../core/deps.js';
import type { Db } from '../../store/store.js';

export function countingChannel(deps: ServiceDeps): Channel {
  return {
    name: 'counting',
    async send(request: SendRequest): Promise<SendResult> {
      const fail = request.config.fail;
      if (fail === 'retryable') return { status: 'retryable', reason: 'counting channel asked to fail (retryable)' };
      if (fail === 'permanent') return { status: 'permanent', reason: 'counting channel asked to fail (permanent)' };
      await deps.store.db
        .insertInto('channel_counting_sends')
        .values({ workspace_id: request.workspaceId, contact_id: request.contact.id, idempotency_key: request.idempotencyKey, sent_at: deps.clock.now() })
        .execute();
      return { status: 'sent', providerMessageId: `count:${request.idempotencyKey}` };
    },
  };
}

/** How many sends the counting channel made in a workspace (optionally for one key). */
export async function countedSends(db: Db, workspaceId: string, idempotencyKey?: string): Promise<number> {
  let q = db
    .selectFrom('channel_counting_sends')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId);
  if (idempotencyKey) q = q.where('idempotency_key', '=', idempotencyKey);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The counting channel in memory (benchmarks: measures the engine, not an insert per send). */
export function memoryCountingChannel(): Channel & { sends: Map<string, number> } {
  const sends = new Map<string, number>();
  return {
    name: 'counting',
    sends,
    async send(request: SendRequest): Promise<SendResult> {
      sends.set(request.idempotencyKey, (sends.get(request.idempotencyKey) ?? 0) + 1);
      return { status: 'sent' };
    },
  };
}
