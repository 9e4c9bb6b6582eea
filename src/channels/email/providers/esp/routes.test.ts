import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { emailKit, type EmailKit } from '../../test-kit.js';
import { postHook, startHookApp } from './fake-server.testkit.js';
import { startMailgunFake, type MailgunFake } from '../mailgun/mailgun.testkit.js';

describe.each(backends())('the ESP webhook route with hostile input on %s', (kind) => {
  let k: EmailKit;
  let fake: MailgunFake;
  let hooks: Awaited<ReturnType<typeof startHookApp>>;
  let url: string;
  beforeAll(async () => {
    k = await emailKit(kind);
    fake = await startMailgunFake();
    await k.configure({ provider: 'mailgun', esp: { kind: 'mailgun', baseUrl: fake.baseUrl, domain: fake.domain, apiKey: fake.apiKey, webhookSigningKey: fake.signingKey } });
    hooks = await startHookApp(k.h.deps);
    url = hooks.url('mailgun', k.t.workspaceId);
  });
  afterAll(async () => {
    await hooks?.close();
    await fake?.close();
    await k?.close();
  });

  const count = async () =>
    Number(
      (
        await k.h.deps.store.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('junk, deep nesting, wrong types, another kind, an unknown workspace or an oversized body: 400 or 403, never a 500, nothing applied', async () => {
    const before = await count();
    const cases: Array<[string, string, Record<string, string>, number]> = [
      [url, 'not json', { 'content-type': 'application/json' }, 400],
      [url, '[]', { 'content-type': 'application/json' }, 403],
      [url, '{"signature":{"timestamp":1,"token":{},"signature":[]}}', { 'content-type': 'application/json' }, 403],
      [url, '['.repeat(5000) + ']'.repeat(5000), { 'content-type': 'application/json' }, 400],
      [url, '{"a":"\\ud800"}', { 'content-type': 'application/json' }, 400],
      [url, 'x=1', { 'content-type': 'application/x-www-form-urlencoded' }, 400],
      [url, '', {}, 400],
      [hooks.url('sendgrid', k.t.workspaceId), '[]', { 'content-type': 'application/json' }, 403],
      [hooks.url('ses', 'ws_nobody'), '{}', { 'content-type': 'text/plain' }, 403],
      [hooks.url('sparkpost', k.t.workspaceId), '{}', { 'content-type': 'application/json' }, 400],
      // Over the 1 MB bound: the app's one error handler answers 400 payload_too_large.
      [url, JSON.stringify({ pad: 'x'.repeat(1_100_000) }), { 'content-type': 'application/json' }, 400],
    ];
    for (const [target, body, headers, status] of cases) {
      const res = await postHook(target, body, headers);
      expect(res.status, `${target} ${body.slice(0, 40)}: ${res.body.slice(0, 200)}`).toBe(status);
      expect(JSON.parse(res.body).error.code).toBeTruthy();
    }
    expect(await count()).toBe(before);
  });
});
