/**
 * @module Dispatch from a node's type to its executor; the switch ends in an exhaustiveness check.
 */
import type { JourneyNode } from '../../definition/schema.js';
import { assertNever } from '../../../core/errors.js';
import type { NodeResult, StepContext } from '../step.js';
import { executeDelay } from './delay.js';
import { executeBranch, executeSplit, executeUpdateContact, executeWait } from './flow.js';
import { executeMessage } from './message.js';

export async function executeNode(node: JourneyNode, ctx: StepContext): Promise<NodeResult> {
  switch (node.type) {
    case 'message':
      return executeMessage(node, ctx);
    case 'delay':
      return executeDelay(node, ctx);
    case 'wait_for_event':
      return executeWait(node, ctx);
    case 'branch':
      return executeBranch(node, ctx);
    case 'split':
      return executeSplit(node, ctx);
    case 'update_contact':
      return executeUpdateContact(node);
    case 'exit':
      // Reaching an exit node is the normal end of a journey: completed (exit events are `exited`).
      return { kind: 'end', status: 'completed', reason: 'exit_node', outcome: 'completed' };
    default:
      return assertNever(node, 'journey node');
  }
}
