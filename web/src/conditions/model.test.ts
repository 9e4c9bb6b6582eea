import { describe, expect, it } from 'vitest';
// The server's own schema and validator: what the editor writes must be what the API accepts, and
// the paths of the API's messages must land on the editor's rows. (A test only; the app itself talks
// to the server over HTTP.)
import { Condition as ServerCondition } from '../../../src/journeys/definition/schema.js';
import { validateJourney } from '../../../src/journeys/definition/validate.js';
import {
  blankRow,
  makeGroup,
  makeRow,
  ROW_KINDS,
  GROUP_MODES,
  typedValue,
  viewOf,
  withEmailTemplate,
  withOperator,
  withPerformed,
  type Condition,
  type FieldLeaf,
  type PerformedLeaf,
  type View,
} from './model';

/** Every row of a condition with its path, as the editor lays it out. */
function rows(c: unknown, path: string): { path: string; view: Extract<View, { kind: 'row' | 'raw' }> }[] {
  const v = viewOf(c);
  if (v.kind === 'group') return v.children.flatMap((child, i) => rows(child, `${path}.${v.childPath(i)}`));
  return [{ path: v.kind === 'row' && v.leafPath ? `${path}.${v.leafPath}` : path, view: v }];
}

describe('condition editor model', () => {
  it('shows groups, negated events and rows with the document paths of what they show', () => {
    const c = {
      all: [
        { field: 'contact.plan', op: 'eq', value: 'pro' },
        { not: { performed: { event: 'email.opened', within: '7d' } } },
        { not: { any: [{ field: 'contact.lead_score', op: 'gte', value: 50 }, { performed: { event: 'purchased', where: [{ property: 'total', op: 'gt', value: 10 }] } }] } },
        { not: { field: 'contact.vip', op: 'exists' } },
        { color: 'red' },
      ],
    };
    expect(rows(c, 'x').map((r) => [r.path, r.view.kind === 'row' ? `${r.view.row}${r.view.negated ? ' (not)' : ''}` : 'raw'])).toEqual([
      ['x.all.0', 'attribute'],
      ['x.all.1.not', 'email_opened (not)'],
      ['x.all.2.not.any.0', 'lead_score'],
      ['x.all.2.not.any.1', 'performed'],
      ['x.all.3.not', 'attribute'],
      ['x.all.4', 'raw'],
    ]);
    const none = viewOf(c.all[2]);
    expect(none.kind === 'group' && none.mode).toBe('not_any');
    const single = viewOf(c.all[3]);
    expect(single.kind === 'group' && [single.mode, single.childPath(0)]).toEqual(['not_any', 'not']);
  });

  it('writes conditions the server schema accepts, for every row kind and group mode', () => {
    const filled = (kind: (typeof ROW_KINDS)[number]): FieldLeaf | PerformedLeaf => {
      const leaf = blankRow(kind);
      if ('field' in leaf) return kind === 'attribute' ? { ...leaf, field: 'contact.plan', value: 'pro' } : leaf;
      return kind === 'performed' ? withPerformed({ performed: { ...leaf.performed, event: 'purchased' } }, 'minCount', 2) : withEmailTemplate(leaf, 'welcome-1');
    };
    for (const mode of GROUP_MODES) {
      const c = makeGroup(mode, [...ROW_KINDS.map(filled), makeRow(filled('email_clicked'), true), makeGroup('any', [filled('lead_score')])]);
      expect(ServerCondition.safeParse(c).success, `${mode}: ${JSON.stringify(c)}`).toBe(true);
      // And reads back as the same group.
      const v = viewOf(c);
      expect(v.kind === 'group' && [v.mode, v.children.length]).toEqual([mode, ROW_KINDS.length + 2]);
    }
  });

  it('builds "plan is pro and opened any email in the last 7 days" as the journey language says it', () => {
    const plan = { ...(blankRow('attribute') as FieldLeaf), field: 'contact.plan', value: typedValue('pro', 'eq') };
    const opened = blankRow('email_opened');
    expect(makeGroup('all', [plan, opened])).toEqual({
      all: [{ field: 'contact.plan', op: 'eq', value: 'pro' }, { performed: { event: 'email.opened', where: [{ property: 'machine', op: 'neq', value: true }], within: '7d' } }],
    });
    // Choosing a template keeps "people only" and reads back as the same kind of row.
    const one = withEmailTemplate(opened as PerformedLeaf, 'welcome-1');
    expect(one.performed.where).toEqual([
      { property: 'machine', op: 'neq', value: true },
      { property: 'templateId', op: 'eq', value: 'welcome-1' },
    ]);
    expect(viewOf(one)).toMatchObject({ kind: 'row', row: 'email_opened' });
    expect(viewOf(withEmailTemplate(one, ''))).toMatchObject({ kind: 'row', row: 'email_opened' });
    expect(viewOf({ performed: { event: 'email.opened', where: [{ property: 'url', op: 'contains', value: 'x' }] } })).toMatchObject({ kind: 'row', row: 'performed' });
  });

  it('types values: numbers and booleans as such, lists for in / not_in, no value for exists', () => {
    expect(typedValue('42', 'eq')).toBe(42);
    expect(typedValue('true', 'eq')).toBe(true);
    expect(typedValue('pro', 'eq')).toBe('pro');
    expect(typedValue('a, 2, ,b', 'in')).toEqual(['a', 2, 'b']);
    const leaf: FieldLeaf = { field: 'contact.plan', op: 'eq', value: 'pro' };
    expect(withOperator(leaf, 'exists')).toEqual({ field: 'contact.plan', op: 'exists' });
    expect(withOperator(leaf, 'in')).toEqual({ field: 'contact.plan', op: 'in', value: ['pro'] });
    expect(withPerformed({ performed: { event: 'x', within: '7d' } }, 'within', '')).toEqual({ performed: { event: 'x' } });
  });

  it('places every message of the server about a wrong condition on a row of the editor', async () => {
    const condition: Condition = {
      all: [
        { field: 'contact.', op: 'eq', value: '' },
        makeRow({ performed: { event: '', within: '7 days' } }, true),
        makeGroup('not_any', [{ field: 'contact.lead_score', op: 'gte', value: 50 }, { performed: { event: 'email.clicked', minCount: 0 } }]),
      ],
    };
    const doc = {
      id: 'j',
      name: 'J',
      trigger: { type: 'manual' },
      start: 'pick',
      nodes: [
        { id: 'pick', type: 'branch', branches: [{ output: 'yes', condition }] },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'pick', output: 'yes', to: 'done' },
        { from: 'pick', output: 'else', to: 'done' },
      ],
    };
    const result = await validateJourney(doc, { workspaceId: 'w', templateExists: async () => true });
    const base = 'nodes.0.branches.0.condition';
    const laid = rows(condition, base);
    const onRow = (path: string) => laid.find((r) => path === r.path || path.startsWith(`${r.path}.`))?.path;
    expect(result.errors.length).toBe(4);
    expect(result.errors.map((e) => [e.path, onRow(e.path)])).toEqual([
      [`${base}.all.0.field`, `${base}.all.0`],
      [`${base}.all.1.not.performed.event`, `${base}.all.1.not`],
      [`${base}.all.1.not.performed.within`, `${base}.all.1.not`],
      [`${base}.all.2.not.any.1.performed.minCount`, `${base}.all.2.not.any.1`],
    ]);
  });
});
