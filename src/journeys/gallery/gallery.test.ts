import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { validateJourney } from '../definition/validate.js';
import { saveTemplates } from '../../templates/service.js';
import { GALLERY } from './catalogue.js';
import { galleryJourney, galleryTemplates } from './use.js';

describe.each(backends())('the journey gallery on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => h.app.inject({ method, url, headers: a.admin, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    h = await createHarness(kind);
    a = await h.tenant();
  });
  afterAll(async () => h?.close());

  it.each(GALLERY.map((g) => [g.id, g] as const))('%s passes the publish validator, and its templates the save validator with no warnings', async (_id, item) => {
    const templates = galleryTemplates(item, item.id);
    const ids = new Set(templates.map((t) => t.id));
    const live = { ...galleryJourney(item, item.id, item.name), status: 'live' };
    const result = await validateJourney(live, { workspaceId: a.workspaceId, templateExists: async (_ws, t) => ids.has(t) });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    const saved = await saveTemplates(h.deps, a.workspaceId, templates, 'create', { dryRun: true });
    expect(saved.map((s) => s.warnings)).toEqual(templates.map(() => []));
    for (const t of templates) expect(Object.keys(t.content.locales ?? {})).toEqual(['ar']);
  });

  it('lists the four items and uses one: templates in English and Arabic, a draft journey that publishes as it is; a second use is a second copy', async () => {
    const list = await call('GET', '/api/gallery');
    expect(list.json().items.map((i: { id: string }) => i.id)).toEqual(['welcome-series', 'abandoned-cart', 'win-back', 'birthday']);

    const used = await call('POST', '/api/gallery/welcome-series/use');
    expect(used.statusCode, used.body).toBe(201);
    expect(used.json()).toMatchObject({ journey: { id: 'welcome-series', outcome: 'created', status: 'draft' }, templates: ['welcome-series-welcome', 'welcome-series-tips', 'welcome-series-offer'] });
    const tpl = (await call('GET', '/api/templates/welcome-series-welcome')).json();
    expect(tpl.current.content.locales.ar.subject).toContain('أهلاً بك');
    const journey = (await call('GET', '/api/journeys/welcome-series')).json();
    expect(journey).toMatchObject({ name: 'Welcome series', status: 'draft' });

    const item = GALLERY.find((g) => g.id === 'welcome-series')!;
    const publish = await call('PUT', '/api/journeys/welcome-series', { ...galleryJourney(item, 'welcome-series', 'Welcome series'), status: 'live' });
    expect(publish.statusCode, publish.body).toBe(200);
    expect(publish.json()).toMatchObject({ status: 'live', outcome: 'updated' });

    const again = await call('POST', '/api/gallery/welcome-series/use');
    expect(again.json()).toMatchObject({ journey: { id: 'welcome-series-2', status: 'draft' }, templates: ['welcome-series-2-welcome', 'welcome-series-2-tips', 'welcome-series-2-offer'] });
    expect((await call('GET', '/api/journeys/welcome-series-2')).json().name).toBe('Welcome series 2');

    const unknown = await call('POST', '/api/gallery/nope/use');
    expect(unknown.statusCode).toBe(404);
  });

  it('uses every item in a fresh workspace', async () => {
    a = await h.tenant();
    for (const g of GALLERY) {
      const res = await call('POST', `/api/gallery/${g.id}/use`);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().journey.warnings).toEqual([]);
    }
    expect((await call('GET', '/api/journeys')).json().journeys).toHaveLength(4);
  });
});
