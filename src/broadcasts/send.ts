/**
 * @module Sending one claimed batch of a broadcast, the way the journey message node sends
 * (src/journeys/runtime/process-runs.ts):
 *
 *  1. Guards, read at send time (docs/standards.md §7, §8) for marketing broadcasts: channel consent
 *     (`unsubscribedChannels`), quiet hours in the contact's zone and the frequency cap, the very
 *     functions journeys use (src/guards/guards.ts). `defer` moves the recipient's due_at,
 *     `skip` settles it as skipped. An erased contact is skipped.
 *  2. Transaction A: confirm the claim (the broadcast is still `sending`, the lease still ours) and
 *     record a pending delivery per recipient under `broadcast:<id>:<contactId>` in `deliveries`,
 *     committed BEFORE any channel is called (docs/standards.md §2). Broadcast sends therefore count
 *     towards journeys' frequency caps, and theirs towards ours.
 *  3. Dispatch, the one send-once path of journeys, broadcasts and retries
 *     (src/deliveries/dispatch.ts): the channel is called except for deliveries an earlier attempt
 *     already sent. The channel does its own send-time suppression check and keeps its own record
 *     under the same key (the email channel answers a repeated key with the first outcome instead of
 *     sending again).
 *  4. Transaction B: settle the deliveries and the recipients, and move the counters.
 * A worker killed anywhere in between leaves leases that expire; the next claimer redoes only what
 * was not committed.
 *
 * `store.dialect` only travels through here to the batched statements of src/deliveries/rows.ts and
 * ./settle.ts (measured there).
 */
import type { AppDeps } from '../core/app-deps.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { SendResult } from '../channels/channel.js';
import type { Contact } from '../contacts/contact.js';
import type { JsonObject } from '../core/json.js';
import { fromJson } from '../core/json.js';
import { newId } from '../core/ids.js';
import type { FrequencyCap, QuietHours } from '../journeys/definition/schema.js';
import type { z } from 'zod';
import { loadContacts } from '../contacts/load.js';
import { checkFrequencyCap, checkQuietHours, unsubscribedChannels, type GuardVerdict } from '../guards/guards.js';
import { dispatch } from '../deliveries/dispatch.js';
import { insertDeliveryRows, settleDeliveries } from '../deliveries/rows.js';
import { settlement } from '../deliveries/statuses.js';
import { backoffMs, type RetryOptions } from '../core/retry.js';
import { sendConfig, type BroadcastRow } from './broadcast.js';
import { effectiveGuards, loadSendContext } from '../workspaces/messaging.js';
import { recipientZone } from '../guards/recipient-zone.js';
import type { Claim, ClaimedRecipient } from './claim.js';
import { confirmClaim, releaseClaim, settleRecipients, type RecipientSettlement } from './settle.js';

export interface BroadcastRuntime extends AppDeps {
  channels: ChannelRegistry;
  retry: RetryOptions;
  /** Identifies this worker in lease tokens (`claimed_by`). */
  workerId: string;
}

export function broadcastKey(broadcastId: string, contactId: string): string {
  return `broadcast:${broadcastId}:${contactId}`;
}

type Decision = { r: ClaimedRecipient; contact: Contact } | { r: ClaimedRecipient; settle: RecipientSettlement };

function fromVerdict(r: ClaimedRecipient, v: Exclude<GuardVerdict, { ok: true }>): RecipientSettlement {
  // Schemas refuse `exit` for broadcasts; a stored one (older row) is treated as skip.
  if (v.outcome === 'defer') return { contact_id: r.contact_id, status: 'pending', due_at: v.until, attempts: r.attempts, error: v.reason };
  return { contact_id: r.contact_id, status: 'skipped', due_at: r.due_at, attempts: r.attempts, error: v.reason };
}

async function decide(rt: BroadcastRuntime, b: BroadcastRow, recipients: readonly ClaimedRecipient[], now: number): Promise<Decision[]> {
  const db = rt.store.db;
  const contacts = await loadContacts(
    db,
    recipients.map((r) => r.contact_id),
  );
  const marketing = b.kind === 'marketing';
  const optedOut = marketing ? await unsubscribedChannels(db, [...contacts.keys()]) : new Map<string, Set<string>>();
  // The broadcast's own quiet hours and cap, else the workspace's (src/workspaces/messaging.ts).
  const own = { quietHours: fromJson<z.infer<typeof QuietHours> | null>(b.quiet_hours) ?? null, frequencyCap: fromJson<z.infer<typeof FrequencyCap> | null>(b.frequency_cap) ?? null };
  const workspace = marketing ? await loadSendContext(db, b.workspace_id) : null;
  const { quietHours: quiet, frequencyCap: cap } = workspace ? effectiveGuards(own, workspace.defaults, b.channel) : own;
  const fallback = workspace?.timezone ?? 'UTC';
  const out: Decision[] = [];
  for (const r of recipients) {
    const contact = contacts.get(r.contact_id);
    const skip = (reason: string): Decision => ({ r, settle: { contact_id: r.contact_id, status: 'skipped', due_at: r.due_at, attempts: r.attempts, error: reason } });
    if (!contact) {
      out.push(skip('contact deleted'));
      continue;
    }
    if (marketing) {
      if (optedOut.get(contact.id)?.has(b.channel)) {
        out.push(skip(`unsubscribed from ${b.channel}`));
        continue;
      }
      if (quiet) {
        const v = checkQuietHours(quiet, now, recipientZone(contact, b.channel, fallback));
        if (!v.ok) {
          out.push({ r, settle: fromVerdict(r, v) });
          continue;
        }
      }
      if (cap) {
        const v = await checkFrequencyCap(db, cap, contact.id, now);
        if (!v.ok) {
          out.push({ r, settle: fromVerdict(r, v) });
          continue;
        }
      }
    }
    out.push({ r, contact });
  }
  return out;
}

function afterSend(rt: BroadcastRuntime, r: ClaimedRecipient, result: SendResult, now: number): { settle: RecipientSettlement; final: boolean } {
  const attempts = r.attempts + 1;
  switch (result.status) {
    case 'sent':
      return { settle: { contact_id: r.contact_id, status: 'sent', due_at: r.due_at, attempts, error: null }, final: true };
    case 'skipped':
      return { settle: { contact_id: r.contact_id, status: 'skipped', due_at: r.due_at, attempts, error: result.reason }, final: true };
    case 'permanent':
      return { settle: { contact_id: r.contact_id, status: 'failed', due_at: r.due_at, attempts, error: result.reason }, final: true };
    case 'retryable': {
      // Deferred by a throttle, warm-up or a domain backing off: nothing was attempted, nothing counts.
      if (result.deferred) return { settle: { contact_id: r.contact_id, status: 'pending', due_at: now + (result.retryAfterMs ?? 0), attempts: r.attempts, error: result.reason }, final: false };
      if (attempts >= rt.retry.maxAttempts)
        return { settle: { contact_id: r.contact_id, status: 'failed', due_at: r.due_at, attempts, error: `${result.reason} (gave up after ${attempts} attempts)` }, final: true };
      const delay = Math.max(backoffMs(rt.retry, attempts), result.retryAfterMs ?? 0);
      return { settle: { contact_id: r.contact_id, status: 'pending', due_at: now + delay, attempts, error: `${result.reason} (attempt ${attempts})` }, final: false };
    }
    default: {
      const never: never = result;
      throw new Error(`unknown send result ${JSON.stringify(never)}`);
    }
  }
}

/** Sends one claimed batch; returns how many recipients it settled or deferred. */
export async function sendBatch(rt: BroadcastRuntime, claim: Claim, token: string, now: number): Promise<number> {
  const b = claim.broadcast;
  const { store } = rt;
  const decisions = await decide(rt, b, claim.recipients, now);
  const toSend = decisions.filter((d): d is Extract<Decision, { contact: Contact }> => 'contact' in d);
  const guarded = decisions.filter((d): d is Extract<Decision, { settle: RecipientSettlement }> => 'settle' in d).map((d) => d.settle);
  const ids = claim.recipients.map((r) => r.contact_id);

  // Transaction A: still ours and still sending? Then the deliveries, before any send.
  let held = new Set<string>();
  let fresh = new Set<string>();
  const going = await store.transaction(async (trx) => {
    const status = await trx.selectFrom('broadcasts').select('status').where('id', '=', b.id).executeTakeFirst();
    if (status?.status !== 'sending') return false;
    held = await confirmClaim(trx, b.id, token, now + rt.config.worker.leaseMs, ids);
    const rows = toSend
      .filter((d) => held.has(d.r.contact_id))
      .map((d) => ({
        id: newId('dlv', now),
        workspace_id: b.workspace_id,
        idempotency_key: broadcastKey(b.id, d.r.contact_id),
        run_id: null,
        journey_id: null,
        node_id: null,
        contact_id: d.r.contact_id,
        channel: b.channel,
        kind: b.kind,
        now,
      }));
    fresh = await insertDeliveryRows(trx, store.dialect, rows);
    return true;
  });
  if (!going) {
    // Paused or cancelled since the claim: hand the batch back untouched.
    await releaseClaim(store.db, b.id, token, ids);
    return 0;
  }
  const sending = toSend.filter((d) => held.has(d.r.contact_id));
  const config: JsonObject = sendConfig(b);
  const results = await dispatch(
    store.db,
    rt.channels,
    sending.map((d) => ({
      channel: b.channel,
      request: { workspaceId: b.workspace_id, contact: d.contact, idempotencyKey: broadcastKey(b.id, d.r.contact_id), config, kind: b.kind, context: { data: { broadcast: b.id } } },
    })),
    fresh,
  );

  // Transaction B: deliveries, recipients and counters together.
  const at = rt.clock.now();
  const outcomes = sending.map((d, i) => ({ d, result: results[i]!, ...afterSend(rt, d.r, results[i]!, at) }));
  await store.transaction(async (trx) => {
    await settleDeliveries(
      trx,
      store.dialect,
      at,
      outcomes.map((o) => settlement(b.workspace_id, broadcastKey(b.id, o.d.r.contact_id), o.result, o.final, at)),
    );
    await settleRecipients(trx, store.dialect, b.id, token, at, [...guarded.filter((g) => held.has(g.contact_id)), ...outcomes.map((o) => o.settle)]);
  });
  return claim.recipients.length;
}
