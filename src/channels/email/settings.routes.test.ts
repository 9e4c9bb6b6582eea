import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n';

describe.each(backends())('email provider settings API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('without settings a workspace uses the default: the outbox', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/email/provider', headers: t.admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ source: 'default', provider: 'outbox' });
  });

  it('stores SMTP settings and never returns the password or the DKIM private key', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/email/provider',
      headers: t.admin,
      payload: {
        provider: 'smtp',
        from: { address: 'news@example.com', name: 'News' },
        smtp: { host: 'smtp.example.com', port: 587, user: 'qatra', password: 'hunter2-secret', rateLimitPerSecond: 10 },
        dkim: { domain: 'example.com', selector: 's1', privateKey: KEY },
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      source: 'workspace',
      provider: 'smtp',
      smtp: { host: 'smtp.example.com', user: 'qatra', hasPassword: true, maxConnections: 5 },
      dkim: { domain: 'example.com', selector: 's1', hasPrivateKey: true },
    });
    for (const r of [res, await h.app.inject({ method: 'GET', url: '/api/email/provider', headers: t.admin })]) {
      expect(r.body).not.toContain('hunter2-secret');
      expect(r.body).not.toContain('PRIVATE KEY');
      expect(r.json().smtp.password).toBeUndefined();
    }
  });

  it('an update that omits the secrets keeps them; password null removes it', async () => {
    const base = { provider: 'smtp', from: { address: 'news@example.com' }, smtp: { host: 'smtp2.example.com', user: 'qatra' }, dkim: { domain: 'example.com', selector: 's2' } };
    const kept = await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: base });
    expect(kept.json()).toMatchObject({ smtp: { host: 'smtp2.example.com', hasPassword: true }, dkim: { selector: 's2', hasPrivateKey: true } });
    const removed = await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: { ...base, smtp: { ...base.smtp, password: null } } });
    expect(removed.json().smtp.hasPassword).toBe(false);
  });

  it('bad settings are a 400 naming the field, and change nothing', async () => {
    const bad = await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: { provider: 'smtp', from: { address: 'not-an-email' }, smtp: { host: 'x', port: 70000 } } });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.from.address', 'body.smtp.port']));
    const missing = await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: { provider: 'smtp', from: { address: 'a@example.com' } } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.issues[0].path).toBe('body.smtp');
    const now = await h.app.inject({ method: 'GET', url: '/api/email/provider', headers: t.admin });
    expect(now.json().smtp.host).toBe('smtp2.example.com');
  });

  it('needs an admin key', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/email/provider', headers: t.write })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/email/provider' })).statusCode).toBe(401);
  });
});
