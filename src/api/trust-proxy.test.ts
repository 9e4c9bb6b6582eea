import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { parseConfig } from '../config/config.js';
import { acceptInvite, createInvite } from '../users/users.js';
import { MAX_FAILURES_PER_ACCOUNT_IP } from '../users/login.js';

/**
 * Client IPs behind a reverse proxy (QATRA_TRUST_PROXY). Sign-in limits count per (address, IP):
 * with the proxy trusted, two clients behind it are two IPs; without, X-Forwarded-For is ignored
 * (anyone could forge it) and both are the proxy. No database behaviour differs, so SQLite only.
 */
describe.each([
  { trustProxy: 1 as const, separate: true },
  { trustProxy: undefined, separate: false },
])('sign-in limits behind a proxy with QATRA_TRUST_PROXY=$trustProxy', ({ trustProxy, separate }) => {
  let h: Harness;
  let email: string;
  beforeAll(async () => {
    h = await createHarness('sqlite', trustProxy === undefined ? {} : { trustProxy });
    const t = await h.tenant();
    email = `owner-${trustProxy ?? 'none'}@example.com`;
    const invite = await createInvite(h.deps, { workspaceId: t.workspaceId, role: 'admin', email });
    await acceptInvite(h.deps, { token: invite.token, password: 'correct horse battery' });
  });
  afterAll(async () => h?.close());

  const login = (client: string) =>
    h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'wrong password' }, remoteAddress: '10.9.9.9', headers: { 'x-forwarded-for': client } });

  it(separate ? 'counts the clients behind it apart (X-Forwarded-For)' : 'ignores X-Forwarded-For: every client is the proxy', async () => {
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_IP; i++) {
      // Past the address's growing wait (at most 30 s), so only the (address, IP) limit can refuse.
      h.clock.advance(31_000);
      expect((await login('198.51.100.1')).statusCode).toBe(401);
    }
    h.clock.advance(31_000);
    expect((await login('198.51.100.1')).statusCode).toBe(429);
    expect((await login('203.0.113.7')).statusCode).toBe(separate ? 401 : 429);
  });
});

describe('QATRA_TRUST_PROXY', () => {
  it('is a hop count or a list of proxy addresses; anything else names the variable', () => {
    expect(parseConfig({}).trustProxy).toBeUndefined();
    expect(parseConfig({ QATRA_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(parseConfig({ QATRA_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16', '::1']);
    expect(() => parseConfig({ QATRA_TRUST_PROXY: 'yes please' })).toThrow(/QATRA_TRUST_PROXY/);
  });
});
