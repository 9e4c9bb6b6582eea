import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';

describe.each(backends())('the suppression list on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => k.h.app.inject({ method, url, headers: k.t.admin, ...(payload ? { payload } : {}) });

  it('adds (lower-cased), lists, filters and removes suppressions; adding twice is a no-op', async () => {
    expect((await api('POST', '/api/suppressions', { address: 'Mixed.Case@Example.org' })).json()).toEqual({ created: true });
    expect((await api('POST', '/api/suppressions', { address: 'mixed.case@example.org' })).json()).toEqual({ created: false });
    await api('POST', '/api/suppressions', { address: 'bounced@example.org', reason: 'hard_bounce', detail: '550 5.1.1' });
    const all = (await api('GET', '/api/suppressions')).json();
    expect(all.data).toMatchObject([
      { address: 'bounced@example.org', reason: 'hard_bounce', source: 'api', detail: '550 5.1.1' },
      { address: 'mixed.case@example.org', reason: 'manual' },
    ]);
    expect((await api('GET', '/api/suppressions?reason=manual')).json().data).toHaveLength(1);
    const page = (await api('GET', '/api/suppressions?limit=1')).json();
    expect(page.data).toHaveLength(1);
    const next = (await api('GET', `/api/suppressions?limit=1&cursor=${page.nextCursor}`)).json();
    expect(next.data[0].address).toBe('mixed.case@example.org');
    expect((await api('DELETE', '/api/suppressions/MIXED.case@example.org')).json()).toEqual({ removed: 1 });
    expect((await api('DELETE', '/api/suppressions/mixed.case@example.org')).statusCode).toBe(404);
  });

  it('a manual suppression stops every send; removing it lets mail go again', async () => {
    const c = await k.contact('pause@example.org');
    await api('POST', '/api/suppressions', { address: 'pause@example.org' });
    expect(await k.send(c, { template: 'welcome-1', key: 's:1' })).toEqual({ status: 'skipped', reason: 'suppressed: manual' });
    expect((await k.send(c, { template: 'receipt', key: 's:2', kind: 'transactional', data: { order: '1' } })).status).toBe('skipped');
    await api('DELETE', '/api/suppressions/pause@example.org');
    expect((await k.send(c, { template: 'welcome-1', key: 's:3' })).status).toBe('sent');
  });

  it('unsubscribe_all stops marketing only', async () => {
    const c = await k.contact('nomarketing@example.org');
    await api('POST', '/api/suppressions', { address: 'nomarketing@example.org', reason: 'unsubscribe_all' });
    expect(await k.send(c, { template: 'welcome-1', key: 's:4' })).toEqual({ status: 'skipped', reason: 'suppressed: unsubscribe_all' });
    expect((await k.send(c, { template: 'receipt', key: 's:5', kind: 'transactional', data: { order: '2' } })).status).toBe('sent');
  });

  it('a hashed entry (kept after erasure) still blocks the address and does not store it in clear', async () => {
    await api('POST', '/api/suppressions', { address: 'Erased@Example.org', reason: 'manual', hashed: true });
    const rows = await k.h.deps.store.db.selectFrom('suppressions').select('address').where('workspace_id', '=', k.t.workspaceId).execute();
    expect(rows.map((r) => r.address).join(' ')).not.toContain('erased');
    const c = await k.contact('erased@example.org');
    expect(await k.send(c, { template: 'welcome-1', key: 's:6' })).toEqual({ status: 'skipped', reason: 'suppressed: manual' });
  });

  it('is checked on the normalised address: any case or IDN spelling of a suppressed mailbox is blocked, and stored once', async () => {
    expect((await api('POST', '/api/suppressions', { address: 'Victim@Example.NET' })).json()).toEqual({ created: true });
    const victim = await k.contact('victim@example.net');
    expect(await k.send(victim, { template: 'welcome-1', key: 'n:1' })).toEqual({ status: 'skipped', reason: 'suppressed: manual' });
    expect((await api('POST', '/api/suppressions', { address: '  Anna@MÜLLER.de ' })).json()).toEqual({ created: true });
    expect((await api('POST', '/api/suppressions', { address: 'anna@xn--mller-kva.de' })).json()).toEqual({ created: false });
    const anna = await k.contact('anna@müller.de');
    expect(anna.email).toBe('anna@xn--mller-kva.de');
    expect(await k.send(anna, { template: 'welcome-1', key: 'n:2' })).toEqual({ status: 'skipped', reason: 'suppressed: manual' });
    expect((await api('GET', '/api/suppressions?address=ANNA@müller.DE')).json().data).toMatchObject([{ address: 'anna@xn--mller-kva.de' }]);
  });

  it('a row stored before addresses were parsed (IDN domain in Unicode) still blocks, and can be removed', async () => {
    await k.h.deps.store.db
      .insertInto('suppressions')
      .values({ workspace_id: k.t.workspaceId, address: 'jorg@bücher.example', reason: 'hard_bounce', source: 'legacy', detail: null, created_at: k.h.clock.now() })
      .execute();
    const c = await k.contact('Jorg@Bücher.example');
    expect(c.email).toBe('jorg@xn--bcher-kva.example');
    expect(await k.send(c, { template: 'receipt', key: 'n:3', kind: 'transactional', data: { order: '3' } })).toEqual({ status: 'skipped', reason: 'suppressed: hard_bounce' });
    expect((await api('DELETE', `/api/suppressions/${encodeURIComponent('jorg@xn--bcher-kva.example')}`)).json()).toEqual({ removed: 1 });
    expect((await k.send(c, { template: 'receipt', key: 'n:4', kind: 'transactional', data: { order: '4' } })).status).toBe('sent');
  });

  it('refuses to store a list or a header as an address', async () => {
    for (const address of ['a@example.net, victim@example.net', 'a@example.net\r\nBcc: victim@example.net']) {
      const res = await api('POST', '/api/suppressions', { address });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.address']);
    }
  });

  it('bad input is a 400 with the field path', async () => {
    const res = await api('POST', '/api/suppressions', { address: 'nope', reason: 'whatever' });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.address', 'body.reason']));
  });
});
