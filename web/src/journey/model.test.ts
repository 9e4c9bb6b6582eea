import { describe, expect, it } from 'vitest';
import { flowEdge, remapOutputs, splitTotals, toDocument, toFlow, withOptional, type JourneyDoc, type JourneyNode } from './model';

const branch = (outputs: string[]): JourneyNode => ({
  id: 'pick',
  type: 'branch',
  branches: outputs.map((output) => ({ output, condition: { all: [{ field: 'contact.plan', op: 'eq', value: output }] } })),
});

describe('journey canvas model', () => {
  it('keeps the edges of renamed branch outputs and drops those of removed ones', () => {
    const edges = [flowEdge('pick', 'yes', 'a'), flowEdge('pick', 'no', 'b'), flowEdge('pick', 'else', 'c'), flowEdge('other', 'next', 'pick')];
    const renamed = remapOutputs(branch(['yes', 'no']), branch(['pro', 'no']), edges);
    expect(renamed.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toEqual(['pick:pro->a', 'pick:no->b', 'pick:else->c', 'other:next->pick']);
    const removed = remapOutputs(branch(['yes', 'no']), branch(['no']), edges);
    expect(removed.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toEqual(['pick:no->b', 'pick:else->c', 'other:next->pick']);
  });

  it('finds split steps whose percentages do not sum to 100', () => {
    const doc: JourneyDoc = {
      id: 'j',
      name: 'J',
      trigger: { type: 'manual' },
      start: 'ab',
      edges: [],
      nodes: [
        {
          id: 'ab',
          type: 'split',
          variants: [
            { output: 'a', weight: 50 },
            { output: 'b', weight: 50 },
          ],
        },
        {
          id: 'abc',
          type: 'split',
          variants: [
            { output: 'a', weight: 30 },
            { output: 'b', weight: 30 },
            { output: 'c', weight: 30 },
          ],
        },
        {
          id: 'blank',
          type: 'split',
          variants: [
            { output: 'a', weight: Number.NaN },
            { output: 'b', weight: 100 },
          ],
        },
      ],
    };
    expect(splitTotals(doc).map((s) => [s.path, s.total])).toEqual([
      ['nodes.1.variants', 90],
      ['nodes.2.variants', Number.NaN],
    ]);
  });

  it('leaves out optional parts that are emptied, so documents round-trip without empty keys', () => {
    expect(withOptional({ event: 'x', where: [1] }, 'where', [])).toEqual({ event: 'x' });
    expect(withOptional({ event: 'x' }, 'valueProperty', '')).toEqual({ event: 'x' });
    expect(withOptional({ event: 'x' }, 'valueProperty', 'total')).toEqual({ event: 'x', valueProperty: 'total' });
  });

  it('a document with entry, goal, exits and settings comes back from the canvas unchanged', () => {
    const doc: JourneyDoc = {
      id: 'j',
      name: 'J',
      trigger: { type: 'event', event: 'signed_up', where: [{ property: 'source', op: 'eq', value: 'web' }] },
      start: 'pick',
      entry: { filter: { not: { performed: { event: 'purchased' } } }, reentry: { mode: 'after_interval', interval: '30d', from: 'entry' } },
      goal: { event: 'purchased', where: [{ property: 'total', op: 'gte', value: 10 }], valueProperty: 'total' },
      exitWhen: [{ event: 'unsubscribed' }],
      settings: { quietHours: { start: '21:00', end: '08:00', outcome: 'defer' }, frequencyCap: { max: 3, per: '7d', outcome: 'skip' }, maxDuration: '90d' },
      nodes: [branch(['pro']), { id: 'done', type: 'exit' }],
      edges: [
        { from: 'pick', to: 'done', output: 'pro' },
        { from: 'pick', to: 'done', output: 'else' },
      ],
    };
    const { id, name, trigger: _t, start: _s, nodes: _n, edges: _e, ...extra } = doc;
    const flow = toFlow(doc);
    expect(toDocument({ id, name, extra }, flow.nodes, flow.edges)).toEqual(doc);
  });
});
