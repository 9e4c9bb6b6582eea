/**
 * An ESP that is not the workspace's primary provider but one entry of its provider list
 * (../../routing/list.ts) still has its event webhooks verified with that entry's keys, and sends
 * when the rules route to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { emailKit, type EmailKit } from '../../test-kit.js';
import { mailgunEvent, startMailgunFake, type MailgunFake } from '../mailgun/mailgun.testkit.js';
import { startHookApp } from './fake-server.testkit.js';

describe.each(backends())('an ESP in the provider list, not the primary, on %s', (kind) => {
  let k: EmailKit;
  let fake: MailgunFake;
  let hooks: Awaited<ReturnType<typeof startHookApp>>;
  beforeAll(async () => {
    k = await emailKit(kind);
    fake = await startMailgunFake();
    hooks = await startHookApp(k.h.deps);
  });
  afterAll(async () => {
    await hooks?.close();
    await fake?.close();
    await k?.close();
  });

  it("sends through it when routed there, and verifies its webhooks with the entry's signing key", async () => {
    const res = await k.h.app.inject({
      method: 'PUT',
      url: '/api/email/providers',
      headers: k.t.admin,
      payload: {
        providers: [
          { id: 'primary', name: 'Relay', kind: 'smtp', settings: { smtp: { host: '127.0.0.1', port: k.sink.port } } },
          {
            id: 'mg',
            name: 'Mailgun',
            kind: 'mailgun',
            settings: { esp: { kind: 'mailgun', baseUrl: fake.baseUrl, domain: fake.domain } },
            secrets: { apiKey: fake.apiKey, webhookSigningKey: fake.signingKey },
          },
        ],
        rules: [{ providers: [{ id: 'mg' }, { id: 'primary' }] }],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(fake.signingKey);

    const c = await k.contact('listed-mg@example.org');
    expect((await k.send(c, { template: 'welcome-1', key: 'listed-1' })).status).toBe('sent');
    const m = await k.h.deps.store.db.selectFrom('messages').select(['id', 'provider_message_id', 'provider']).where('idempotency_key', '=', 'listed-1').executeTakeFirstOrThrow();
    expect(m.provider).toContain('mg');
    expect(fake.forms).toHaveLength(1);

    const url = hooks.url('mailgun', k.t.workspaceId);
    const now = Math.floor(k.h.clock.now() / 1000);
    const delivered = mailgunEvent('delivered', { recordId: m.id, messageId: m.provider_message_id!, to: 'listed-mg@example.org' });
    const ok = await fake.postEvent(url, delivered, { timestamp: now });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ applied: 1 });
    expect((await fake.postEvent(url, delivered, { timestamp: now, key: 'not-the-key' })).status).toBe(403);
  });
});
