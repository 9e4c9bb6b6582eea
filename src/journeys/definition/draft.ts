/**
 * @module What a draft needs to be saved. A draft is work in progress: steps not yet connected,
 * fields not yet filled, templates not yet chosen. It is stored in any such state; what it must have
 * is only what storing and reopening it need: an id, a name, and nodes and edges that are lists of
 * objects naming their ids (so the canvas can draw them), within the size limits. Everything else
 * the full validator (./validate.ts) finds is a *problem*: reported with the save, listed on the
 * canvas, and refused when the journey goes live (PUT with `status: live`, or POST …/status).
 */
import { z } from 'zod';
import type { FieldIssue } from '../../core/errors.js';
import { JourneyDocument, MAX_JOURNEY_EDGES, MAX_JOURNEY_NODES } from './schema.js';
import { dotted } from './report.js';

const DraftNode = z.looseObject({ id: z.string().min(1).max(64), type: z.string().min(1).max(64) });
const DraftEdge = z.looseObject({ from: z.string().max(64), to: z.string().max(64), output: z.string().max(200).optional() });

/** The envelope every stored draft has; the rest of the document is kept as given. */
export const DraftDocument = z
  .looseObject({
    id: JourneyDocument.shape.id,
    name: z.string().min(1),
    status: z.literal('draft').optional(),
    nodes: z.array(DraftNode).max(MAX_JOURNEY_NODES),
    edges: z.array(DraftEdge).max(MAX_JOURNEY_EDGES).default([]),
  })
  .describe('a journey draft: any document with an id, a name, and nodes and edges naming their ids; the rest is checked at publish');

export type DraftDocument = z.infer<typeof DraftDocument>;

/** Why `raw` cannot be stored even as a draft (empty: it can). */
export function draftIssues(raw: unknown): FieldIssue[] {
  const parsed = DraftDocument.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: dotted(i.path), message: i.message }));
}
