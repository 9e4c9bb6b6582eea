/**
 * @module Validates a journey document at apply time and returns every problem at once: the
 * schema's (unknown node types, bad durations, missing fields), the graph's (./graph.ts) and the
 * fields' that need more than a schema (./fields.ts, including whether templates exist).
 * Nothing is stored here; the service applies a document only when this found no error.
 */
import type { FieldIssue } from '../../core/errors.js';
import { JourneyDocument, MAX_JOURNEY_EDGES, MAX_JOURNEY_NODES } from './schema.js';
import { checkGraph, graphOf } from './graph.js';
import { checkDocument, checkNodes, type TemplateExists } from './fields.js';
import { Report } from './report.js';
import { conditionIssues } from './condition-issues.js';

export type { TemplateExists } from './fields.js';

export interface ValidateContext {
  workspaceId: string;
  templateExists: TemplateExists;
}

export type ValidationResult = { ok: true; document: JourneyDocument; errors: []; warnings: FieldIssue[] } | { ok: false; document: null; errors: FieldIssue[]; warnings: FieldIssue[] };

export async function validateJourney(raw: unknown, ctx: ValidateContext): Promise<ValidationResult> {
  const oversize = oversized(raw);
  if (oversize) return { ok: false, document: null, errors: [oversize], warnings: [] };
  const report = new Report(raw);
  const parsed = JourneyDocument.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) for (const i of conditionIssues(issue, raw)) report.error(i.path, i.message);
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const graph = graphOf(raw);
    checkGraph(graph, report);
    await checkNodes(graph, report, ctx.workspaceId, ctx.templateExists);
    checkDocument(raw, report);
  }
  const errors = dedupe(report.errors);
  if (parsed.success && errors.length === 0) return { ok: true, document: parsed.data, errors: [], warnings: report.warnings };
  return { ok: false, document: null, errors, warnings: report.warnings };
}

/** A document with more nodes or edges than a journey may have: refused before anything walks it. */
function oversized(raw: unknown): FieldIssue | null {
  const doc = raw as { nodes?: unknown; edges?: unknown } | null;
  if (Array.isArray(doc?.nodes) && doc.nodes.length > MAX_JOURNEY_NODES) return { path: 'nodes', message: `${doc.nodes.length} nodes; a journey has at most ${MAX_JOURNEY_NODES}` };
  if (Array.isArray(doc?.edges) && doc.edges.length > MAX_JOURNEY_EDGES) return { path: 'edges', message: `${doc.edges.length} edges; a journey has at most ${MAX_JOURNEY_EDGES}` };
  return null;
}

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\0${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
