import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { ManualClock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { toJson } from '../core/json.js';
import { TemplateCache } from './cache.js';
import { renderEmail } from './render.js';
import { renderSms } from './render-sms.js';
import { saveTemplates } from './service.js';
import { footerPartial, links, welcomeMjml, workspaceInfo } from './test-fixtures.js';
import type { TemplateInput } from './template.js';
import { defaultSignals } from '../server/signal-sinks.js';

describe.each(backends())('rendering email templates on %s', (kind) => {
  let t: TestDatabase;
  let ws: string;
  const clock = new ManualClock();
  const deps = () => ({ store: t.store, signals: defaultSignals(t.store), clock, templateCache: new TemplateCache() });
  const contact = { id: 'ct_1', email: 'sara@example.com', locale: null, attributes: { first_name: 'Sara' } };
  const render = (templateId: string, extra: Partial<Parameters<typeof renderEmail>[1]> = {}, d = deps()) =>
    renderEmail(d, { workspaceId: ws, templateId, contact, workspace: workspaceInfo, links, ...extra });
  const save = (...inputs: TemplateInput[]) => saveTemplates(deps(), ws, inputs, 'upsert');

  beforeAll(async () => {
    t = await freshDatabase(kind);
    ws = (await createWorkspace({ store: t.store, signals: defaultSignals(t.store), clock }, { name: 'Acme' })).id;
    await save(footerPartial, welcomeMjml);
  });
  afterAll(async () => t?.drop());

  it('personalises subject, preheader and body, and the default filter fills a missing name', async () => {
    const r = await render('welcome-1', { context: { trigger: { plan: 'pro' } } });
    expect(r).toMatchObject({ templateId: 'welcome-1', version: 1, locale: 'en', direction: 'ltr', subject: 'Welcome, Sara!', preheader: 'Your pro plan is ready' });
    expect(r.html).toContain('Hello Sara,');
    expect(r.html).toContain('href="https://q.example.com/u/TOKEN"');
    expect(r.html).toContain('1 Main St, Springfield');
    expect(r.html).toMatch(/<body[^>]*><div style="display:none[^"]*">Your pro plan is ready<\/div>/);
    expect(r.text).toContain('Hello Sara,');
    expect(r.text).toContain('Get started [https://app.example.com/start?c=ct_1]');
    expect(r.text).not.toContain('Your pro plan is ready');

    const anonymous = await render('welcome-1', { contact: { id: 'ct_2', attributes: {} } });
    expect(anonymous.subject).toBe('Welcome, there!');
    expect(anonymous.html).toContain('Hello there,');
    expect(anonymous.html).toContain('Thanks for choosing the free plan.');
  });

  it('100 renders starting together with a cold cache read the template, its version and the partials once, not 100 times', async () => {
    let statements = 0;
    const plugin: KyselyPlugin = { transformQuery: (args) => (statements++, args.node), transformResult: async (args) => args.result };
    const store: Store = Object.create(t.store, { db: { value: t.store.db.withPlugin(plugin) } });
    const d = { store, signals: defaultSignals(store), clock, templateCache: new TemplateCache() };
    const all = await Promise.all(Array.from({ length: 100 }, () => render('welcome-1', {}, d)));
    expect(new Set(all.map((r) => r.subject))).toEqual(new Set(['Welcome, Sara!']));
    // findTemplate, findVersion, loadPartials (at most a few statements), each once.
    expect(statements).toBeLessThanOrEqual(4);
  });

  it('stores the MJML-compiled HTML once in the version row and renders from it, never compiling per send', async () => {
    const row = await t.store.db.selectFrom('template_versions').selectAll().where('workspace_id', '=', ws).where('template_id', '=', 'welcome-1').executeTakeFirstOrThrow();
    const compiled = (typeof row.compiled === 'string' ? JSON.parse(row.compiled) : row.compiled) as { html: Record<string, string>; text: Record<string, string> };
    expect(Object.keys(compiled.html).sort()).toEqual(['', 'ar', 'en-GB', 'fa']);
    expect(compiled.html['']).toMatch(/^<!doctype html>/);
    expect(compiled.html['']).toContain('Hello {{ contact.first_name | default: "there" }},');
    expect(compiled.html['']).not.toContain('<mj-');
    // The text part is converted once too, Liquid tags kept for the send to fill in.
    expect(compiled.text['']).toContain('Get started [https://app.example.com/start?c={{ contact.id | url_encode }}]');

    // A renderer reads exactly what the row holds: replace it and a fresh cache renders the replacement.
    await t.store.db.insertInto('templates').values({ workspace_id: ws, id: 'probe', name: 'p', channel: 'email', kind: 'transactional', current_version: 1, created_at: 0, updated_at: 0 }).execute();
    await t.store.db
      .insertInto('template_versions')
      .values({
        ...row,
        content: typeof row.content === 'string' ? row.content : toJson(row.content),
        warnings: '[]',
        template_id: 'probe',
        compiled: toJson({ html: { '': '<html><body>stored {{ contact.first_name }}</body></html>' }, text: {} }),
      })
      .execute();
    expect((await render('probe')).html).toBe(
      '<html><body><div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all">Your free plan is ready</div>stored Sara</body></html>',
    );

    // 1,000 renders of the compiled MJML take far less than 1,000 MJML compiles (~10 ms each) would.
    const d = deps();
    const started = performance.now();
    for (let i = 0; i < 1000; i++) await render('welcome-1', { version: 1, contact: { id: `ct_${i}`, attributes: { first_name: `N${i}` } } }, d);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('falls back from fa-IR to fa to the default locale, and en-GB keeps its own subject', async () => {
    const faIR = await render('welcome-1', { contact: { ...contact, locale: 'fa-IR' } });
    expect(faIR.locale).toBe('fa');
    expect(faIR.subject).toBe('خوش آمدید Sara');
    expect(faIR.html).toContain('سلام Sara');
    const deAT = await render('welcome-1', { contact: { ...contact, locale: 'de-AT' } });
    expect(deAT.locale).toBe('en');
    expect(deAT.subject).toBe('Welcome, Sara!');
    const enGB = await render('welcome-1', { locale: 'en-gb' });
    expect(enGB.locale).toBe('en-GB');
    expect(enGB.subject).toBe('Welcome aboard, Sara!');
    expect(enGB.html).toContain('Hello Sara,');
  });

  it('renders Persian and Arabic right to left with dir and lang on <html> and <body>', async () => {
    const fa = await render('welcome-1', { locale: 'fa' });
    expect(fa.direction).toBe('rtl');
    expect(fa.html).toMatch(/<html lang="fa" dir="rtl"/);
    expect(fa.html).toMatch(/<body lang="fa" dir="rtl"/);
    expect(fa.html).toMatch(/text-align:right/);
    const ar = await render('welcome-1', { locale: 'ar-EG', contact: { ...contact, attributes: { first_name: 'سارا' } } });
    expect(ar).toMatchObject({ locale: 'ar', direction: 'rtl', subject: 'مرحبا سارا' });
    // The Arabic variant inherits the default body, compiled again with its own lang and direction.
    expect(ar.html).toMatch(/<html lang="ar" dir="rtl"/);
    expect(ar.html).toContain('Hello سارا,');
    const en = await render('welcome-1');
    expect(en.html).toMatch(/<html lang="en" dir="ltr"/);
  });

  it('wraps an HTML fragment with lang and dir, and applies a forced rtl direction', async () => {
    await save({ id: 'receipt', name: 'Receipt', kind: 'transactional', content: { subject: 'رسید', body: '<p>{{ data.total }}</p>', direction: 'rtl', defaultLocale: 'fa' } });
    const r = await render('receipt', { context: { data: { total: '۱۲۰٬۰۰۰ تومان' } } });
    expect(r.html).toMatch(/^<!doctype html>\n<html lang="fa" dir="rtl">/);
    expect(r.html).toContain('<body lang="fa" dir="rtl">');
    expect(r.html).toContain('<p>۱۲۰٬۰۰۰ تومان</p>');
    expect(r.text.trim()).toBe('۱۲۰٬۰۰۰ تومان');
  });

  it('uses a layout and the workspace partials, and a new partial version is picked up', async () => {
    await save(
      { id: 'base', name: 'Base', kind: 'layout', content: { body: '<html><body><header>{{ workspace.name }}</header>{{ content }}{% render "footer" %}</body></html>' } },
      { id: 'news', name: 'News', kind: 'marketing', content: { subject: 'News', layoutId: 'base', body: '<h1>Hi {{ contact.first_name }}</h1>' } },
    );
    const d = deps();
    const r = await render('news', {}, d);
    expect(r.html).toContain('<header>Acme</header><h1>Hi Sara</h1><p class="footer">Acme · 1 Main St, Springfield · <a href="https://q.example.com/u/TOKEN">Unsubscribe</a></p>');
    await save({ ...footerPartial, content: { body: 'NEW FOOTER {{ workspace.postal_address }} {{ unsubscribe_url }}' } });
    d.templateCache.invalidate(ws);
    expect((await render('news', {}, d)).html).toContain('NEW FOOTER 1 Main St');
    await save(footerPartial);
  });

  it("gives templates the contact's own fields over same-named attributes, and all attributes under contact.attributes", async () => {
    await save({
      id: 'vars',
      name: 'v',
      kind: 'transactional',
      content: { subject: 's', body: '<body>[{{ contact.email }}][{{ contact.plan }}][{{ contact.attributes.email }}][{{ contact.id }}][{{ workspace.name }}][{{ preferences_url }}]</body>' },
    });
    const r = await render('vars', { contact: { id: 'ct_9', email: 'real@example.com', attributes: { email: 'attr@example.com', plan: 'pro' } } });
    expect(r.html).toContain('<body lang="en" dir="ltr">[real@example.com][pro][attr@example.com][ct_9][Acme][https://q.example.com/p/TOKEN]</body>');
    expect(r.html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr"><body/);
  });

  it('escapes contact data in HTML (| raw opts out) but not in the subject or the text part', async () => {
    await save({ id: 'esc', name: 'e', kind: 'transactional', content: { subject: 'For {{ contact.first_name }}', body: '<p>{{ contact.first_name }}</p><div>{{ data.html | raw }}</div>' } });
    const r = await render('esc', { contact: { id: 'ct_x', attributes: { first_name: 'Tom & <b>Jerry</b>' } }, context: { data: { html: '<i>ok</i>' } } });
    expect(r.subject).toBe('For Tom & <b>Jerry</b>');
    expect(r.html).toContain('<p>Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;</p><div><i>ok</i></div>');
    expect(r.text).toContain('Tom & <b>Jerry</b>');
  });

  it('gives the same text part whether it was converted at save time or per send', async () => {
    // The footer partial makes this version convert per send; welcome-1 has a saved text template.
    await save({
      id: 'with-partial',
      name: 'p',
      kind: 'marketing',
      content: { subject: 's', body: (welcomeMjml.content.body as string).replace('</mj-column>', "<mj-raw>{% render 'footer' %}</mj-raw></mj-column>") },
    });
    const row = await t.store.db.selectFrom('template_versions').select('compiled').where('workspace_id', '=', ws).where('template_id', '=', 'with-partial').executeTakeFirstOrThrow();
    expect((typeof row.compiled === 'string' ? JSON.parse(row.compiled) : row.compiled).text).toEqual({});
    const saved = await render('welcome-1', { context: { trigger: { plan: 'pro' } } });
    const perSend = await render('with-partial', { context: { trigger: { plan: 'pro' } } });
    expect(perSend.text.startsWith(saved.text)).toBe(true);
    expect(perSend.text).toContain('Acme · 1 Main St, Springfield · Unsubscribe [https://q.example.com/u/TOKEN]');
  });

  it("renders an SMS in the contact's language, unescaped", async () => {
    await save({
      id: 'otp',
      name: 'OTP',
      channel: 'sms',
      kind: 'transactional',
      content: { body: 'Code {{ data.code }} for {{ contact.first_name }} & co', locales: { fa: { body: 'کد شما {{ data.code }}' } } },
    });
    const d = deps();
    const en = await renderSms(d, { workspaceId: ws, templateId: 'otp', contact, workspace: workspaceInfo, context: { data: { code: '1234' } } });
    expect(en).toEqual({ templateId: 'otp', version: 1, locale: 'en', text: 'Code 1234 for Sara & co' });
    const fa = await renderSms(d, { workspaceId: ws, templateId: 'otp', contact: { ...contact, locale: 'fa-IR' }, workspace: workspaceInfo, context: { data: { code: '۱۲۳۴' } } });
    expect(fa.text).toBe('کد شما ۱۲۳۴');
    await expect(renderEmail(d, { workspaceId: ws, templateId: 'otp', contact, workspace: workspaceInfo })).rejects.toThrow(/not an email message/);
  });

  describe('sandbox', () => {
    const raw = async (id: string, body: string) => {
      await t.store.db.insertInto('templates').values({ workspace_id: ws, id, name: id, channel: 'email', kind: 'transactional', current_version: 1, created_at: 0, updated_at: 0 }).execute();
      await t.store.db
        .insertInto('template_versions')
        .values({
          workspace_id: ws,
          template_id: id,
          version: 1,
          content: toJson({ subject: 's', body }),
          compiled: toJson({ html: { '': body }, text: {} }),
          warnings: '[]',
          content_hash: id,
          layout_id: null,
          layout_version: null,
          created_at: 0,
        })
        .execute();
      return render(id);
    };

    it('an include of a server file is only a missing partial', async () => {
      await expect(raw('sb-passwd', "a {% include '/etc/passwd' %}")).rejects.toThrow(/body:1:3: partial "\/etc\/passwd" not found/);
      await expect(raw('sb-missing', "{% render 'x' %}")).rejects.toMatchObject({ issues: [{ path: 'body', message: expect.stringMatching(/partial "x" not found/) }] });
    });

    it('a huge output or a runaway loop is cut off with a clear error', async () => {
      await expect(raw('sb-huge', "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..25) %}{% assign s = s | append: s %}{% endfor %}{{ s }}")).rejects.toThrow(/memory alloc limit exceeded/);
      await expect(raw('sb-range', '{% for i in (1..100000000) %}x{% endfor %}')).rejects.toThrow(/limit exceeded/);
      const started = Date.now();
      await expect(raw('sb-slow', '{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}')).rejects.toThrow(/template render limit exceeded/);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('templates cannot reach prototypes', async () => {
      const r = await raw('sb-proto', '[{{ contact.constructor }}][{{ contact.email.constructor.name }}][{{ contact.__proto__ }}]');
      expect(r.html).toContain('[][][]');
    });
  });
});
