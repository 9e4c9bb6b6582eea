/**
 * @module The one send-once dispatch, shared by journey steps, broadcast recipients and the retries
 * of transactional sends. Given sends whose delivery rows are already committed (pending), it:
 *
 *  1. reads how far earlier attempts got, for every key not inserted just now (`fresh`): a delivery
 *     already `sent` (its worker died before moving on) is answered `sent` again, never re-sent;
 *  2. answers `permanent` for a channel nobody registered;
 *  3. hands the rest to their channels, one batch per channel (`sendMany`: the email channel shares
 *     its reads and writes across a batch), all channels at once.
 *
 * It never throws for a channel's failure (`sendMany` turns a throw into `retryable`), and it writes
 * nothing: the caller settles the answers in its own transaction.
 */
import { sendMany, type SendRequest, type SendResult } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { Db } from '../store/store.js';
import { deliveryStatuses } from './statuses.js';

export interface Dispatch {
  /** The registered channel's name. */
  channel: string;
  /** Its `idempotencyKey` is the delivery's key. */
  request: SendRequest;
}

/** One answer per dispatch, in order. `fresh`: keys whose delivery row this attempt inserted (no earlier attempt to look up). */
export async function dispatch(db: Db, channels: ChannelRegistry, sends: readonly Dispatch[], fresh: ReadonlySet<string> = new Set()): Promise<SendResult[]> {
  const known = await deliveryStatuses(
    db,
    sends.filter((s) => !fresh.has(s.request.idempotencyKey)).map((s) => ({ workspaceId: s.request.workspaceId, key: s.request.idempotencyKey })),
  );
  const results: SendResult[] = new Array(sends.length);
  const batches = new Map<string, number[]>();
  sends.forEach((s, i) => {
    const before = known.get(s.request.idempotencyKey);
    if (before?.status === 'sent') results[i] = before.providerMessageId ? { status: 'sent', providerMessageId: before.providerMessageId } : { status: 'sent' };
    else if (!channels.get(s.channel)) results[i] = { status: 'permanent', reason: `unknown channel ${s.channel}` };
    else batches.set(s.channel, [...(batches.get(s.channel) ?? []), i]);
  });
  await Promise.all(
    [...batches].map(async ([name, indexes]) => {
      const answers = await sendMany(
        channels.get(name)!,
        indexes.map((i) => sends[i]!.request),
      );
      indexes.forEach((i, k) => (results[i] = answers[k]!));
    }),
  );
  return results;
}
