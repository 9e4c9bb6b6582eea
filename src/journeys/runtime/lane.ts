/**
 * @module The claim lane of a run (migrations/000037.sql): 1 while the step it waits to execute is a
 * transactional message node, so ./claim.ts takes it before any marketing backlog; 0 otherwise.
 * Every writer that moves a run (./writer.ts through ./bulk.ts, enrolment, a resumed wait) sets it
 * from the document the run continues on.
 */
import type { JourneyDocument } from '../definition/schema.js';

export const MARKETING_LANE = 0;
export const TRANSACTIONAL_LANE = 1;

export function laneOf(doc: JourneyDocument, node: string | null): number {
  if (node === null) return MARKETING_LANE;
  const def = doc.nodes.find((n) => n.id === node);
  return def?.type === 'message' && def.kind === 'transactional' ? TRANSACTIONAL_LANE : MARKETING_LANE;
}
