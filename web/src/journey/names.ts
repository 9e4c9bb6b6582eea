/**
 * Names a person reads instead of ids: a step's label (its `name`, else one made from its kind and
 * template: "Send: Welcome email"), a journey id made from its name (a slug, unique among the
 * workspace's journeys), and the validator's messages with "nodes[4] (id "message-2")" replaced by
 * the step's label.
 */
import type { JourneyNode } from './model';

export type Translate = (key: any, vars?: Record<string, string | number>) => string; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The label made from a step's kind and template (what a new step is called until renamed). */
export function autoName(node: JourneyNode, templateNames: Record<string, string>, t: Translate): string {
  if (node.type === 'message' && node.template) return t('step.send', { template: templateNames[String(node.template)] ?? String(node.template) });
  return t(`node.${node.type}`);
}

/** What the canvas shows for a step. */
export function stepLabel(node: JourneyNode, templateNames: Record<string, string>, t: Translate): string {
  return node.name ? String(node.name) : autoName(node, templateNames, t);
}

/** A journey id from its name: `Welcome series` → `welcome-series`; unique among `taken`; `journey` when the name has no Latin letters or digits. */
export function slugFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56)
      .replace(/-+$/, '') || 'journey';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** A validator message in words: the step named by its label, the common problems phrased for a marketer. */
export function problemText(message: string, labelOf: (nodeId: string) => string | null, t: Translate): string {
  const m = /^nodes\[\d+\] \(id "([^"]+)"\): (.*)$/.exec(message);
  if (!m) return message;
  const label = labelOf(m[1]!) ?? m[1]!;
  const rest = m[2]!;
  const unconnected = /^output "([^"]+)" has no edge/.exec(rest);
  if (unconnected) return t('problem.unconnected', { step: label, output: unconnected[1]! });
  if (rest.startsWith('not reachable from start')) return t('problem.unreachable', { step: label });
  if (/needs a template$/.test(rest)) return t('problem.noTemplate', { step: label });
  return `${label}: ${rest}`;
}
