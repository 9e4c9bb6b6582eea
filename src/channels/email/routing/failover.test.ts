import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../test/backends.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/smtp-sink.js';
import { emailKit, type EmailKit } from '../test-kit.js';
import { createSecretBox } from '../../../secrets/secret-box.js';
import { resealStoredSecrets } from '../../../secrets/reseal.js';
import { TEST_SECRET_KEY } from '../../../../test/secret-key.js';
import { loadProviderList } from './list.js';

/** A port nothing listens on (connections are refused). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never says a word (a hung relay). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const smtp = (port: number, extra: Record<string, unknown> = {}) => ({ smtp: { host: '127.0.0.1', port, maxConnections: 2, timeoutSeconds: 1, ...extra } });

describe.each(backends())('several email providers: routing, failover and circuits on %s', (kind) => {
  let k: EmailKit;
  let backup: SmtpSink;
  const put = (payload: unknown) => k.h.app.inject({ method: 'PUT', url: '/api/email/providers', headers: k.t.admin, payload: payload as object });
  const get = async () => (await k.h.app.inject({ method: 'GET', url: '/api/email/providers', headers: k.t.admin })).json();
  const record = (key: string) => k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();

  beforeAll(async () => {
    k = await emailKit(kind);
    backup = await startSmtpSink();
  });
  afterAll(async () => {
    await k?.close();
    await backup?.close();
  });

  it('routes by kind and recipient domain: transactional mail and gmail.com to the backup, the rest to the primary; the secrets are never returned', async () => {
    const res = await put({
      providers: [
        { id: 'primary', name: 'Relay A', kind: 'smtp', settings: smtp(k.sink.port, { user: 'a' }), secrets: { password: 's3cret-A' } },
        { id: 'backup', name: 'Relay B', kind: 'smtp', settings: smtp(backup.port) },
      ],
      rules: [
        { kind: 'transactional', providers: [{ id: 'backup' }, { id: 'primary' }] },
        { domains: ['gmail.com', '*.googlemail.com'], providers: [{ id: 'backup' }] },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('s3cret-A');
    expect(res.json().providers[0]).toMatchObject({ id: 'primary', secretsSet: { password: true }, circuit: { state: 'closed' } });
    expect(res.json().providers[1]).toMatchObject({ id: 'backup', secretsSet: { password: false } });
    expect(JSON.stringify(await get())).not.toContain('s3cret-A');

    k.sink.clear();
    backup.clear();
    const c = await k.contact('route@example.org', { first_name: 'Ro' });
    const g = await k.contact('route@mail.googlemail.com', { first_name: 'Gee' });
    expect((await k.send(c, { template: 'welcome-1', key: 'route:marketing' })).status).toBe('sent');
    expect((await k.send(c, { template: 'receipt', key: 'route:transactional', kind: 'transactional', data: { order: 'R-1' } })).status).toBe('sent');
    expect((await k.send(g, { template: 'welcome-1', key: 'route:gmail' })).status).toBe('sent');
    expect(k.sink.mails.map((m) => m.parsed.subject)).toEqual(['Welcome, Ro!']);
    expect(backup.mails.map((m) => m.parsed.subject).sort()).toEqual(['Welcome, Gee!', 'Your receipt R-1']);
    expect((await record('route:marketing')).provider).toBe('smtp:primary');
    expect((await record('route:gmail')).provider).toBe('smtp:backup');
  });

  it('refuses a rule set that routes nowhere with the field path, and changes nothing', async () => {
    const before = await get();
    const res = await put({
      providers: [{ id: 'primary', name: 'A', kind: 'smtp', settings: smtp(k.sink.port) }],
      rules: [{ kind: 'transactional', domains: ['gmail.com'], providers: [] }, { providers: [{ id: 'gone' }] }],
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().error.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(['body.rules.0.providers', 'body.rules.1.providers.0.id']);
    expect(res.json().error.message).toContain('routes nowhere');
    const bad = await put({ providers: [{ id: 'primary', name: 'A', kind: 'smtp', settings: { smtp: { host: '127.0.0.1', port: 'x' } } }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('body.providers.0.settings.smtp.port');
    expect(await get()).toEqual(before);
  });

  it('fails over when the first relay refuses connections: the same record and Message-ID go out once, through the backup; the circuit opens, then skips it', async () => {
    const dead = await deadPort();
    const res = await put({
      providers: [
        { id: 'primary', name: 'A', kind: 'smtp', settings: smtp(dead) },
        { id: 'backup', name: 'B', kind: 'smtp', settings: smtp(backup.port) },
      ],
      policy: { failures: 2, windowSeconds: 60, coolDownSeconds: 30 },
    });
    expect(res.statusCode).toBe(200);
    backup.clear();
    const c = await k.contact('failover@example.org', { first_name: 'Fay' });
    for (const key of ['fo:1', 'fo:2', 'fo:3']) expect((await k.send(c, { template: 'welcome-1', key })).status).toBe('sent');
    const mails = await backup.waitFor(3);
    const ids = mails.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(3);
    for (const key of ['fo:1', 'fo:2', 'fo:3']) {
      const r = await record(key);
      expect(r).toMatchObject({ status: 'sent', provider: 'smtp:backup' });
      expect(ids).toContain(r.header_message_id);
    }
    const circuit = (await get()).providers[0].circuit;
    expect(circuit).toMatchObject({ state: 'open', failures: 2 });
    expect(circuit.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
  });

  it('a half-open probe after the cool-down closes the circuit once the relay is back; before it, the relay is not tried', async () => {
    // The primary now points at a live sink, its circuit still open from the test before.
    const revived = await startSmtpSink();
    try {
      expect(
        (
          await put({
            providers: [
              { id: 'primary', name: 'A', kind: 'smtp', settings: smtp(revived.port) },
              { id: 'backup', name: 'B', kind: 'smtp', settings: smtp(backup.port) },
            ],
            policy: { failures: 2, windowSeconds: 60, coolDownSeconds: 30 },
          })
        ).statusCode,
      ).toBe(200);
      expect((await get()).providers[0].circuit.state).toBe('open');
      backup.clear();
      const c = await k.contact('probe@example.org', { first_name: 'Pro' });
      expect((await k.send(c, { template: 'welcome-1', key: 'probe:1' })).status).toBe('sent');
      expect(revived.mails).toHaveLength(0);
      expect(backup.mails).toHaveLength(1);
      k.h.clock.advance(31_000);
      expect((await k.send(c, { template: 'welcome-1', key: 'probe:2' })).status).toBe('sent');
      expect(revived.mails).toHaveLength(1);
      expect((await get()).providers[0].circuit).toMatchObject({ state: 'closed', failures: 0 });
      expect((await k.send(c, { template: 'welcome-1', key: 'probe:3' })).status).toBe('sent');
      expect(revived.mails).toHaveLength(2);
    } finally {
      await revived.close();
    }
  });

  it('a relay that hangs (accepts, never answers) times out and the message goes out through the backup, not lost', async () => {
    const silent = await silentServer();
    try {
      expect(
        (
          await put({
            providers: [
              { id: 'hung', name: 'H', kind: 'smtp', settings: smtp(silent.port) },
              { id: 'backup', name: 'B', kind: 'smtp', settings: smtp(backup.port) },
            ],
          })
        ).statusCode,
      ).toBe(200);
      backup.clear();
      const c = await k.contact('hang@example.org', { first_name: 'Han' });
      const started = Date.now();
      expect((await k.send(c, { template: 'welcome-1', key: 'hang:1' })).status).toBe('sent');
      expect(Date.now() - started).toBeLessThan(8000);
      expect(backup.mails).toHaveLength(1);
      expect((await record('hang:1')).provider).toBe('smtp:backup');
      expect((await get()).providers[0].circuit).toMatchObject({ state: 'closed', failures: 1 });
    } finally {
      await silent.close();
    }
  });

  it('a relay that answers 451 4.3.2 (its own trouble, RFC 3463 X.3.x) fails over and holds no domain; a 451 4.7.1 greylisting holds the domain and does not fail over', async () => {
    const busy = await startSmtpSink();
    try {
      expect(
        (
          await put({
            providers: [
              { id: 'busy', name: 'Busy', kind: 'smtp', settings: smtp(busy.port) },
              { id: 'backup', name: 'B', kind: 'smtp', settings: smtp(backup.port) },
            ],
          })
        ).statusCode,
      ).toBe(200);
      backup.clear();
      busy.rejectRecipient('relay@busy-relay.test', 451, '4.3.2 Service busy, try again later');
      const c = await k.contact('relay@busy-relay.test', { first_name: 'Rel' });
      expect((await k.send(c, { template: 'welcome-1', key: 'busy:1' })).status).toBe('sent');
      expect(backup.mails).toHaveLength(1);
      expect((await record('busy:1')).provider).toBe('smtp:backup');
      const afterBusy = await get();
      expect(afterBusy.providers[0].circuit).toMatchObject({ state: 'closed', failures: 1 });
      expect(afterBusy.deferrals).toEqual([]);

      busy.rejectRecipient('grey@greylist.test', 451, '4.7.1 Greylisted, try again later');
      const g = await k.contact('grey@greylist.test', { first_name: 'Gre' });
      expect((await k.send(g, { template: 'welcome-1', key: 'busy:2' })).status).toBe('retryable');
      expect(backup.mails).toHaveLength(1);
      const afterGrey = await get();
      // The relay answered for the recipient: the provider is fine, its failure count starts again.
      expect(afterGrey.providers[0].circuit).toMatchObject({ state: 'closed', failures: 0 });
      expect(afterGrey.deferrals).toEqual([expect.objectContaining({ domain: 'greylist.test', failures: 1 })]);
    } finally {
      await busy.close();
    }
  });

  it('when every provider fails the message stays queued with its Message-ID, and a later attempt sends that same one', async () => {
    const dead = await deadPort();
    expect((await put({ providers: [{ id: 'only', name: 'O', kind: 'smtp', settings: smtp(dead) }], policy: { failures: 5 } })).statusCode).toBe(200);
    const c = await k.contact('queued@example.org', { first_name: 'Q' });
    expect((await k.send(c, { template: 'welcome-1', key: 'queued:1' })).status).toBe('retryable');
    const first = await record('queued:1');
    expect(first.status).toBe('queued');
    expect((await put({ providers: [{ id: 'only', name: 'O', kind: 'smtp', settings: smtp(backup.port) }], policy: { failures: 5 } })).statusCode).toBe(200);
    backup.clear();
    k.h.clock.advance(10 * 60_000); // past the attempt lease
    expect((await k.send(c, { template: 'welcome-1', key: 'queued:1' })).status).toBe('sent');
    const [mail] = await backup.waitFor(1);
    expect(mail!.parsed.messageId).toBe(first.header_message_id);
    expect((await record('queued:1')).id).toBe(first.id);
  });

  it('the list is sealed at rest and the start-up pass re-seals it under a rotated key', async () => {
    expect((await put({ providers: [{ id: 'sealed', name: 'S', kind: 'smtp', settings: smtp(backup.port, { user: 'u' }), secrets: { password: 'pw-AT-REST' } }] })).statusCode).toBe(200);
    const row = await k.h.deps.store.db.selectFrom('email_provider_list').select('secrets').where('workspace_id', '=', k.t.workspaceId).where('id', '=', 'sealed').executeTakeFirstOrThrow();
    expect(JSON.stringify(row.secrets)).not.toContain('pw-AT-REST');
    const rotated = createSecretBox({ current: Buffer.alloc(32, 5), previous: TEST_SECRET_KEY });
    expect((await resealStoredSecrets({ store: k.h.deps.store, secretBox: rotated })).emailProviderList).toBeGreaterThanOrEqual(1);
    const list = await loadProviderList(k.h.deps.store.db, createSecretBox({ current: Buffer.alloc(32, 5) }), k.t.workspaceId);
    expect(list.providers[0]!.secrets).toEqual({ password: 'pw-AT-REST' });
    await resealStoredSecrets({ store: k.h.deps.store, secretBox: createSecretBox({ current: TEST_SECRET_KEY, previous: Buffer.alloc(32, 5) }) });
  });

  it('PUT /api/email/provider (one provider, as before) edits the list entry `primary`', async () => {
    expect((await put({ providers: [{ id: 'primary', name: 'A', kind: 'smtp', settings: smtp(backup.port) }] })).statusCode).toBe(200);
    const res = await k.h.app.inject({
      method: 'PUT',
      url: '/api/email/provider',
      headers: k.t.admin,
      payload: { provider: 'smtp', from: { address: 'hello@news.example.com' }, smtp: { host: '127.0.0.1', port: k.sink.port, user: 'u', password: 'pw-legacy' } },
    });
    expect(res.statusCode).toBe(200);
    const list = await get();
    expect(list.providers[0]).toMatchObject({ id: 'primary', settings: { smtp: { port: k.sink.port, user: 'u' } }, secretsSet: { password: true } });
    expect(JSON.stringify(list)).not.toContain('pw-legacy');
  });
});
