import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

const EXPECTED = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

// Headers do not depend on the backend; SQLite is enough.
describe('the public pages /u, /p and /f', () => {
  let h: Harness;
  let t: Tenant;
  let formId: string;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    t = await h.tenant();
    const listId = (await h.app.inject({ method: 'POST', url: '/api/lists', headers: t.admin, payload: { name: 'News' } })).json().id;
    formId = (await h.app.inject({ method: 'POST', url: '/api/forms', headers: t.admin, payload: { listId, name: 'footer' } })).json().id;
  });
  afterAll(async () => h?.close());

  it('may not be framed, send no referrer and forbid sniffing: pages, JSON answers and errors alike', async () => {
    const answers = [
      await h.app.inject({ method: 'GET', url: `/f/${formId}` }),
      await h.app.inject({ method: 'POST', url: `/f/${formId}`, payload: { email: 'someone@example.com' } }),
      await h.app.inject({ method: 'GET', url: '/f/confirm/not-a-token' }),
      await h.app.inject({ method: 'GET', url: '/u/not-a-token' }),
      await h.app.inject({ method: 'POST', url: '/u/not-a-token' }),
      await h.app.inject({ method: 'GET', url: '/p/not-a-token?x=1' }),
      await h.app.inject({ method: 'GET', url: '/u' }),
    ];
    expect(answers[0]!.statusCode).toBe(200);
    expect(answers[0]!.headers['content-type']).toMatch(/text\/html/);
    for (const res of answers) expect(res.headers, `${res.statusCode} ${res.body.slice(0, 80)}`).toMatchObject(EXPECTED);
  });

  it('leave the API and other paths alone', async () => {
    for (const url of ['/api/openapi.json', '/healthz', '/ugly', '/fx']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.headers['x-frame-options'], url).toBeUndefined();
    }
  });
});
