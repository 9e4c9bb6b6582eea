/**
 * The journey condition language (the server's src/journeys/definition/schema.ts `Condition` and
 * `PropertyFilter`) as the condition editor shows it: groups (all / any / none / not all of) that
 * nest, and rows of a few kinds a marketer knows — a contact attribute, a field of the trigger
 * event or journey data, the lead score, an event performed, an email opened or clicked.
 *
 * Every view keeps the document path of what it shows (`all.1.not`), so a validation issue from
 * the server (`nodes.2.branches.0.condition.all.1.not.performed.within`) lands on its row. Nothing
 * is rewritten until the author edits it: a YAML condition opens as it is.
 */

export const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with', 'exists', 'not_exists', 'in', 'not_in'] as const;
export type Operator = (typeof OPERATORS)[number];
export const NO_VALUE = new Set<string>(['exists', 'not_exists']);
export const LIST_VALUE = new Set<string>(['in', 'not_in']);
export const NUMBER_OPERATORS: Operator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];

export type Scalar = string | number | boolean | null;
export interface PropertyFilter {
  property: string;
  op: Operator;
  value?: Scalar | Scalar[];
}
export interface FieldLeaf {
  field: string;
  op: Operator;
  value?: Scalar | Scalar[];
}
export interface PerformedLeaf {
  performed: { event: string; where?: PropertyFilter[]; within?: string; minCount?: number };
}
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | FieldLeaf | PerformedLeaf;

/** The roots a field path may start with. */
export const SOURCES = ['contact', 'trigger', 'event', 'journey'] as const;
export type Source = (typeof SOURCES)[number];

/** Email engagement is recorded as contact events by the tracking endpoints (src/tracking/record.ts). */
export const EMAIL_EVENTS = { email_opened: 'email.opened', email_clicked: 'email.clicked' } as const;
/**
 * Opens by machines (Apple Mail Privacy Protection, image proxies, scanners) are stored with
 * `machine: true` (src/tracking/machine.ts); an "opened email" row counts people only (docs/standards.md §13).
 */
export const HUMAN_OPEN: PropertyFilter = { property: 'machine', op: 'neq', value: true };
const isTemplateFilter = (f: PropertyFilter) => f.property === 'templateId' && f.op === 'eq';
const isHumanFilter = (f: PropertyFilter) => f.property === HUMAN_OPEN.property && f.op === HUMAN_OPEN.op && f.value === HUMAN_OPEN.value;

/** The lead score is mirrored into this contact attribute (src/scoring/apply.ts). */
export const LEAD_SCORE_FIELD = 'contact.lead_score';

export type RowKind = 'attribute' | 'lead_score' | 'performed' | 'email_opened' | 'email_clicked';
export const ROW_KINDS: RowKind[] = ['attribute', 'lead_score', 'performed', 'email_opened', 'email_clicked'];
export type GroupMode = 'all' | 'any' | 'not_any' | 'not_all';
export const GROUP_MODES: GroupMode[] = ['all', 'any', 'not_any', 'not_all'];

export type View =
  | { kind: 'group'; mode: GroupMode; children: Condition[]; childPath(i: number): string }
  | { kind: 'row'; row: RowKind; negated: boolean; leaf: FieldLeaf | PerformedLeaf; leafPath: string }
  | { kind: 'raw' };

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
export const isField = (c: unknown): c is FieldLeaf => isObject(c) && typeof c.field === 'string' && Object.keys(c).every((k) => k === 'field' || k === 'op' || k === 'value');
export const isPerformed = (c: unknown): c is PerformedLeaf => isObject(c) && Object.keys(c).length === 1 && isObject(c.performed) && typeof c.performed.event === 'string';

const join = (base: string, rest: string) => (base ? `${base}.${rest}` : rest);

function rowOf(leaf: FieldLeaf | PerformedLeaf): RowKind {
  if ('field' in leaf) return leaf.field === LEAD_SCORE_FIELD ? 'lead_score' : 'attribute';
  const { event, where } = leaf.performed;
  // An email row shows a template choice only: any other filter makes it a general event row.
  const plain = !where || (where.every((f) => isTemplateFilter(f) || isHumanFilter(f)) && where.filter(isTemplateFilter).length <= 1);
  if (plain && event === EMAIL_EVENTS.email_opened) return 'email_opened';
  if (plain && event === EMAIL_EVENTS.email_clicked) return 'email_clicked';
  return 'performed';
}

/** How the editor shows the condition at `path` (relative to the condition's own path). */
export function viewOf(c: unknown, path = ''): View {
  if (!isObject(c)) return { kind: 'raw' };
  const keys = Object.keys(c);
  if (keys.length === 1 && Array.isArray(c.all)) return { kind: 'group', mode: 'all', children: c.all as Condition[], childPath: (i) => join(path, `all.${i}`) };
  if (keys.length === 1 && Array.isArray(c.any)) return { kind: 'group', mode: 'any', children: c.any as Condition[], childPath: (i) => join(path, `any.${i}`) };
  if (keys.length === 1 && 'not' in c) {
    const inner = c.not;
    if (isObject(inner) && Object.keys(inner).length === 1 && Array.isArray(inner.all))
      return { kind: 'group', mode: 'not_all', children: inner.all as Condition[], childPath: (i) => join(path, `not.all.${i}`) };
    if (isObject(inner) && Object.keys(inner).length === 1 && Array.isArray(inner.any))
      return { kind: 'group', mode: 'not_any', children: inner.any as Condition[], childPath: (i) => join(path, `not.any.${i}`) };
    // "did not open": a negated event reads best as one row; any other `not` is a one-row "none of" group.
    if (isPerformed(inner)) return { kind: 'row', row: rowOf(inner), negated: true, leaf: inner, leafPath: join(path, 'not') };
    return { kind: 'group', mode: 'not_any', children: [inner as Condition], childPath: () => join(path, 'not') };
  }
  if (isField(c) || isPerformed(c)) return { kind: 'row', row: rowOf(c), negated: false, leaf: c, leafPath: path };
  return { kind: 'raw' };
}

export function makeGroup(mode: GroupMode, children: Condition[]): Condition {
  switch (mode) {
    case 'all':
      return { all: children };
    case 'any':
      return { any: children };
    case 'not_all':
      return { not: { all: children } };
    case 'not_any':
      return { not: { any: children } };
  }
}

export function makeRow(leaf: FieldLeaf | PerformedLeaf, negated: boolean): Condition {
  return negated ? { not: leaf } : leaf;
}

/** A new row of a kind, filled in so that only the marketer's own words are missing. */
export function blankRow(kind: RowKind): FieldLeaf | PerformedLeaf {
  switch (kind) {
    case 'attribute':
      return { field: 'contact.', op: 'eq', value: '' };
    case 'lead_score':
      return { field: LEAD_SCORE_FIELD, op: 'gte', value: 50 };
    case 'performed':
      return { performed: { event: '' } };
    case 'email_opened':
      return { performed: { event: EMAIL_EVENTS.email_opened, where: [HUMAN_OPEN], within: '7d' } };
    case 'email_clicked':
      return { performed: { event: EMAIL_EVENTS.email_clicked, within: '7d' } };
  }
}

/** `contact.plan` → ['contact', 'plan']; a path without a known root counts as a contact attribute. */
export function splitField(field: string): { source: Source; name: string } {
  const dot = field.indexOf('.');
  const root = dot < 0 ? '' : field.slice(0, dot);
  return (SOURCES as readonly string[]).includes(root) ? { source: root as Source, name: field.slice(dot + 1) } : { source: 'contact', name: field };
}

/** A value as typed: numbers and booleans as such, `a, b` as a list for in / not_in, the rest as text. */
export function typedValue(text: string, op: string): Scalar | Scalar[] {
  if (LIST_VALUE.has(op))
    return text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => typedScalar(s));
  return typedScalar(text);
}

export function typedScalar(text: string): Scalar {
  if (text === 'true' || text === 'false') return text === 'true';
  return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
}

export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return value === undefined || value === null ? '' : String(value);
}

/** The leaf with a new operator: the value goes when the operator takes none, and changes shape for lists. */
export function withOperator<T extends { op: Operator; value?: Scalar | Scalar[] }>(leaf: T, op: Operator): T {
  const { value, ...rest } = leaf;
  if (NO_VALUE.has(op)) return { ...rest, op } as T;
  const text = valueText(value);
  return { ...rest, op, value: typedValue(text, op) } as T;
}

/** The template an email row is about (its `templateId` filter), or '' for any email. */
export function emailTemplate(leaf: PerformedLeaf): string {
  const f = leaf.performed.where?.find(isTemplateFilter);
  return f ? valueText(f.value) : '';
}

export function withEmailTemplate(leaf: PerformedLeaf, template: string): PerformedLeaf {
  const where = [...(leaf.performed.where ?? []).filter((f) => !isTemplateFilter(f)), ...(template ? [{ property: 'templateId', op: 'eq' as const, value: template }] : [])];
  return withPerformed(leaf, 'where', where);
}

/** Sets or removes (on '' / undefined) one optional key of a performed leaf. */
export function withPerformed(leaf: PerformedLeaf, key: 'within' | 'minCount' | 'where', value: unknown): PerformedLeaf {
  const next: Record<string, unknown> = { ...leaf.performed };
  if (value === '' || value === undefined || (Array.isArray(value) && value.length === 0)) delete next[key];
  else next[key] = value;
  return { performed: next as PerformedLeaf['performed'] };
}

export interface Issue {
  path: string;
  message: string;
}

/** The issues at `path` or inside it. */
export function issuesUnder(issues: Issue[], path: string): Issue[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
}

/** A message without the `nodes[3] (id "x"): ` the server puts in front for readers of a whole document. */
export function bare(message: string): string {
  return message.replace(/^(nodes|edges)\[\d+\](?: \([^)]*\))?: /, '');
}
