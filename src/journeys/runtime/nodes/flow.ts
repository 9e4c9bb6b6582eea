/**
 * @module The flow nodes: wait_for_event (two outputs `event` / `timeout`), branch (first matching
 * branch wins, else `else`), split (A/B, sticky per contact and node: a hash of both picks the
 * variant, so re-entry gets the same one — docs/standards.md §1), update_contact and exit.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { BranchNode, SplitNode, UpdateContactNode, WaitForEventNode } from '../../definition/schema.js';
import type { NodeResult, StepContext } from '../step.js';
import { evaluate } from '../../../conditions/conditions.js';
import { durationMs } from '../../../core/duration.js';
import { holdoutOutputs } from '../../../stats/experiments.js';
import { promotedVariant } from '../../../stats/promotion.js';

export function executeWait(node: z.infer<typeof WaitForEventNode>, ctx: StepContext): NodeResult {
  return { kind: 'wait', event: node.event, where: node.where ?? null, timeoutAt: ctx.now + durationMs(node.timeout) };
}

export async function executeBranch(node: z.infer<typeof BranchNode>, ctx: StepContext): Promise<NodeResult> {
  const scope = { contact: ctx.contact, trigger: ctx.run.trigger, event: ctx.run.event, data: ctx.run.data, since: ctx.run.enteredAt, now: ctx.now, db: ctx.db };
  for (const b of node.branches) {
    if (await evaluate(b.condition, scope)) return { kind: 'next', output: b.output, outcome: b.output };
  }
  return { kind: 'next', output: 'else', outcome: 'else' };
}

/** A number in [0, 1) from the contact and node ids: the same contact always lands in the same bucket. */
export function stickyBucket(contactId: string, nodeId: string): number {
  const h = createHash('sha256').update(`${contactId}:${nodeId}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

function stickyVariant(node: z.infer<typeof SplitNode>, contactId: string): string {
  const total = node.variants.reduce((s, v) => s + v.weight, 0);
  let x = stickyBucket(contactId, node.id) * total;
  for (const v of node.variants) {
    if (x < v.weight) return v.output;
    x -= v.weight;
  }
  return node.variants[node.variants.length - 1]!.output;
}

export async function executeSplit(node: z.infer<typeof SplitNode>, ctx: StepContext): Promise<NodeResult> {
  const sticky = stickyVariant(node, ctx.contact.id);
  if (node.autoPromote) {
    // A winner promoted by the stats worker (src/stats/promotion.ts) takes everyone but the holdout.
    const winner = await promotedVariant(ctx.db, ctx.run.workspaceId, ctx.run.journeyId, node.id);
    if (winner && winner !== sticky && !holdoutOutputs(ctx.doc, node.id).has(sticky)) {
      return { kind: 'next', output: winner, outcome: winner, detail: { promoted: true, assigned: sticky } };
    }
  }
  return { kind: 'next', output: sticky, outcome: sticky };
}

export function executeUpdateContact(node: z.infer<typeof UpdateContactNode>): NodeResult {
  return { kind: 'next', output: 'next', outcome: 'updated', detail: { set: Object.keys(node.set) }, effects: [{ type: 'set_attributes', set: node.set }] };
}
