/**
 * @module The outputs of each node type, i.e. the edge labels that may leave it. The runtime follows
 * the edge whose `output` is the one the node produced.
 *
 * message, delay, update_contact: `next` · wait_for_event: `event` (it arrived) | `timeout` ·
 * branch: each branch's output, then `else` · split: each variant's output · exit: none.
 */
import { assertNever } from '../../core/errors.js';
import type { JourneyNode } from './schema.js';

export const ELSE_OUTPUT = 'else';

export interface NodeOutput {
  output: string;
  /** Path (below the node) of the field that declares this output, for error messages. */
  field: string;
}

export function outputsOf(node: JourneyNode): NodeOutput[] {
  switch (node.type) {
    case 'message':
    case 'delay':
    case 'update_contact':
      return [{ output: 'next', field: '' }];
    case 'wait_for_event':
      return [
        { output: 'event', field: 'event' },
        { output: 'timeout', field: 'timeout' },
      ];
    case 'branch':
      return [...node.branches.map((b, i) => ({ output: b.output, field: `branches.${i}.output` })), { output: ELSE_OUTPUT, field: '' }];
    case 'split':
      return node.variants.map((v, i) => ({ output: v.output, field: `variants.${i}.output` }));
    case 'exit':
      return [];
    default:
      return assertNever(node, 'node type');
  }
}

/** Node types that make time pass: a loop must contain one, or a run would spin forever. */
export function waits(type: string): boolean {
  return type === 'delay' || type === 'wait_for_event';
}
