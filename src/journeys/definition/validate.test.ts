import { describe, expect, it } from 'vitest';
import { validateJourney } from './validate.js';
import { EXAMPLE_TEMPLATES, loadExample } from './examples.js';

const TEMPLATES = new Set([...EXAMPLE_TEMPLATES, 'hello']);
const ctx = { workspaceId: 'ws_test', templateExists: async (_ws: string, id: string) => TEMPLATES.has(id) };

/** start → hello (email) → done */
function minimal(): any {
  return {
    id: 'mini',
    name: 'Minimal',
    trigger: { type: 'manual' },
    start: 'hello',
    nodes: [
      { id: 'hello', type: 'message', channel: 'email', template: 'hello' },
      { id: 'done', type: 'exit' },
    ],
    edges: [{ from: 'hello', to: 'done' }],
  };
}

async function errorsOf(doc: unknown) {
  const r = await validateJourney(doc, ctx);
  expect(r.ok).toBe(false);
  return r.errors;
}

/** Asserts an error at exactly `path` whose message contains every fragment. */
async function expectError(doc: unknown, path: string, ...fragments: string[]) {
  const errors = await errorsOf(doc);
  const hit = errors.find((e) => e.path === path && fragments.every((f) => e.message.includes(f)));
  expect(hit, `no error at ${path} with ${fragments.join(' / ')}; got ${JSON.stringify(errors)}`).toBeDefined();
}

describe('journey validation', () => {
  it('accepts the welcome-series, abandoned-cart and browse-abandonment examples', async () => {
    for (const file of ['welcome-series.yaml', 'abandoned-cart.yaml', 'browse-abandonment.yaml']) {
      const r = await validateJourney(loadExample(file), ctx);
      expect(r.errors, file).toEqual([]);
      expect(r.ok).toBe(true);
    }
    expect((await validateJourney(minimal(), ctx)).ok).toBe(true);
  });

  it('names an unknown node type with the node id and path', async () => {
    const doc = minimal();
    doc.nodes.push({ id: 'mystery', type: 'teleport' });
    doc.edges = [{ from: 'hello', to: 'mystery' }];
    await expectError(doc, 'nodes.2.type', 'nodes[2] (id "mystery")', 'Invalid discriminator');
  });

  it('rejects duplicate node ids', async () => {
    const doc = minimal();
    doc.nodes.push({ id: 'done', type: 'exit' });
    await expectError(doc, 'nodes.2.id', 'nodes[2] (id "done")', 'duplicate node id "done" (also nodes[1])');
  });

  it('rejects a start that is not a node', async () => {
    await expectError({ ...minimal(), start: 'nope' }, 'start', 'start "nope" is not the id of a node');
  });

  it('rejects dangling edges at both ends', async () => {
    const doc = minimal();
    doc.edges.push({ from: 'ghost', to: 'done' }, { from: 'done', to: 'nowhere' });
    await expectError(doc, 'edges.1.from', 'edges[1] (from "ghost" to "done")', 'unknown node "ghost"');
    await expectError(doc, 'edges.2.to', 'edge to unknown node "nowhere"');
  });

  it('rejects an edge from an output the node does not have', async () => {
    const doc = minimal();
    doc.edges[0].output = 'yes';
    await expectError(doc, 'edges.0.output', 'node "hello" (message) has no output "yes"; its outputs are "next"');
  });

  it('rejects a second edge from the same output', async () => {
    const doc = minimal();
    doc.nodes.push({ id: 'other', type: 'exit' });
    doc.edges.push({ from: 'hello', to: 'other' });
    await expectError(doc, 'edges.1', 'output "next" of node "hello" already has an edge (edges[0])');
  });

  it('rejects outputs with no edge, naming the output of each node type', async () => {
    const doc = minimal();
    doc.nodes = [
      { id: 'hello', type: 'message', channel: 'email', template: 'hello' },
      { id: 'wait-1', type: 'wait_for_event', event: 'clicked', timeout: '1d' },
      { id: 'pick', type: 'branch', branches: [{ output: 'vip', condition: { field: 'contact.plan', op: 'eq', value: 'vip' } }] },
      {
        id: 'ab',
        type: 'split',
        variants: [
          { output: 'a', weight: 50 },
          { output: 'b', weight: 50 },
        ],
      },
      { id: 'done', type: 'exit' },
    ];
    doc.edges = [
      { from: 'hello', to: 'wait-1' },
      { from: 'wait-1', output: 'event', to: 'pick' },
      { from: 'pick', output: 'else', to: 'ab' },
      { from: 'ab', output: 'a', to: 'done' },
    ];
    await expectError(doc, 'nodes.1.timeout', 'nodes[1] (id "wait-1")', 'output "timeout" has no edge');
    await expectError(doc, 'nodes.2.branches.0.output', 'nodes[2] (id "pick")', 'output "vip" has no edge');
    await expectError(doc, 'nodes.3.variants.1.output', 'nodes[3] (id "ab")', 'output "b" has no edge');
    const noNext = minimal();
    noNext.edges = [];
    await expectError(noNext, 'nodes.0', 'nodes[0] (id "hello")', 'output "next" has no edge');
    const noElse = structuredClone(doc);
    noElse.edges[2].output = 'vip';
    await expectError(noElse, 'nodes.2', 'output "else" has no edge');
  });

  it('rejects nodes not reachable from start', async () => {
    const doc = minimal();
    doc.nodes.push({ id: 'island', type: 'message', channel: 'webhook', config: { url: 'http://x' } });
    doc.edges.push({ from: 'island', to: 'done' });
    await expectError(doc, 'nodes.2', 'nodes[2] (id "island")', 'not reachable from start "hello"');
  });

  it('rejects a loop with no delay but accepts one with a delay', async () => {
    const doc = minimal();
    doc.nodes = [
      { id: 'hello', type: 'message', channel: 'email', template: 'hello' },
      { id: 'again', type: 'branch', branches: [{ output: 'loop', condition: { field: 'contact.x', op: 'exists' } }] },
      { id: 'done', type: 'exit' },
    ];
    doc.edges = [
      { from: 'hello', to: 'again' },
      { from: 'again', output: 'loop', to: 'hello' },
      { from: 'again', output: 'else', to: 'done' },
    ];
    await expectError(doc, 'nodes.0', 'nodes[0] (id "hello")', 'loop with no delay or wait_for_event ("hello", "again")');
    doc.nodes.push({ id: 'pause', type: 'delay', duration: '7d' });
    doc.edges[1].to = 'pause';
    doc.edges.push({ from: 'pause', to: 'hello' });
    expect((await validateJourney(doc, ctx)).errors).toEqual([]);
  });

  it('rejects a missing template and an email or sms message without one', async () => {
    const doc = minimal();
    doc.nodes[0].template = 'no-such-template';
    await expectError(doc, 'nodes.0.template', 'nodes[0] (id "hello")', 'template "no-such-template" does not exist');
    delete doc.nodes[0].template;
    await expectError(doc, 'nodes.0.template', 'a message on channel email needs a template');
    doc.nodes[0].channel = 'sms';
    await expectError(doc, 'nodes.0.template', 'a message on channel sms needs a template');
  });

  it('rejects bad durations by format, zero and more than ten years', async () => {
    const doc = minimal();
    doc.nodes.splice(1, 0, { id: 'wait-1', type: 'wait_for_event', event: 'x', timeout: '4 hours' });
    doc.edges = [
      { from: 'hello', to: 'wait-1' },
      { from: 'wait-1', output: 'event', to: 'done' },
      { from: 'wait-1', output: 'timeout', to: 'done' },
    ];
    await expectError(doc, 'nodes.1.timeout', 'nodes[1] (id "wait-1")', 'a duration like 30m');
    doc.nodes[1].timeout = '0h';
    await expectError(doc, 'nodes.1.timeout', 'duration "0h" must be greater than zero');
    doc.nodes[1].timeout = '4000d';
    await expectError(doc, 'nodes.1.timeout', 'duration "4000d" is longer than 10 years');
    await expectError({ ...minimal(), settings: { maxDuration: '0d' } }, 'settings.maxDuration', 'greater than zero');
  });

  it('rejects unknown time zones wherever a field names one', async () => {
    const doc = minimal();
    doc.nodes[0].config = { timezone: 'Mars/Olympus_Mons' };
    await expectError(doc, 'nodes.0.config.timezone', 'nodes[0] (id "hello")', 'unknown time zone "Mars/Olympus_Mons"');
    doc.nodes[0].config = { timezone: 'Asia/Tehran' };
    expect((await validateJourney(doc, ctx)).ok).toBe(true);
    doc.nodes.splice(1, 0, { id: 'set-tz', type: 'update_contact', set: { timezone: 'Europe/Nowhere' } });
    doc.edges = [
      { from: 'hello', to: 'set-tz' },
      { from: 'set-tz', to: 'done' },
    ];
    await expectError(doc, 'nodes.1.set.timezone', 'nodes[1] (id "set-tz")', 'unknown time zone "Europe/Nowhere"');
    doc.nodes[1].set.timezone = '{{ event.timezone }}';
    expect((await validateJourney(doc, ctx)).ok).toBe(true);
  });

  it('rejects a delay with no way to compute its due time', async () => {
    const doc = minimal();
    doc.nodes.splice(1, 0, { id: 'later', type: 'delay' });
    doc.edges = [
      { from: 'hello', to: 'later' },
      { from: 'later', to: 'done' },
    ];
    await expectError(doc, 'nodes.1', 'nodes[1] (id "later")', 'a delay needs duration, calendarDays, weekdays, at or untilDate');
  });

  it('rejects reentry after_interval without an interval', async () => {
    await expectError({ ...minimal(), entry: { reentry: { mode: 'after_interval' } } }, 'entry.reentry.interval', 'after_interval needs an interval');
  });

  it('rejects duplicate branch outputs and a branch named else', async () => {
    const doc = minimal();
    const cond = { field: 'contact.plan', op: 'eq', value: 'pro' };
    doc.nodes.splice(1, 0, {
      id: 'pick',
      type: 'branch',
      branches: [
        { output: 'pro', condition: cond },
        { output: 'pro', condition: cond },
        { output: 'else', condition: cond },
      ],
    });
    doc.edges = [
      { from: 'hello', to: 'pick' },
      { from: 'pick', output: 'pro', to: 'done' },
      { from: 'pick', output: 'else', to: 'done' },
    ];
    await expectError(doc, 'nodes.1.branches.1.output', 'nodes[1] (id "pick")', 'duplicate output "pro" (also branches[0])');
    await expectError(doc, 'nodes.1.branches.2.output', 'output "else" is reserved');
  });

  it('rejects non-positive split weights and duplicate variants, and warns on relative weights', async () => {
    const doc = minimal();
    doc.nodes.splice(1, 0, {
      id: 'ab',
      type: 'split',
      variants: [
        { output: 'a', weight: -1 },
        { output: 'b', weight: 1 },
      ],
    });
    doc.edges = [
      { from: 'hello', to: 'ab' },
      { from: 'ab', output: 'a', to: 'done' },
      { from: 'ab', output: 'b', to: 'done' },
    ];
    await expectError(doc, 'nodes.1.variants.0.weight', 'nodes[1] (id "ab")');
    doc.nodes[1].variants = [
      { output: 'a', weight: 1 },
      { output: 'a', weight: 1 },
    ];
    await expectError(doc, 'nodes.1.variants.1.output', 'duplicate output "a" (also variants[0])');
    doc.nodes[1].variants = [
      { output: 'a', weight: 1 },
      { output: 'b', weight: 3 },
    ];
    const r = await validateJourney(doc, ctx);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ path: 'nodes.1.variants', message: 'nodes[1] (id "ab"): weights are relative and sum to 4: a 25.0%, b 75.0%' }]);
  });

  it('reports schema, graph and field errors all at once', async () => {
    const doc = minimal();
    doc.name = '';
    doc.nodes.push({ id: 'wait-1', type: 'wait_for_event', event: 'x', timeout: 'soon' }, { id: 'done', type: 'exit' });
    doc.nodes[0].template = 'missing';
    const paths = (await errorsOf(doc)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'nodes.2.timeout', 'nodes.3.id', 'nodes.0.template', 'nodes.2']));
  });
  it('reports a wrong condition at the row that is wrong, not as one "Invalid input" at the condition', async () => {
    const doc = minimal();
    const condition = {
      all: [{ field: 'plan', op: 'eq', value: 'pro' }, { not: { performed: { event: '', within: '7x' } } }, { any: [{ field: 'contact.tier', op: 'is' }, { color: 'red' }] }],
    };
    doc.nodes.splice(1, 0, { id: 'pick', type: 'branch', branches: [{ output: 'yes', condition }] });
    doc.edges = [
      { from: 'hello', to: 'pick' },
      { from: 'pick', output: 'yes', to: 'done' },
      { from: 'pick', output: 'else', to: 'done' },
    ];
    doc.entry = { filter: { any: [{ performed: { event: 'visited', minCount: 0 } }] } };
    const at = 'nodes.1.branches.0.condition';
    const errors = await errorsOf(doc);
    expect(errors.map((e) => e.path).sort()).toEqual(
      [`${at}.all.0.field`, `${at}.all.1.not.performed.event`, `${at}.all.1.not.performed.within`, `${at}.all.2.any.0.op`, `${at}.all.2.any.1`, 'entry.filter.any.0.performed.minCount'].sort(),
    );
    await expectError(doc, `${at}.all.0.field`, 'nodes[1] (id "pick")', 'contact.*, trigger.*, event.* or journey.*');
    await expectError(doc, `${at}.all.1.not.performed.within`, 'a duration like 30m');
    await expectError(doc, `${at}.all.2.any.1`, 'a condition needs one of all, any, not, field, performed');
  });

  it('a page_view trigger takes a URL pattern; a bad one is named at trigger.url', async () => {
    const doc = minimal();
    doc.trigger = { type: 'page_view', url: '/products/*', where: [{ property: 'category', op: 'eq', value: 'shoes' }] };
    expect((await validateJourney(doc, ctx)).ok).toBe(true);
    for (const url of ['*/pricing', 'shop.example.com/*', '*.example.com/pricing', '/search?q=*']) {
      doc.trigger = { type: 'page_view', url };
      expect((await validateJourney(doc, ctx)).errors, url).toEqual([]);
    }
    doc.trigger = { type: 'page_view', url: 'products' };
    await expectError(doc, 'trigger.url', 'a path pattern starts with / or *');
    doc.trigger = { type: 'page_view', url: 'https://shop.example.com/x' };
    await expectError(doc, 'trigger.url', 'leave out the scheme');
    doc.trigger = { type: 'page_view', url: '/a#b' };
    await expectError(doc, 'trigger.url', 'no spaces');
    doc.trigger = { type: 'page_view' };
    await expectError(doc, 'trigger.url');
  });
});
