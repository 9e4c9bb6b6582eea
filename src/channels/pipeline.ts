/**
 * @module The send pipeline every recorded channel shares (docs/channels.md): SendRequests in (one,
 * or a batch), one SendResult each out. A channel brings what differs (./pipeline-sender.ts: how a
 * request names its content, how an address is checked, how one message is rendered and handed to
 * its provider); the pipeline does the rest, the same way for email, SMS and what comes next:
 *
 *   1. record the deliveries (queued) under their idempotency keys BEFORE anything leaves (one
 *      statement for the batch); a record that was already sent, skipped or failed for good answers
 *      the retry without sending again;
 *   2. claim the attempt with a lease (so two workers holding the same record cannot both send; a
 *      new record is created already claimed);
 *   3. the contact's address on the channel (none, or not a valid one: skipped), then suppression
 *      and consent of the channel, read at send time (docs/standards.md §7) after step 1 committed,
 *      for the whole batch at once: skipped with the reason; marketing email to a contact the
 *      workspace's sunset policy took out (../deliverability/sunset.ts) is skipped as `sunset`;
 *   4. the channel renders and hands the message to its provider (its workspace context read once
 *      per batch and workspace);
 *   5. the outcome is recorded together with what left (../messages/batch.ts: outcomes that finish
 *      together share one statement). An address the provider says can never receive (a hard
 *      bounce, an invalid number) is suppressed in the same transaction as the outcome.
 *
 * Quiet hours and frequency caps are decided before the pipeline, by the journey step or broadcast
 * that knows its own settings (src/journeys/runtime/guards.ts); transactional sends bypass them.
 */
import type { Logger } from 'pino';
import type { Channel, SendRequest, SendResult } from './channel.js';
import type { AddressCheck, ChannelSender, ClaimedDelivery } from './pipeline-sender.js';
import type { Clock } from '../core/clock.js';
import { assertNever } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { claimAttempt, recordContent, recordOutcome, type Message, type NewMessage } from '../messages/records.js';
import { outcomeWriter, reserveMessages } from '../messages/batch.js';
import { suppressionReasons } from '../suppression/check.js';
import { suppress } from '../suppression/suppressions.js';
import { SUNSET_REASON, sunsetSkips } from '../deliverability/sunset.js';
import { nonEmptyString } from './request-config.js';

export interface PipelineDeps {
  store: Store;
  clock: Clock;
  log?: Logger | undefined;
  /** How long one attempt holds a message (default ATTEMPT_LEASE_MS); a crashed sender's message is retried after it. */
  attemptLeaseMs?: number | undefined;
}

/** The answer a record that is no longer queued gives to a repeated key. */
function previousOutcome(m: Message): SendResult | null {
  switch (m.status) {
    case 'queued':
      return null;
    case 'sent':
      return m.providerMessageId ? { status: 'sent', providerMessageId: m.providerMessageId } : { status: 'sent' };
    case 'skipped':
      return { status: 'skipped', reason: m.reason ?? 'skipped' };
    case 'failed':
    case 'bounced':
      return { status: 'permanent', reason: m.reason ?? m.status };
    default:
      return assertNever(m.status, 'message status');
  }
}

/** A delivery this attempt holds, with its place in the batch. */
interface Held {
  i: number;
  request: SendRequest;
  message: Message;
}

/** A Channel whose messages go through the pipeline above, with `sender` doing what is its own. */
export function pipelineChannel<Ctx>(deps: PipelineDeps, sender: ChannelSender<Ctx>): Channel {
  const { store, clock } = deps;
  const { db } = store;
  const { descriptor } = sender;
  const writeOutcome = outcomeWriter(store);

  /** The contact's address on the channel, checked; kind `none` (a webhook) needs none. */
  function addressOf(request: SendRequest): AddressCheck {
    if (descriptor.address.kind === 'none') return { ok: true, value: '' };
    const raw = descriptor.address.of(request.contact);
    if (!raw) return { ok: false, reason: `contact has no ${{ phone: 'phone number', email: 'email address', postal: 'postal address', handle: 'linked account' }[descriptor.address.kind]}` };
    // A stored value that is not a valid address (a row from before addresses were checked) is never sent.
    return sender.address(raw);
  }

  /** Steps 3 to 5 for one held delivery; `suppressed` and `context` are the batch's shared reads. */
  async function deliver(h: Held, checked: AddressCheck, suppressed: Promise<string | null>, context: () => Promise<Ctx>): Promise<SendResult> {
    const { request, message } = h;
    const skip = async (reason: string): Promise<SendResult> => {
      await writeOutcome(message.id, { status: 'skipped', reason }, null, clock.now());
      return { status: 'skipped', reason };
    };
    if (!checked.ok) return skip(checked.reason);
    const address = checked.value;
    const reason = await suppressed;
    if (reason) return skip(reason);

    const claimed: ClaimedDelivery = { request, message, address };
    const { result, content, suppressAddress } = await sender.deliver(claimed, await context());
    const at = clock.now();
    switch (result.status) {
      case 'sent':
        await writeOutcome(message.id, { status: 'sent', providerMessageId: result.providerMessageId ?? null }, content, at);
        return result;
      case 'retryable':
        // Stays queued: the next attempt with the same key sends it (the same Message-ID, the same SMS reference).
        await writeOutcome(message.id, { status: 'queued', reason: result.reason }, content, at);
        return result;
      case 'skipped':
        await writeOutcome(message.id, { status: 'skipped', reason: result.reason }, content, at);
        return result;
      case 'permanent':
        if (suppressAddress && descriptor.suppressible) {
          await store.transaction(async (trx) => {
            if (content) await recordContent(trx, message.id, content, at);
            await recordOutcome(trx, message.id, { status: suppressAddress.bounced ? 'bounced' : 'failed', reason: result.reason }, at);
            await suppress(trx, { workspaceId: request.workspaceId, address, reason: 'hard_bounce', source: suppressAddress.source, detail: suppressAddress.detail, now: at });
          });
          // Recorded in its own transaction: one outcome fewer for the writer to wait for.
          writeOutcome.expect(-1);
          return result;
        }
        await writeOutcome(message.id, { status: 'failed', reason: result.reason }, content, at);
        return result;
      default:
        return assertNever(result, 'send result');
    }
  }

  /** Steps 3 to 5 for the held deliveries of a batch; one answer each, never a throw. */
  function deliverAll(held: readonly Held[]): Promise<SendResult[]> {
    // Each delivery below writes one outcome: let them share UPDATEs.
    writeOutcome.expect(held.length);
    const addresses = held.map((h) => addressOf(h.request));
    const asked = held.flatMap((h, k) => (addresses[k]!.ok && descriptor.address.kind !== 'none' ? [k] : []));
    const reasons =
      asked.length === 0
        ? Promise.resolve([] as (string | null)[])
        : suppressionReasons(
            db,
            asked.map((k) => {
              const { request } = held[k]!;
              const address = (addresses[k] as { value: string }).value;
              return {
                workspaceId: request.workspaceId,
                contactId: request.contact.id,
                address,
                kind: request.kind,
                topic: nonEmptyString(request.config.topic),
                channel: descriptor.consentChannel,
                requireConsent: descriptor.consentRequired,
              };
            }),
          );
    // Engagement is measured by opens and clicks of email: the sunset policy applies to email only.
    const sunset =
      descriptor.name === 'email' && asked.length > 0
        ? sunsetSkips(
            db,
            held.map((h) => h.request),
            clock.now(),
          )
        : Promise.resolve(new Set<number>());
    const reasonOf = new Map(asked.map((k, n) => [k, Promise.all([reasons, sunset]).then(([r, s]) => r[n] ?? (s.has(k) ? SUNSET_REASON : null))]));
    const contexts = new Map<string, Promise<Ctx>>();
    const contextOf = (workspaceId: string) => {
      if (!contexts.has(workspaceId)) contexts.set(workspaceId, sender.workspace(workspaceId));
      return contexts.get(workspaceId)!;
    };
    return Promise.all(
      held.map(async (h, k) => {
        try {
          return await deliver(h, addresses[k]!, reasonOf.get(k) ?? Promise.resolve(null), () => contextOf(h.request.workspaceId));
        } catch (err) {
          // Not a delivery problem (database or bug): the record stays queued and the caller retries.
          deps.log?.error({ err, messageId: h.message.id, channel: descriptor.name }, 'delivery attempt failed');
          const reason = `internal: ${(err as Error).message}`;
          // Release the attempt's lease so the retry need not wait for it (best effort: the database may be the problem).
          await writeOutcome(h.message.id, { status: 'queued', reason }, null, clock.now()).catch(() => {});
          return { status: 'retryable', reason } satisfies SendResult;
        }
      }),
    );
  }

  async function sendBatch(requests: readonly SendRequest[]): Promise<SendResult[]> {
    const results: SendResult[] = new Array(requests.length);
    const reserving: { i: number; input: NewMessage }[] = [];
    requests.forEach((request, i) => {
      const plan = sender.plan(request);
      if ('error' in plan) return void (results[i] = { status: 'permanent', reason: plan.error });
      reserving.push({
        i,
        input: {
          workspaceId: request.workspaceId,
          contactId: request.contact.id,
          channel: descriptor.name,
          kind: request.kind,
          idempotencyKey: request.idempotencyKey,
          journeyId: request.context.journeyId,
          journeyVersion: request.context.journeyVersion,
          runId: request.context.runId,
          nodeId: request.context.nodeId,
          templateId: plan.templateId ?? undefined,
          topic: nonEmptyString(request.config.topic),
          to: descriptor.address.of(request.contact),
        },
      });
    });
    const now = clock.now();
    const reserved = await reserveMessages(
      db,
      reserving.map((r) => r.input),
      now,
      deps.attemptLeaseMs,
    );
    const held: Held[] = [];
    await Promise.all(
      reserved.map(async ({ message, created }, k) => {
        const { i } = reserving[k]!;
        if (!created) {
          const previous = previousOutcome(message);
          if (previous) return void (results[i] = previous);
          const claim = await claimAttempt(db, message, now, deps.attemptLeaseMs).catch((err: Error) => err);
          if (claim instanceof Error) return void (results[i] = { status: 'retryable', reason: `internal: ${claim.message}` });
          if (!claim) return void (results[i] = { status: 'retryable', reason: 'another attempt of this delivery is in progress' });
        }
        held.push({ i, request: requests[i]!, message });
      }),
    );
    held.sort((a, b) => a.i - b.i);
    const delivered = await deliverAll(held);
    held.forEach((h, k) => (results[h.i] = delivered[k]!));
    return results;
  }

  return {
    name: descriptor.name,
    async send(request: SendRequest): Promise<SendResult> {
      return (await sendBatch([request]))[0]!;
    },
    sendBatch,
  };
}
