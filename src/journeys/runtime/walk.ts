/**
 * @module The interpreter: from the run's current node, execute nodes in memory while the next one is
 * due now, and stop at a delay that ends later, a wait for an event, a message that must be sent, a
 * deferral, or the end. The result (step records, effects, the run's new state) is written by
 * ./writer.ts in one transaction; nothing here writes to the database.
 */
import type { JourneyDocument, JourneyNode, PropertyFilter } from '../definition/schema.js';
import type { JsonObject } from '../../core/json.js';
import type { RunStatus } from './tables.js';
import type { Effect, NodeResult, StepContext } from './step.js';
import { executeNode } from './nodes/index.js';

/** A loop without a delay yields after this many steps (the rest runs in a later claim). */
export const MAX_STEPS_PER_CLAIM = 50;

export interface StepRecord {
  nodeId: string;
  visit: number;
  outcome: string;
  detail: JsonObject | null;
  /** When the step was due (for lag measurements). */
  dueAt: number | null;
}

/** The run's state after a walk. */
export interface RunPatch {
  status: RunStatus;
  node: string | null;
  visit: number;
  dueAt: number | null;
  wait: { event: string; where: PropertyFilter[] | null; startedAt: number } | null;
  attempts: number;
  lastError: string | null;
  endedAt: number | null;
  exitReason: string | null;
}

export interface PendingSend {
  nodeId: string;
  visit: number;
  channel: string;
  config: JsonObject;
  messageKind: 'marketing' | 'transactional';
}

export interface WalkResult {
  steps: StepRecord[];
  effects: Effect[];
  patch: RunPatch;
  /** Set when the walk stopped at a message that must be sent before going on. */
  send: PendingSend | null;
}

export function nodeIndex(doc: JourneyDocument): Map<string, JourneyNode> {
  return new Map(doc.nodes.map((n) => [n.id, n]));
}

export function edgeTarget(doc: JourneyDocument, from: string, output: string): string | null {
  const e = doc.edges.find((x) => x.from === from && (x.output ?? 'next') === output);
  return e ? e.to : null;
}

export function ended(status: 'completed' | 'exited' | 'errored' | 'timed_out' | 'converted', reason: string, now: number, node: string | null, visit: number): RunPatch {
  return { status, node, visit, dueAt: null, wait: null, attempts: 0, lastError: status === 'errored' ? reason : null, endedAt: now, exitReason: reason };
}

/**
 * Walks from (node, visit). `first` replaces the first node's execution (the result of a send, or a
 * wait's timeout); `firstDueAt` is when the first step was due.
 */
export async function walk(ctx: StepContext, from: { node: string | null; visit: number }, first: NodeResult | null, firstDueAt: number | null): Promise<WalkResult> {
  const nodes = nodeIndex(ctx.doc);
  const steps: StepRecord[] = [];
  const effects: Effect[] = [];
  let node = from.node;
  let visit = from.visit;
  let dueAt = firstDueAt;
  const { now } = ctx;
  for (let i = 0; i < MAX_STEPS_PER_CLAIM; i++) {
    if (node === null) return { steps, effects, send: null, patch: ended('completed', 'end_of_journey', now, null, visit) };
    const def = nodes.get(node);
    if (!def) {
      const reason = `node ${node} does not exist in version ${ctx.run.version}`;
      return { steps, effects, send: null, patch: ended('errored', reason, now, node, visit) };
    }
    const res = i === 0 && first ? first : await executeNode(def, ctx);
    switch (res.kind) {
      case 'send':
        return {
          steps,
          effects,
          send: { nodeId: node, visit, channel: res.channel, config: res.config, messageKind: res.messageKind },
          patch: { status: 'active', node, visit, dueAt: now, wait: null, attempts: i === 0 ? ctx.run.attempts : 0, lastError: null, endedAt: null, exitReason: null },
        };
      case 'defer':
        return {
          steps,
          effects,
          send: null,
          patch: { status: 'active', node, visit, dueAt: res.until, wait: null, attempts: 0, lastError: `deferred: ${res.reason}`, endedAt: null, exitReason: null },
        };
      case 'wait':
        steps.push({ nodeId: node, visit, outcome: 'waiting', detail: { event: res.event, timeoutAt: res.timeoutAt }, dueAt });
        return {
          steps,
          effects,
          send: null,
          patch: {
            status: 'waiting',
            node,
            visit: visit + 1,
            dueAt: res.timeoutAt,
            wait: { event: res.event, where: res.where, startedAt: now },
            attempts: 0,
            lastError: null,
            endedAt: null,
            exitReason: null,
          },
        };
      case 'end':
        steps.push({ nodeId: node, visit, outcome: res.outcome, detail: res.detail ?? (res.status === 'errored' ? { reason: res.reason } : null), dueAt });
        return { steps, effects, send: null, patch: ended(res.status, res.reason, now, node, visit + 1) };
      case 'next': {
        steps.push({ nodeId: node, visit, outcome: res.outcome, detail: res.detail ?? null, dueAt });
        if (res.effects) effects.push(...res.effects);
        const target = edgeTarget(ctx.doc, node, res.output);
        visit++;
        if (target === null) return { steps, effects, send: null, patch: ended('completed', 'end_of_journey', now, null, visit) };
        node = target;
        if (res.dueAt !== undefined && res.dueAt > now) {
          return { steps, effects, send: null, patch: { status: 'active', node, visit, dueAt: res.dueAt, wait: null, attempts: 0, lastError: null, endedAt: null, exitReason: null } };
        }
        dueAt = res.dueAt ?? now;
        break;
      }
      default: {
        const never: never = res;
        throw new Error(`unknown node result ${JSON.stringify(never)}`);
      }
    }
  }
  return { steps, effects, send: null, patch: { status: 'active', node, visit, dueAt: now, wait: null, attempts: 0, lastError: null, endedAt: null, exitReason: null } };
}
