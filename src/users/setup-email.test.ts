import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { ownerSetupLink } from './owner.js';

describe.each(backends())("a user's email at setup on %s", (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('must be one mailbox: a list is refused at email and the setup link stays usable', async () => {
    const link = await ownerSetupLink(h.deps, t.workspaceId, 'http://q.example');
    const token = new URL(link!).hash.replace('#token=', '');
    const setup = (email: string) => h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, email, password: 'correct horse battery' } });
    const bad = await setup('owner@example.com,other');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues).toEqual([{ path: 'email', message: 'one email address is required, like name@example.com' }]);
    const good = await setup(' Owner@Example.COM ');
    expect(good.statusCode, good.body).toBe(201);
    expect(good.json().user.email).toBe('owner@example.com');
  });
});
