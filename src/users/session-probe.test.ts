import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';

describe.each(backends())('the web app asking whether it is signed in on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h?.close());

  it('gets 204 (no error for the browser to log) with ?optional=1 when signed out; 401 without it, as before', async () => {
    const probe = await h.app.inject({ method: 'GET', url: '/api/auth/session?optional=1' });
    expect(probe.statusCode).toBe(204);
    expect(probe.body).toBe('');
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/session' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/session?optional=1', headers: { cookie: 'qatra_session=forged' } })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/session?optional=maybe' })).statusCode).toBe(400);
  });
});
