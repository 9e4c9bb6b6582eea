/**
 * @module The message node: runs the send-time guards, then asks for a send. The send itself happens
 * outside any transaction, after the delivery row is committed (see ../deliveries.ts).
 */
import type { z } from 'zod';
import type { MessageNode } from '../../definition/schema.js';
import type { JsonObject } from '../../../core/json.js';
import type { NodeResult, StepContext } from '../step.js';
import { checkFrequencyCap, checkQuietHours, unsubscribed, type GuardVerdict } from '../../../guards/guards.js';
import { durationMs } from '../../../core/duration.js';
import { effectiveGuards, NO_DEFAULTS } from '../../../workspaces/messaging.js';
import { recipientZone } from '../../../guards/recipient-zone.js';
import { chooseSendTime, SEND_TIME_REASON } from '../../../stats/send-time-lookup.js';

function verdictResult(v: Exclude<GuardVerdict, { ok: true }>): NodeResult {
  switch (v.outcome) {
    case 'defer':
      return { kind: 'defer', until: v.until, reason: v.reason };
    case 'skip':
      return { kind: 'next', output: 'next', outcome: 'skipped', detail: { reason: v.reason } };
    case 'exit':
      return { kind: 'end', status: 'exited', reason: v.reason, outcome: 'exited', detail: { reason: v.reason } };
    default: {
      const never: never = v.outcome;
      throw new Error(`unknown outcome ${String(never)}`);
    }
  }
}

export async function executeMessage(node: z.infer<typeof MessageNode>, ctx: StepContext): Promise<NodeResult> {
  const kind = node.kind ?? 'marketing';
  if (kind === 'marketing') {
    if (ctx.optedOut ? ctx.optedOut.has(node.channel) : await unsubscribed(ctx.db, ctx.contact.id, node.channel)) {
      return { kind: 'next', output: 'next', outcome: 'skipped', detail: { reason: `unsubscribed from ${node.channel}` } };
    }
    // The journey's own quiet hours and cap, else the workspace's (src/workspaces/messaging.ts).
    const guards = effectiveGuards(ctx.doc.settings ?? {}, ctx.defaults ?? NO_DEFAULTS, node.channel);
    if (guards.quietHours) {
      const v = checkQuietHours(guards.quietHours, ctx.now, recipientZone(ctx.contact, node.channel, ctx.tz));
      if (!v.ok) return verdictResult(v);
    }
    if (guards.frequencyCap) {
      const v = await checkFrequencyCap(ctx.db, guards.frequencyCap, ctx.contact.id, ctx.now);
      if (!v.ok) return verdictResult(v);
    }
  }
  // Send-time optimisation: hold the step until the contact's best hour, once (the retry finds the
  // deferral in lastError and sends; a later quiet-hours deferral lets it choose again).
  if (node.sendTime && !ctx.run.lastError?.startsWith(`deferred: ${SEND_TIME_REASON}`)) {
    const choice = await chooseSendTime(ctx.db, ctx.contact, ctx.tz, ctx.now, durationMs(node.sendTime.within));
    if (choice.at > ctx.now + 60_000) return { kind: 'defer', until: choice.at, reason: `${SEND_TIME_REASON} (${choice.source})` };
  }
  const config: JsonObject = { ...((node.config ?? {}) as JsonObject) };
  if (node.template) config.template = node.template;
  return { kind: 'send', channel: node.channel, config, messageKind: kind };
}
