import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

describe.each(backends())('merge tags and the preview of unsaved content on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  const call = (method: 'GET' | 'POST', url: string, payload?: object, tenant = a) => h.app.inject({ method, url, headers: tenant.admin, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    h = await createHarness(kind);
    a = await h.tenant();
  });
  afterAll(async () => h?.close());

  it("lists the attributes the workspace's contacts carry, with type and sample, then the standard tags; another workspace's stay out", async () => {
    const contacts = [
      { email: 'a@example.com', attributes: { first_name: 'Layla', plan: 'pro', seats: 3, 'favourite colour': 'blue' } },
      { email: 'b@example.com', attributes: { first_name: 'Sam', trial_ends: '2026-12-24', vip: true } },
      { email: 'c@example.com', attributes: { first_name: '', tags: ['a', 'b'] } },
    ];
    for (const c of contacts) expect((await call('POST', '/api/contacts', c)).statusCode).toBe(201);
    const b = await h.tenant();
    await call('POST', '/api/contacts', { email: 'x@example.com', attributes: { secret_field: 'x' } }, b);

    const res = await call('GET', '/api/merge-tags');
    expect(res.statusCode, res.body).toBe(200);
    const { tags, sampled } = res.json();
    expect(sampled).toBe(3);
    const attrs = tags.filter((t: { group: string }) => t.group === 'attribute');
    // The most common first; the empty first_name does not hide the sample value.
    expect(attrs[0]).toEqual({ key: 'first_name', liquid: 'contact.first_name', group: 'attribute', type: 'string', sample: expect.stringMatching(/^(Layla|Sam)$/), count: 3 });
    const byKey = Object.fromEntries(attrs.map((t: { key: string }) => [t.key, t]));
    expect(byKey.seats).toMatchObject({ type: 'number', sample: '3' });
    expect(byKey.trial_ends).toMatchObject({ type: 'date', sample: '2026-12-24' });
    expect(byKey.vip).toMatchObject({ type: 'boolean', sample: 'true' });
    expect(byKey.tags).toMatchObject({ type: 'list', sample: '["a","b"]' });
    expect(byKey['favourite colour']).toMatchObject({ liquid: 'contact["favourite colour"]' });
    expect(byKey.secret_field).toBeUndefined();
    expect(tags.map((t: { liquid: string }) => t.liquid)).toEqual(expect.arrayContaining(['unsubscribe_url', 'preferences_url', 'workspace.postal_address', 'contact.email']));
  });

  it('previews unsaved MJML with a variant, for a chosen contact, storing nothing', async () => {
    const contact = (await call('POST', '/api/contacts', { email: 'fa@example.com', locale: 'fa', attributes: { first_name: 'Sara', 'favourite colour': 'سبز' } })).json();
    const content = {
      subject: 'Hi {{ contact.first_name }}',
      preheader: 'Welcome',
      body: '<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{ contact.first_name }} ({{ contact["favourite colour"] }})</mj-text></mj-column></mj-section></mj-body></mjml>',
      locales: {
        fa: {
          subject: 'سلام {{ contact.first_name }}',
          preheader: 'خوش آمدید',
          body: '<mjml><mj-body><mj-section><mj-column><mj-text>سلام {{ contact.first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>',
        },
      },
    };
    const res = await call('POST', '/api/templates/preview', { kind: 'transactional', content, contactId: contact.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ locale: 'fa', direction: 'rtl', subject: 'سلام Sara', preheader: 'خوش آمدید' });
    expect(res.json().html).toContain('سلام Sara');
    expect(res.json().html).toMatch(/<html[^>]*dir="rtl"/);
    const en = (await call('POST', '/api/templates/preview', { kind: 'transactional', content, contactId: contact.id, locale: 'en' })).json();
    expect(en).toMatchObject({ locale: 'en', direction: 'ltr', subject: 'Hi Sara' });
    expect(en.html).toContain('Hello Sara (سبز)');
    expect((await call('GET', '/api/templates')).json().data).toEqual([]);
    // The first MJML compile starts the render pool's threads: slow on the loaded shared machine.
  }, 90_000);

  it('answers a Liquid error with its field and line, and an MJML error likewise', async () => {
    const liquid = await call('POST', '/api/templates/preview', { kind: 'transactional', content: { subject: 's', body: '<p>one</p>\n<p>two</p>\n{% if contact.vip %}<p>three</p>' } });
    expect(liquid.statusCode).toBe(400);
    expect(liquid.json().error.issues).toEqual([{ path: 'body', message: expect.stringMatching(/^3:\d+: .*if/) }]);
    const variant = await call('POST', '/api/templates/preview', { kind: 'transactional', content: { subject: 's', body: '<p>x</p>', locales: { ar: { subject: '{% if contact.vip %}VIP' } } } });
    expect(variant.json().error.issues).toEqual([{ path: 'locales.ar.subject', message: expect.stringMatching(/^1:\d+: /) }]);
    const mjml = await call('POST', '/api/templates/preview', { kind: 'transactional', content: { subject: 's', body: '<mjml>\n<mj-body>\n<mj-text>loose</mj-text>\n</mj-body>\n</mjml>' } });
    expect(mjml.statusCode).toBe(400);
    expect(mjml.json().error.issues[0]).toEqual({ path: 'body', message: expect.stringMatching(/^3:\d+: /) });
  });

  it('shows a marketing email without its footer yet, warning that the save will refuse it; bad input is a 400 with its path', async () => {
    const res = await call('POST', '/api/templates/preview', { kind: 'marketing', content: { body: '<p>Sale {{ contact.first_name | default: "friend" }}</p>' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().html).toContain('Sale Sam');
    expect(res.json().warnings).toEqual(
      expect.arrayContaining(['subject: an email needs a subject (the save will refuse this)', expect.stringMatching(/unsubscribe link.*\(the save will refuse this\)$/)]),
    );
    const bad = await call('POST', '/api/templates/preview', { kind: 'marketing', content: { body: 5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.content.body']);
    expect((await call('POST', '/api/templates/preview', { content: { subject: 's', body: 'x' }, contactId: 'ct_nope' })).statusCode).toBe(404);
  });
});
