/**
 * The journey document (the server's src/journeys/definition/schema.ts, as JSON) and its picture
 * on the canvas: one flow node per journey node plus a trigger node whose single output is the
 * journey's `start`; one flow edge per journey edge, leaving the source's output handle.
 * Positions are not part of the document; they are kept per journey in localStorage, and laid out
 * in layers from the start when unknown.
 */
import type { Edge as FlowEdge, Node as FlowNode } from '@xyflow/react';

export type StepType = 'message' | 'delay' | 'wait_for_event' | 'branch' | 'split' | 'update_contact' | 'exit';
export const STEP_TYPES: StepType[] = ['message', 'delay', 'wait_for_event', 'branch', 'split', 'update_contact', 'exit'];

export interface JourneyNode {
  id: string;
  type: StepType;
  name?: string;
  [field: string]: unknown;
}

export interface JourneyDoc {
  id: string;
  name: string;
  description?: string;
  status?: string;
  trigger: { type: string; [field: string]: unknown };
  entry?: unknown;
  start: string;
  nodes: JourneyNode[];
  edges: { from: string; to: string; output?: string }[];
  goal?: unknown;
  exitWhen?: unknown;
  settings?: unknown;
}

export const TRIGGER_ID = '__trigger';

export interface StepData extends Record<string, unknown> {
  node: JourneyNode;
  problems: string[];
  /** What the canvas shows: the step's name, else one made from its kind and template (./names.ts). */
  label?: string;
}
export interface TriggerData extends Record<string, unknown> {
  trigger: JourneyDoc['trigger'];
  problems: string[];
}
export type StepFlowNode = FlowNode<StepData, 'step'>;
export type TriggerFlowNode = FlowNode<TriggerData, 'trigger'>;
export type AnyFlowNode = StepFlowNode | TriggerFlowNode;

export function outputsOf(node: JourneyNode): string[] {
  switch (node.type) {
    case 'message':
    case 'delay':
    case 'update_contact':
      return ['next'];
    case 'wait_for_event':
      return ['event', 'timeout'];
    case 'branch':
      return [...((node.branches as { output: string }[] | undefined) ?? []).map((b) => b.output), 'else'];
    case 'split':
      return ((node.variants as { output: string }[] | undefined) ?? []).map((v) => v.output);
    case 'exit':
      return [];
  }
}

/** A new step with the fields its type needs, so it validates once connected. */
export function newStep(type: StepType, id: string): JourneyNode {
  switch (type) {
    case 'message':
      return { id, type, channel: 'email', template: '' };
    case 'delay':
      return { id, type, duration: '1d' };
    case 'wait_for_event':
      return { id, type, event: '', timeout: '3d' };
    case 'branch':
      return { id, type, branches: [{ output: 'yes', condition: { all: [{ field: 'contact.plan', op: 'eq', value: 'pro' }] } }] };
    case 'split':
      return {
        id,
        type,
        variants: [
          { output: 'a', weight: 50 },
          { output: 'b', weight: 50 },
        ],
      };
    case 'update_contact':
      return { id, type, set: {} };
    case 'exit':
      return { id, type };
  }
}

export function uniqueId(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

type Positions = Record<string, { x: number; y: number }>;

function layout(doc: JourneyDoc): Positions {
  const depth = new Map<string, number>([[doc.start, 1]]);
  const queue = [doc.start];
  while (queue.length) {
    const at = queue.shift()!;
    for (const e of doc.edges.filter((e) => e.from === at)) {
      if (!depth.has(e.to)) {
        depth.set(e.to, depth.get(at)! + 1);
        queue.push(e.to);
      }
    }
  }
  let orphan = Math.max(1, ...depth.values()) + 1;
  for (const n of doc.nodes) if (!depth.has(n.id)) depth.set(n.id, orphan++);
  const perLayer = new Map<number, number>();
  const out: Positions = { [TRIGGER_ID]: { x: 0, y: 0 } };
  for (const n of doc.nodes) {
    const d = depth.get(n.id)!;
    const i = perLayer.get(d) ?? 0;
    perLayer.set(d, i + 1);
    out[n.id] = { x: i * 240, y: d * 130 };
  }
  return out;
}

export function savedPositions(id: string): Positions {
  try {
    return JSON.parse(localStorage.getItem(`qatra.layout.${id}`) ?? '{}') as Positions;
  } catch {
    return {};
  }
}

export function savePositions(id: string, nodes: AnyFlowNode[]): void {
  localStorage.setItem(`qatra.layout.${id}`, JSON.stringify(Object.fromEntries(nodes.map((n) => [n.id, n.position]))));
}

export function toFlow(doc: JourneyDoc, saved: Positions = {}): { nodes: AnyFlowNode[]; edges: FlowEdge[] } {
  const auto = layout(doc);
  const pos = (id: string) => saved[id] ?? auto[id] ?? { x: 0, y: 0 };
  const nodes: AnyFlowNode[] = [
    { id: TRIGGER_ID, type: 'trigger', position: pos(TRIGGER_ID), data: { trigger: doc.trigger, problems: [] }, deletable: false },
    ...doc.nodes.map((n): StepFlowNode => ({ id: n.id, type: 'step', position: pos(n.id), data: { node: n, problems: [] } })),
  ];
  const edges: FlowEdge[] = doc.edges.map((e) => flowEdge(e.from, e.output ?? 'next', e.to));
  if (doc.start) edges.push(flowEdge(TRIGGER_ID, 'next', doc.start));
  return { nodes, edges };
}

export function flowEdge(source: string, output: string, target: string): FlowEdge {
  return { id: `${source}:${output}->${target}`, source, sourceHandle: output, target, label: output === 'next' ? undefined : output };
}

export function toDocument(meta: { id: string; name: string; extra: Partial<JourneyDoc> }, nodes: AnyFlowNode[], edges: FlowEdge[]): JourneyDoc {
  const trigger = nodes.find((n): n is TriggerFlowNode => n.type === 'trigger');
  const start = edges.find((e) => e.source === TRIGGER_ID)?.target ?? '';
  return {
    ...meta.extra,
    id: meta.id,
    name: meta.name,
    trigger: trigger?.data.trigger ?? { type: 'manual' },
    start,
    nodes: nodes.filter((n): n is StepFlowNode => n.type === 'step').map((n) => n.data.node),
    edges: edges.filter((e) => e.source !== TRIGGER_ID).map((e) => ({ from: e.source, to: e.target, ...(e.sourceHandle && e.sourceHandle !== 'next' ? { output: e.sourceHandle } : {}) })),
  };
}

/** Paths of the journey-level parts edited in the "Journey settings" panel. */
export const SETTINGS_PATH = /^(entry|goal|exitWhen|settings)(\.|$)/;

/** Which flow node a validation issue is about: `nodes.3.duration` → the fourth node; `trigger…` → the trigger. */
export function nodeOfIssue(path: string, message: string, doc: JourneyDoc): string | null {
  const m = /^nodes\.(\d+)/.exec(path);
  if (m) return doc.nodes[Number(m[1])]?.id ?? null;
  if (path.startsWith('trigger') || path === 'start') return TRIGGER_ID;
  const e = /^edges\.(\d+)/.exec(path);
  if (e) return doc.edges[Number(e[1])]?.from ?? null;
  const named = doc.nodes.find((n) => message.includes(`"${n.id}"`) || message.includes(`'${n.id}'`) || message.includes(`node ${n.id}`));
  return named?.id ?? null;
}

/**
 * The edges of a step whose outputs were renamed in the side panel: branch and split outputs are
 * matched by position when their number stays (renaming "yes" to "pro" keeps its edge), and edges of outputs that are gone
 * are dropped, so the canvas never holds an edge from an output the step no longer has.
 */
export function remapOutputs(before: JourneyNode, after: JourneyNode, edges: FlowEdge[]): FlowEdge[] {
  const was = outputsOf(before);
  const now = outputsOf(after);
  const renamed = new Map<string, string>();
  if (before.type === after.type && (after.type === 'branch' || after.type === 'split')) {
    // Same number of outputs: a rename, matched by position. Added or removed ones keep their names.
    const wasNamed = was.filter((o) => o !== 'else');
    const nowNamed = now.filter((o) => o !== 'else');
    if (wasNamed.length === nowNamed.length) wasNamed.forEach((o, i) => renamed.set(o, nowNamed[i]!));
  }
  return edges.flatMap((e) => {
    if (e.source !== before.id) return [e];
    const output = e.sourceHandle ?? 'next';
    const to = renamed.get(output) ?? output;
    if (!now.includes(to)) return [];
    return to === output && before.id === after.id ? [e] : [flowEdge(after.id, to, e.target)];
  });
}

/** Split steps whose weights do not sum to 100: the panel edits them as percentages. */
export function splitTotals(doc: JourneyDoc): { path: string; nodeId: string; total: number }[] {
  const out: { path: string; nodeId: string; total: number }[] = [];
  doc.nodes.forEach((n, i) => {
    if (n.type !== 'split') return;
    const total = ((n.variants as { weight: unknown }[] | undefined) ?? []).reduce((s, v) => s + (typeof v.weight === 'number' ? v.weight : Number.NaN), 0);
    if (!(Math.abs(total - 100) < 1e-9)) out.push({ path: `nodes.${i}.variants`, nodeId: n.id, total });
  });
  return out;
}

/** The object with `key` set, or without it when the value is empty (an optional field left out). */
export function withOptional<T extends object>(obj: T, key: string, value: unknown): T {
  const next = { ...obj } as Record<string, unknown>;
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete next[key];
  else next[key] = value;
  return next as T;
}
