import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { ManualClock } from '../core/clock.js';
import { ConflictError, ValidationError } from '../core/errors.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { EXAMPLE_TEMPLATES, loadExample } from './definition/examples.js';
import { templatesInStore } from './definition/templates.js';
import { applyJourney, applyValidated, getJourney, getVersion, journeyDetail, liveJourneys, setStatus, validOrThrow, type JourneyDeps } from './journeys.js';
import { defaultSignals } from '../server/signal-sinks.js';

describe.each(backends())('journey definitions on %s', (kind) => {
  let t: TestDatabase;
  let deps: JourneyDeps;
  let clock: ManualClock;
  let ws: string;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    clock = new ManualClock();
    const templates = new Set([...EXAMPLE_TEMPLATES, 'hello']);
    deps = { store: t.store, signals: defaultSignals(t.store), clock, templateExists: async (_ws, id) => templates.has(id) };
    ws = (await createWorkspace(deps, { name: 'j', postalAddress: '1 Main St, Springfield' })).id;
  });
  afterAll(async () => t?.drop());

  const doc = (id: string, over: Record<string, unknown> = {}) => ({
    id,
    name: `Journey ${id}`,
    trigger: { type: 'event', event: 'signed_up' },
    start: 'hello',
    nodes: [
      { id: 'hello', type: 'message', channel: 'email', template: 'hello' },
      { id: 'wait', type: 'delay', duration: '2d' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'hello', to: 'wait' },
      { from: 'wait', to: 'done' },
    ],
    ...over,
  });

  it('applies the examples as live journeys, and applying them again changes nothing', async () => {
    for (const file of ['welcome-series.yaml', 'abandoned-cart.yaml']) {
      const first = await applyJourney(deps, ws, loadExample(file));
      expect(first).toMatchObject({ outcome: 'created', version: 1, status: 'live' });
      const before = await getJourney(t.store.db, ws, first.id);
      clock.advance(60_000);
      expect(await applyJourney(deps, ws, loadExample(file))).toEqual({ ...first, outcome: 'unchanged' });
      expect(await getJourney(t.store.db, ws, first.id)).toEqual(before);
    }
    const live = await liveJourneys(t.store.db, ws);
    expect(live.map((l) => l.journey.id)).toEqual(['abandoned-cart', 'welcome-series']);
    expect(live[0]!.document.nodes[0]).toMatchObject({ id: 'wait-order', type: 'wait_for_event', timeout: '4h' });
  });

  it('treats a document with reordered keys and spelled-out defaults as unchanged', async () => {
    await applyJourney(deps, ws, doc('same'));
    const { nodes, edges, ...rest } = doc('same');
    const reordered = { edges: edges.map((e) => ({ output: 'next', ...e })), nodes, ...rest, settings: { maxDuration: '365d' } };
    expect(await applyJourney(deps, ws, reordered)).toMatchObject({ outcome: 'unchanged', version: 1 });
  });

  it('editing a live journey creates version 2 and leaves version 1 readable', async () => {
    expect(await applyJourney(deps, ws, { ...doc('edit'), status: 'live' })).toMatchObject({ outcome: 'created', version: 1, status: 'live' });
    const edited = doc('edit', { name: 'Edited' });
    (edited.nodes[1] as { duration: string }).duration = '3d';
    expect(await applyJourney(deps, ws, edited)).toEqual({ id: 'edit', outcome: 'updated', version: 2, status: 'live', warnings: [] });
    const v1 = await getVersion(t.store.db, ws, 'edit', 1);
    const v2 = await getVersion(t.store.db, ws, 'edit', 2);
    expect(v1!.nodes[1]).toMatchObject({ id: 'wait', duration: '2d' });
    expect(v2!.nodes[1]).toMatchObject({ id: 'wait', duration: '3d' });
    expect([v1!.status, v2!.name]).toEqual(['live', 'Edited']);
    expect(await getVersion(t.store.db, ws, 'edit', 3)).toBeUndefined();
    const detail = await journeyDetail(deps, ws, 'edit');
    expect(detail).toMatchObject({ version: 2, status: 'live', name: 'Edited' });
    expect(detail.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('allows draft→live→paused→live→archived and refuses other transitions with a conflict', async () => {
    await applyJourney(deps, ws, doc('states'));
    await expect(setStatus(deps, ws, 'states', 'paused')).rejects.toThrow(/cannot go from draft to paused/);
    for (const s of ['live', 'paused', 'live', 'archived'] as const) expect((await setStatus(deps, ws, 'states', s)).status).toBe(s);
    await expect(setStatus(deps, ws, 'states', 'live')).rejects.toBeInstanceOf(ConflictError);
    expect((await setStatus(deps, ws, 'states', 'archived')).status).toBe('archived');
    await expect(applyJourney(deps, ws, doc('states', { name: 'changed' }))).rejects.toThrow(/archived; its content can no longer change/);
    await expect(applyJourney(deps, ws, { ...doc('states'), status: 'draft' })).rejects.toThrow(/cannot go from archived to draft/);
    await expect(setStatus(deps, ws, 'nope', 'live')).rejects.toThrow(/journey nope not found/);
  });

  it('a status in the document is applied as a transition; without one the state is kept', async () => {
    await applyJourney(deps, ws, { ...doc('gitops'), status: 'live' });
    await setStatus(deps, ws, 'gitops', 'paused');
    expect(await applyJourney(deps, ws, doc('gitops'))).toMatchObject({ outcome: 'unchanged', status: 'paused' });
    expect(await applyJourney(deps, ws, { ...doc('gitops'), status: 'live' })).toMatchObject({ outcome: 'updated', version: 1, status: 'live' });
  });

  it('create refuses an existing id', async () => {
    await applyJourney(deps, ws, doc('once'), 'create');
    await expect(applyJourney(deps, ws, doc('once'), 'create')).rejects.toThrow(/journey once already exists/);
  });

  it('an invalid document going live is refused with every issue and nothing is stored', async () => {
    const bad = doc('bad', { start: 'nowhere', status: 'live' });
    (bad.nodes[1] as { duration: string }).duration = 'soon';
    const err = await applyJourney(deps, ws, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['nodes.1.duration', 'start']);
    expect(await getJourney(t.store.db, ws, 'bad')).toBeUndefined();
  });

  it('applies several documents all or nothing', async () => {
    await applyJourney(deps, ws, { ...doc('archived-one'), status: 'archived' });
    const a = await validOrThrow(deps, ws, doc('batch-a'));
    const b = await validOrThrow(deps, ws, { ...doc('archived-one'), status: 'live' });
    await expect(applyValidated(deps, ws, [a, b])).rejects.toThrow(/cannot go from archived to live/);
    expect(await getJourney(t.store.db, ws, 'batch-a')).toBeUndefined();
    await expect(applyValidated(deps, ws, [a, a])).rejects.toThrow(/given twice/);
  });

  it('concurrent applies of different contents get distinct, gapless version numbers', async () => {
    const other = kind === 'postgres' ? t.reopen() : t.store; // two pools race on PostgreSQL
    try {
      const variants = ['1h', '2h', '3h', '4h', '5h', '6h'].map((d) => {
        const v = doc('race');
        (v.nodes[1] as { duration: string }).duration = d;
        return v;
      });
      const results = await Promise.all(variants.map((v, i) => applyJourney({ ...deps, store: i % 2 ? other : t.store }, ws, v)));
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      expect((await journeyDetail(deps, ws, 'race')).versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      if (other !== t.store) await other.close();
    }
  });

  it('by default a message template must exist and not be archived in the workspace', async () => {
    const withoutInjected = { store: t.store, signals: defaultSignals(t.store), clock };
    const err = await applyJourney(withoutInjected, ws, doc('needs-template', { status: 'live' })).catch((e: unknown) => e);
    expect((err as ValidationError).issues).toEqual([{ path: 'nodes.0.template', message: 'nodes[0] (id "hello"): template "hello" does not exist' }]);
    const row = { workspace_id: ws, id: 'hello', name: 'Hello', channel: 'email', kind: 'marketing', current_version: 1, archived_at: null, created_at: 0, updated_at: 0 } as const;
    await t.store.db.insertInto('templates').values(row).execute();
    expect(await templatesInStore(t.store)(ws, 'hello')).toBe(true);
    expect(await applyJourney(withoutInjected, ws, doc('needs-template'))).toMatchObject({ outcome: 'created' });
    await t.store.db.updateTable('templates').set({ archived_at: 1 }).where('workspace_id', '=', ws).where('id', '=', 'hello').execute();
    const changed = doc('needs-template', { name: 'changed', status: 'live' });
    await expect(applyJourney(withoutInjected, ws, changed)).rejects.toThrow(/template "hello" does not exist/);
  });
});
