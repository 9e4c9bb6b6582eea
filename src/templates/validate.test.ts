import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { TemplateValidationError } from './issues.js';
import { templateExists } from './lookup.js';
import { saveTemplates } from './service.js';
import { footerPartial, welcomeMjml } from './test-fixtures.js';
import type { TemplateInput } from './template.js';
import { defaultSignals } from '../server/signal-sinks.js';

const FOOTER = '{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a>';

describe.each(backends())('saving and validating templates on %s', (kind) => {
  let t: TestDatabase;
  let ws: string;
  const clock = new ManualClock();
  const deps = () => ({ store: t.store, signals: defaultSignals(t.store), clock });
  const save = (inputs: TemplateInput[], mode: 'create' | 'update' | 'upsert' = 'upsert') => saveTemplates(deps(), ws, inputs, mode);
  const failure = async (inputs: TemplateInput[]) => {
    const err = await save(inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TemplateValidationError);
    return err as TemplateValidationError;
  };
  const count = async () =>
    Number(
      (
        await t.store.db
          .selectFrom('template_versions')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('workspace_id', '=', ws)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await freshDatabase(kind);
    ws = (await createWorkspace({ store: t.store, signals: defaultSignals(t.store), clock }, { name: 'Acme', postalAddress: '1 Main St, Springfield' })).id;
  });
  afterAll(async () => t?.drop());

  it('reports Liquid syntax errors with field, line and column', async () => {
    const err = await failure([{ id: 'broken', name: 'b', kind: 'transactional', content: { subject: 'Hi {{ contact.first_name }', body: '<p>one</p>\n<p>\n  {% iff x %}</p>' } }]);
    expect(err.message).toContain('subject:1:4: output "{{ contact.first_name }" not closed');
    expect(err.message).toContain('body:3:3: tag "iff" not found');
    expect(err.issues).toContainEqual({ path: 'body', message: '3:3: tag "iff" not found' });
  });

  it('reports MJML errors with the line and column of the element', async () => {
    const body = '<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column><mj-bogus /></mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>';
    const err = await failure([{ id: 'bad-mjml', name: 'b', kind: 'transactional', content: { subject: 's', body } }]);
    expect(err.message).toMatch(/body:4:18: Element mj-bogus doesn't exist/);
    const inc = await failure([{ id: 'inc-mjml', name: 'b', kind: 'transactional', content: { subject: 's', body: body.replace('<mj-bogus />', '<mj-include path="/etc/passwd" />') } }]);
    expect(inc.message).toMatch(/body:4:18: mj-include is not allowed/);
  });

  it('refuses a marketing email without the postal address or the unsubscribe link (CAN-SPAM)', async () => {
    const err = await failure([{ id: 'promo', name: 'p', kind: 'marketing', content: { subject: 'Sale', body: '<p>50% off</p>' } }]);
    expect(err.issues.map((i) => i.path)).toEqual(['body', 'body']);
    expect(err.message).toMatch(/workspace\.postal_address/);
    expect(err.message).toMatch(/unsubscribe_url/);
    // A transactional email needs neither; a marketing one passes when a partial it renders has both.
    await save([{ id: 'receipt', name: 'r', kind: 'transactional', content: { subject: 'Receipt', body: '<p>Thanks</p>' } }]);
    const saved = await save([footerPartial, { id: 'promo', name: 'p', kind: 'marketing', content: { subject: 'Sale', body: "<p>50% off</p>{% render 'footer' %}" } }]);
    expect(saved.map((r) => r.id)).toEqual(['footer', 'promo']);
    expect(await templateExists(t.store.db, ws, 'promo')).toBe(true);
  });

  it('warns about unknown variables but saves', async () => {
    const [r] = await save([{ id: 'warned', name: 'w', kind: 'transactional', content: { subject: 'x', body: '<p>{{ contact.first_name }} {{ order.total }}\n{{ workspace.phone }}</p>' } }]);
    expect(r!.warnings).toEqual([
      'body:1:32: unknown variable "order" (known: contact, trigger, event, journey, data, workspace, unsubscribe_url, preferences_url, telegram_link)',
      'body:2:4: unknown variable "workspace.phone" (known: workspace.name, workspace.postal_address)',
    ]);
  });

  it('makes a new version only when the content changed, and keeps the old ones', async () => {
    const [v1] = await save([welcomeMjml]);
    expect(v1).toMatchObject({ id: 'welcome-1', version: 1, newVersion: true });
    const [same] = await save([{ ...welcomeMjml, name: 'Renamed' }]);
    expect(same).toMatchObject({ version: 1, newVersion: false });
    const [v2] = await save([{ ...welcomeMjml, content: { ...welcomeMjml.content, subject: 'Hello {{ contact.first_name }}' } }]);
    expect(v2).toMatchObject({ version: 2, newVersion: true });
    const rows = await t.store.db.selectFrom('template_versions').select(['version']).where('workspace_id', '=', ws).where('template_id', '=', 'welcome-1').orderBy('version').execute();
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    await expect(save([welcomeMjml], 'create')).rejects.toThrow(/already exists/);
  });

  it('saves a batch all or nothing: one broken template writes nothing', async () => {
    const before = await count();
    const err = await failure([
      { id: 'layout-a', name: 'a', kind: 'layout', content: { body: `<html><body>{{ content }}${FOOTER}</body></html>` } },
      { id: 'good', name: 'g', kind: 'marketing', content: { subject: 'ok', layoutId: 'layout-a', body: '<p>fine</p>' } },
      { id: 'bad', name: 'b', kind: 'marketing', content: { subject: 'ok', layoutId: 'layout-a', body: '<p>{% if %}</p>' } },
    ]);
    expect(err.message).toMatch(/^bad: body:1:\d+: invalid value expression/);
    expect(await count()).toBe(before);
    expect(await templateExists(t.store.db, ws, 'good')).toBe(false);
    expect(await templateExists(t.store.db, ws, 'layout-a')).toBe(false);
  });

  it('checks layouts: the slot, the layout existing, and records the layout version used', async () => {
    const noSlot = await failure([{ id: 'lay', name: 'l', kind: 'layout', content: { body: '<html></html>' } }]);
    expect(noSlot.message).toMatch(/exactly one \{\{ content \}\} slot/);
    const missing = await failure([{ id: 'm', name: 'm', kind: 'transactional', content: { subject: 's', layoutId: 'nope', body: 'x' } }]);
    expect(missing.message).toMatch(/layoutId: layout "nope" not found/);
    const missingPartial = await failure([{ id: 'm', name: 'm', kind: 'transactional', content: { subject: 's', body: "x {% render 'nope' %}" } }]);
    expect(missingPartial.message).toMatch(/body:1:3: partial "nope" not found/);
    await save([{ id: 'lay', name: 'l', kind: 'layout', content: { body: `<html><body>{{ content }}${FOOTER}</body></html>` } }]);
    await save([{ id: 'lay', name: 'l', kind: 'layout', content: { body: `<html><body><b>v2</b>{{ content }}${FOOTER}</body></html>` } }]);
    await save([{ id: 'uses-lay', name: 'u', kind: 'marketing', content: { subject: 's', layoutId: 'lay', body: 'hello' } }]);
    const row = await t.store.db.selectFrom('template_versions').select(['layout_id', 'layout_version']).where('workspace_id', '=', ws).where('template_id', '=', 'uses-lay').executeTakeFirstOrThrow();
    expect(row).toEqual({ layout_id: 'lay', layout_version: 2 });
  });

  it('rebuilds the messages on a changed layout as new versions, or refuses the layout change', async () => {
    const [before] = await save([{ id: 'uses-lay', name: 'u', kind: 'marketing', content: { subject: 's', layoutId: 'lay', body: 'hello' } }]);
    const results = await save([{ id: 'lay', name: 'l', kind: 'layout', content: { body: `<html><body><b>v3</b>{{ content }}${FOOTER}</body></html>` } }]);
    expect(results).toEqual([
      { id: 'lay', version: 3, newVersion: true, warnings: [] },
      { id: 'uses-lay', version: before!.version + 1, newVersion: true, warnings: [], rebuiltForLayout: 'lay' },
    ]);
    const row = await t.store.db
      .selectFrom('template_versions')
      .select(['layout_version', 'compiled'])
      .where('workspace_id', '=', ws)
      .where('template_id', '=', 'uses-lay')
      .where('version', '=', before!.version + 1)
      .executeTakeFirstOrThrow();
    expect(row.layout_version).toBe(3);
    expect(JSON.stringify(row.compiled)).toContain('<b>v3</b>');
    // A layout without the unsubscribe link would break its marketing emails: refused, nothing saved.
    const err = await failure([{ id: 'lay', name: 'l', kind: 'layout', content: { body: '<html><body>{{ content }}</body></html>' } }]);
    expect(err.message).toMatch(/^uses-lay: body: a marketing email must show the postal address/);
    expect((await t.store.db.selectFrom('templates').select('current_version').where('workspace_id', '=', ws).where('id', '=', 'lay').executeTakeFirstOrThrow()).current_version).toBe(3);
  });

  it('builds an MJML message into an MJML layout, and maps MJML errors to the body or the layout line', async () => {
    const layoutBody =
      '<mjml>\n  <mj-body>\n    <mj-section><mj-column><mj-text>Logo</mj-text></mj-column></mj-section>\n    {{ content }}\n    <mj-section><mj-column><mj-text>' +
      FOOTER +
      '</mj-text></mj-column></mj-section>\n  </mj-body>\n</mjml>';
    await save([{ id: 'mjml-base', name: 'b', kind: 'layout', content: { format: 'mjml', body: layoutBody } }]);
    const body = '<mj-section>\n  <mj-column>\n    <mj-text>Hi {{ contact.first_name }}</mj-text>\n  </mj-column>\n</mj-section>';
    await save([{ id: 'mjml-msg', name: 'm', kind: 'marketing', content: { subject: 's', format: 'mjml', layoutId: 'mjml-base', body, locales: { he: { subject: 'שלום' } } } }]);
    const row = await t.store.db.selectFrom('template_versions').select('compiled').where('workspace_id', '=', ws).where('template_id', '=', 'mjml-msg').executeTakeFirstOrThrow();
    const html = (typeof row.compiled === 'string' ? JSON.parse(row.compiled) : row.compiled).html as Record<string, string>;
    expect(html['']).toMatch(/Logo[\s\S]*Hi \{\{ contact.first_name \}\}[\s\S]*\{\{ workspace.postal_address \}\}/);
    expect(html['he']).toMatch(/<html lang="he" dir="rtl"/);
    const err = await failure([
      { id: 'mjml-bad', name: 'm', kind: 'marketing', content: { subject: 's', format: 'mjml', layoutId: 'mjml-base', body: body.replace('<mj-text>Hi', '<mj-bogus /><mj-text>Hi') } },
    ]);
    expect(err.message).toMatch(/^body:3:5: Element mj-bogus/);
    const html2 = await failure([{ id: 'mjml-html', name: 'm', kind: 'marketing', content: { subject: 's', format: 'html', layoutId: 'mjml-base', body: '<p>x</p>' } }]);
    expect(html2.message).toMatch(/layoutId: layout "mjml-base" is mjml but this template is html/);
  });

  it('rejects bad input shapes with field paths', async () => {
    await expect(save([{ id: 'Bad Id', name: '', kind: 'marketing', content: { body: 'x' } } as TemplateInput])).rejects.toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ path: '0.id' }), expect.objectContaining({ path: '0.name' })]),
    });
  });

  it('two concurrent saves of one template get versions one after another', async () => {
    await save([{ id: 'race', name: 'r', kind: 'transactional', content: { subject: 's', body: 'v1' } }]);
    const results = await Promise.all([2, 3, 4].map((n) => save([{ id: 'race', name: 'r', kind: 'transactional', content: { subject: 's', body: `v${n}` } }], 'update')));
    expect(results.map(([r]) => r!.version).sort()).toEqual([2, 3, 4]);
  });
});
