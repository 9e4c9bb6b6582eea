import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../test/process.js';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { acceptInvite, createInvite } from './users.js';
import { accountDelayMs, FREE_FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS, MAX_ACCOUNT_DELAY_MS, MAX_FAILURES_PER_ACCOUNT_IP, MAX_FAILURES_PER_IP } from './login.js';

const PASSWORD = 'correct horse battery';

/**
 * `count` wrong-password attempts at once, from a process of their own on the database at `url`
 * (SQLite file or PostgreSQL URL), with the clock standing at `now`; their outcomes.
 */
async function attemptsInChild(url: string, email: string, now: number, count: number): Promise<string[]> {
  const script = `
    const { openStore } = await import('./src/store/store.ts');
    const { login } = await import('./src/users/login.ts');
    const [url, email, now, count] = process.argv.slice(1);
    const store = url.startsWith('postgres') ? openStore({ databaseUrl: url }) : openStore({ sqliteFile: url });
    const deps = { store, clock: { now: () => Number(now) } };
    const outcomes = await Promise.all(Array.from({ length: Number(count) }, () =>
      login(deps, { email, password: 'wrong password', ip: '10.4.0.1' }).then((r) => r.outcome, (e) => (e.code === 'unauthorized' ? 'wrong' : String(e)))));
    await store.close();
    process.stdout.write(JSON.stringify(outcomes));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, url, email, String(now), String(count)], { cwd: REPO });
  return JSON.parse(stdout) as string[];
}

describe.each(backends())('the sign-in limits on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  /** A fresh account, so each test starts with no failures. */
  const account = async (): Promise<string> => {
    const email = `person-${++n}-${kind}@example.com`;
    const invite = await createInvite(h.deps, { workspaceId: t.workspaceId, role: 'owner', email });
    await acceptInvite(h.deps, { token: invite.token, password: PASSWORD });
    return email;
  };
  const login = (email: string, password: string, ip: string) => h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress: ip });
  const statuses = (codes: number[]) => codes.reduce<Record<number, number>>((acc, c) => ({ ...acc, [c]: (acc[c] ?? 0) + 1 }), {});

  it('40 wrong passwords and the right one sent at once: no more attempts are verified than the limits allow', async () => {
    const email = await account();
    const all = await Promise.all([
      ...Array.from({ length: 20 }, () => login(email, 'wrong password', '10.3.0.1')),
      login(email, PASSWORD, '10.3.0.1'),
      ...Array.from({ length: 20 }, () => login(email, 'wrong password', '10.3.0.1')),
    ]);
    const counts = statuses(all.map((r) => r.statusCode));
    // Before attempts were reserved, every one read "0 failures": 40 × 401 and a 200.
    const verified = (counts[401] ?? 0) + (counts[200] ?? 0);
    expect(verified).toBeLessThanOrEqual(MAX_FAILURES_PER_ACCOUNT_IP);
    // The clock stands still, so the address's free failures are all that get through.
    expect(verified).toBe(FREE_FAILURES_PER_ACCOUNT);
    expect(counts[429]).toBe(41 - verified);
    const rows = await h.deps.store.db.selectFrom('login_failures').select('id').where('subject', '=', `email:${email}`).execute();
    expect(rows.length).toBe(counts[401] ?? 0);
  });

  it('the reservation holds across processes: two processes on one database, attempts at once', async () => {
    const email = await account();
    const outcomes = (await Promise.all([attemptsInChild(h.database.url, email, h.clock.now(), 15), attemptsInChild(h.database.url, email, h.clock.now(), 15)])).flat();
    expect(outcomes.filter((o) => o === 'wrong').length).toBe(FREE_FAILURES_PER_ACCOUNT);
    expect(outcomes.filter((o) => o === 'rate_limited').length).toBe(30 - FREE_FAILURES_PER_ACCOUNT);
  }, 60_000);

  it('an attacker hammering from one IP meets a hard limit; the owner, from another IP, gets in after a short wait', async () => {
    const email = await account();
    const attacker = '10.5.0.1';
    let attackerVerified = 0;
    for (let round = 0; round < 6; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => login(email, 'wrong password', attacker)));
      attackerVerified += answers.filter((r) => r.statusCode === 401).length;
      h.clock.advance(MAX_ACCOUNT_DELAY_MS);
    }
    expect(attackerVerified).toBe(MAX_FAILURES_PER_ACCOUNT_IP);
    // The attacker's own IP stays refused however long it waits within the window.
    const refused = await login(email, PASSWORD, attacker);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(MAX_ACCOUNT_DELAY_MS / 1000);

    // Right after the attacker's latest failure the owner waits at most MAX_ACCOUNT_DELAY_MS …
    await login(email, 'wrong password', '10.5.0.2');
    const slowed = await login(email, PASSWORD, '10.6.0.1');
    expect(slowed.statusCode).toBe(429);
    const wait = Number(slowed.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(MAX_ACCOUNT_DELAY_MS / 1000);
    expect(slowed.json().error.code).toBe('rate_limited');
    h.clock.advance(wait * 1000);
    // … and then signs in while the attacker keeps hammering.
    const [owner, ...hammer] = await Promise.all([login(email, PASSWORD, '10.6.0.1'), ...Array.from({ length: 20 }, () => login(email, 'wrong password', attacker))]);
    expect(owner.statusCode).toBe(200);
    expect(hammer.every((r) => r.statusCode === 429)).toBe(true);
  });

  it('a spread-out attacker is slowed, not locked out: the wait grows with the failures and stops at 30 s', async () => {
    const email = await account();
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      let res = await login(email, 'wrong password', `10.7.0.${i}`);
      if (res.statusCode === 429) {
        waits.push(Number(res.headers['retry-after']));
        h.clock.advance(Number(res.headers['retry-after']) * 1000);
        res = await login(email, 'wrong password', `10.7.0.${i}`);
      }
      expect(res.statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 30, 30]);
    expect([0, 4, 5, 6, 10, 11, 100].map(accountDelayMs)).toEqual([0, 0, 1000, 2000, 30_000, 30_000, 30_000]);
    h.clock.advance(MAX_ACCOUNT_DELAY_MS);
    expect((await login(email, PASSWORD, '10.8.0.1')).statusCode).toBe(200);
  });

  it('one IP is refused after 50 failures over any addresses, until the window has moved on', async () => {
    const ip = '10.9.0.1';
    // 49 failures as the table holds them (50 scrypt runs take too long on a busy machine), then one over HTTP.
    const at = h.clock.now();
    await h.deps.store.db
      .insertInto('login_failures')
      .values(Array.from({ length: MAX_FAILURES_PER_IP - 1 }, () => ({ subject: `ip:${ip}`, at })))
      .execute();
    expect((await login(`nobody-${kind}@example.com`, 'wrong password', ip)).statusCode).toBe(401);
    const email = await account();
    const limited = await login(email, PASSWORD, ip);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(email, PASSWORD, '10.9.0.2')).statusCode).toBe(200);
    h.clock.advance(LOGIN_WINDOW_MS + 1);
    expect((await login(email, PASSWORD, ip)).statusCode).toBe(200);
  });
});
