/**
 * @module Graph checks of a journey document: duplicate node ids, a start that is not a node, edges
 * that dangle or leave from an output the node does not have, outputs with no edge, nodes that
 * cannot be reached from the start, and loops in which no time passes (no delay or wait_for_event).
 *
 * They run on whatever parts of the document parsed, so an author sees the graph's problems in the
 * same answer as a misspelt field elsewhere (all errors at once).
 */
import { Edge, JourneyNode } from './schema.js';
import { outputsOf, waits } from './outputs.js';
import type { Report } from './report.js';

export interface GraphNode {
  index: number;
  id: string;
  type: string;
  /** The parsed node, or null when the node itself is invalid (its outputs are then unknown). */
  node: JourneyNode | null;
}

export interface GraphEdge extends Edge {
  index: number;
}

export interface Graph {
  start: string | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The parts of a raw document that parse, as a graph. */
export function graphOf(raw: unknown): Graph {
  const doc = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const nodes: GraphNode[] = [];
  (Array.isArray(doc.nodes) ? doc.nodes : []).forEach((item: unknown, index) => {
    const n = item as Record<string, unknown> | null;
    if (!n || typeof n.id !== 'string') return;
    const parsed = JourneyNode.safeParse(item);
    nodes.push({ index, id: n.id, type: String(n.type), node: parsed.success ? parsed.data : null });
  });
  const edges: GraphEdge[] = [];
  (Array.isArray(doc.edges) ? doc.edges : []).forEach((item: unknown, index) => {
    const parsed = Edge.safeParse(item);
    if (parsed.success) edges.push({ ...parsed.data, index });
  });
  return { start: typeof doc.start === 'string' ? doc.start : null, nodes, edges };
}

export function checkGraph(g: Graph, report: Report): void {
  const byId = new Map<string, GraphNode>();
  for (const n of g.nodes) {
    const first = byId.get(n.id);
    if (first) report.error(`nodes.${n.index}.id`, `duplicate node id "${n.id}" (also nodes[${first.index}])`);
    else byId.set(n.id, n);
  }
  if (g.start !== null && !byId.has(g.start)) report.error('start', `start "${g.start}" is not the id of a node`);

  const used = new Map<string, GraphEdge>(); // "from\0output" -> first edge
  const follow: GraphEdge[] = []; // edges a run could take: for reachability and loops
  for (const e of g.edges) {
    const from = byId.get(e.from);
    if (!from) report.error(`edges.${e.index}.from`, `edge from unknown node "${e.from}"`);
    if (!byId.has(e.to)) report.error(`edges.${e.index}.to`, `edge to unknown node "${e.to}"`);
    if (!from) continue;
    if (!from.node) {
      follow.push(e); // the node is invalid (reported already): its outputs are unknown, so trust its edges
      continue;
    }
    const outputs = outputsOf(from.node).map((o) => o.output);
    if (!outputs.includes(e.output)) {
      const has = outputs.length ? `its outputs are ${outputs.map((o) => `"${o}"`).join(', ')}` : 'it has no outputs';
      report.error(`edges.${e.index}.output`, `node "${e.from}" (${from.type}) has no output "${e.output}"; ${has}`);
      continue;
    }
    const key = `${e.from}\0${e.output}`;
    const earlier = used.get(key);
    if (earlier) report.error(`edges.${e.index}`, `output "${e.output}" of node "${e.from}" already has an edge (edges[${earlier.index}])`);
    else {
      used.set(key, e);
      follow.push(e);
    }
  }

  for (const n of byId.values()) {
    if (!n.node) continue;
    for (const o of outputsOf(n.node)) {
      if (used.has(`${n.id}\0${o.output}`)) continue;
      report.error(o.field ? `nodes.${n.index}.${o.field}` : `nodes.${n.index}`, `output "${o.output}" has no edge (add {from: ${n.id}, output: ${o.output}, to: …})`);
    }
  }

  const next = new Map<string, string[]>();
  for (const e of follow) if (byId.has(e.to)) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);

  if (g.start !== null && byId.has(g.start)) {
    const seen = new Set([g.start]);
    const queue = [g.start];
    while (queue.length) for (const to of next.get(queue.shift()!) ?? []) if (!seen.has(to) && seen.add(to)) queue.push(to);
    for (const n of byId.values()) if (!seen.has(n.id)) report.error(`nodes.${n.index}`, `not reachable from start "${g.start}"`);
  }

  for (const scc of loops([...byId.keys()], next)) {
    const members = scc.map((id) => byId.get(id)!).sort((a, b) => a.index - b.index);
    if (members.some((m) => waits(m.type))) continue;
    report.error(`nodes.${members[0]!.index}`, `loop with no delay or wait_for_event (${members.map((m) => `"${m.id}"`).join(', ')}): a run would repeat it without pause`);
  }
}

/** Strongly connected components that contain a cycle (Tarjan's algorithm, iterative). */
function loops(ids: string[], next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const succ = next.get(frame.id) ?? [];
      if (frame.i < succ.length) {
        const to = succ[frame.i++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, i: 0 });
        } else if (onStack.has(to)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const scc: string[] = [];
      let id: string;
      do {
        id = stack.pop()!;
        onStack.delete(id);
        scc.push(id);
      } while (id !== frame.id);
      if (scc.length > 1 || (next.get(frame.id) ?? []).includes(frame.id)) out.push(scc);
    }
  }
  return out;
}
