/**
 * Segment rows about site visits (the server's src/segments/definition.ts `visits` and `sessions`):
 * "visited /pricing at least 2 times in the last 7 days", "at least 3 sessions in the last 30 days".
 * The URL pattern syntax is the server's (src/conditions/url-pattern.ts, docs/segments.md).
 */

export interface VisitsLeaf {
  type: 'visits';
  url?: string;
  atLeast: number;
  withinDays: number;
}
export interface SessionsLeaf {
  type: 'sessions';
  atLeast: number;
  withinDays: number;
}
export type VisitLeaf = VisitsLeaf | SessionsLeaf;

export const VISIT_TYPES = ['visits', 'sessions'] as const;

export function isVisitLeaf(leaf: { type: string }): leaf is VisitLeaf {
  return (VISIT_TYPES as readonly string[]).includes(leaf.type);
}

/** A new row: the marketer only has to type the pattern. */
export function blankVisit(type: 'visits' | 'sessions'): VisitLeaf {
  return type === 'visits' ? { type, url: '/pricing', atLeast: 2, withinDays: 7 } : { type, atLeast: 3, withinDays: 30 };
}

/** The row with a whole number ≥ 1 typed into `atLeast` or `withinDays` (anything else leaves it for the server to name). */
export function withCount<T extends VisitLeaf>(leaf: T, key: 'atLeast' | 'withinDays', text: string): T {
  const n = Number(text);
  return { ...leaf, [key]: text.trim() !== '' && Number.isFinite(n) ? Math.trunc(n) : text };
}

/** The visits row with a pattern, or without one (any page) when the field is emptied. */
export function withUrl(leaf: VisitsLeaf, url: string): VisitsLeaf {
  const { url: _old, ...rest } = leaf;
  return url.trim() === '' ? rest : { ...rest, url: url.trim() };
}
