import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { pdfToText, printToolsGuard } from '../channels/mail/render/print.testkit.js';

const letter = {
  id: 'welcome-letter',
  name: 'Welcome letter',
  channel: 'mail',
  kind: 'marketing',
  content: {
    paper: 'letter-a4',
    defaultLocale: 'ar',
    returnAddress: ['Qatra · ص.ب 1 · الرياض 11564'],
    body: '<h1>مرحبا {{ contact.first_name }}</h1><p>رمز الخصم {{ piece.promo_code }} على منتجات Qatra.</p><img src="{{ piece.qr_image }}" style="width:25mm"><p>{{ piece.url }}</p>',
    locales: { fa: { body: '<h1>سلام {{ contact.first_name }}</h1><p>کد تخفیف {{ piece.promo_code }}</p><p>{{ piece.url }}</p>' } },
  },
};
const postcard = { id: 'card', name: 'Card', channel: 'mail', kind: 'marketing', content: { paper: 'postcard-a6', front: '<h1>Hello</h1>', body: '<p>See you soon</p>' } };

const printMissing = printToolsGuard('direct mail preview');

describe.each(backends())('direct mail templates on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  const call = (method: 'POST' | 'PUT', url: string, payload: unknown) => h.app.inject({ method, url, headers: a.admin, payload: payload as object });
  beforeAll(async () => {
    h = await createHarness(kind);
    a = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('saves letters and postcards with piece variables and no warnings', async () => {
    for (const t of [letter, postcard]) {
      const res = await call('POST', '/api/templates', t);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ channel: 'mail', current: { warnings: [] } });
    }
  });

  it('refuses what would not print, naming the field: no paper, a postcard without front, MJML, a character the print font lacks', async () => {
    const issues = async (content: object) => (await call('POST', '/api/templates', { ...postcard, id: 'bad', content })).json().error.issues;
    expect(await issues({ body: '<p>x</p>' })).toEqual([{ path: 'paper', message: expect.stringContaining('letter-a4') }]);
    expect(await issues({ paper: 'postcard-6x4', body: '<p>x</p>' })).toEqual([{ path: 'front', message: 'a postcard needs a front (its body is the back)' }]);
    expect(await issues({ paper: 'letter-us', format: 'mjml', body: '<mjml></mjml>' })).toEqual([expect.objectContaining({ path: 'format' })]);
    expect(await issues({ paper: 'letter-us', body: '<p>Thanks! 🙏</p>', locales: { ja: { body: '<p>ありがとう</p>' } } })).toEqual([
      { path: 'body', message: 'the print font (Qatra Print) has no glyph for U+1F64F "🙏": such text would print as empty boxes' },
      { path: 'locales.ja.body', message: expect.stringContaining('U+3042 "あ"') },
    ]);
    const email = await call('POST', '/api/templates', { id: 'mailish', name: 'x', kind: 'transactional', content: { subject: 's', body: '<p>x</p>', paper: 'letter-a4' } });
    expect(email.json().error.issues).toEqual([{ path: 'paper', message: expect.stringContaining('channel mail') }]);
  });

  describe.skipIf(!!printMissing)('preview', () => {
    it('prints the edited letter to PDF in the contact’s locale, with the address by its country’s convention and the piece’s URL', async () => {
      const res = await call('POST', '/api/mail/preview.pdf', {
        content: letter.content,
        locale: 'fa',
        contact: { attributes: { first_name: 'مریم' }, address: { name: 'Maryam Ahmadi', lines: ['No. 12 Vali-e Asr St'], city: 'Tehran', postcode: '1966734511', country: 'IR' } },
        senderCountry: 'AE',
      });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const text = pdfToText(res.rawPayload).replace(/[\u202a-\u202e]/g, '');
      expect(text).toMatch(/Maryam Ahmadi\s+No\. 12 Vali-e Asr St\s+Tehran\s+19667-34511\s+ایران/);
      expect(text).toContain('مریم');
      expect(text).toContain('SAMPLE-2025');
      expect(text).toContain('/m/preview');
    });

    it('refuses a preview whose personalised text the font cannot print, naming the character', async () => {
      const res = await call('POST', '/api/mail/preview.pdf', { content: letter.content, contact: { attributes: { first_name: 'Zoë 😀' } } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues).toEqual([{ path: 'content', message: expect.stringContaining('U+1F600 "😀"') }]);
      const bad = await call('POST', '/api/mail/preview.pdf', {
        content: letter.content,
        contact: { address: { name: 'X', lines: ['1 Main St'], city: 'Springfield', postcode: '62701', country: 'US' } },
      });
      expect(bad.json().error.issues).toEqual([{ path: 'body.contact.address.region', message: expect.any(String) }]);
    });
  });
});
