/**
 * The SMTP host a workspace admin configures passes the address guard (src/channels/address-guard.ts):
 * loopback, private and link-local hosts are refused when saved (400, body.smtp.host) and when
 * connecting (a permanent outcome, nothing reaches the server), unless the operator allows them
 * (config.allowPrivateOutbound, QATRA_ALLOW_PRIVATE_OUTBOUND=1). The operator's own QATRA_SMTP_URL
 * is exempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/smtp-sink.js';
import { saveTemplates } from '../../../../templates/service.js';
import { receiptTemplate } from '../../test-kit.js';
import { emailSettingsSchema, saveEmailSettings, type EmailSettings } from '../../settings.js';
import { parseEmailEnv } from '../../env.js';
import { createProviderPool } from '../pool.js';
import type { OutgoingEmail } from '../../provider.js';
import nodemailer from 'nodemailer';
import { createSmtpProvider } from './smtp.js';
import { guardedSocket } from './connect.js';

const message: OutgoingEmail = {
  workspaceId: 'ws_x',
  recordId: 'msg_x',
  from: { address: 'a@example.com' },
  to: { address: 'ok@example.org' },
  subject: 'hi',
  html: '<p>hi</p>',
  text: 'hi',
  messageId: '<x.qatra@example.com>',
  date: new Date(),
  headers: {},
};
const settingsFor = (host: string, port: number): EmailSettings => ({
  provider: 'smtp',
  from: { address: 'a@example.com' },
  tracking: { opens: true, clicks: true, transactional: false },
  smtp: { host, port, secure: false, requireTls: false, maxConnections: 1, allowInvalidCertificates: false },
});
const PRIVATE_HOSTS = ['127.0.0.1', '10.0.0.1', 'localhost', '[::1]', '169.254.169.254'];

describe('the smtp provider connects only to public addresses unless allowed', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => sink?.close());

  for (const host of PRIVATE_HOSTS) {
    it(`host ${host} is a permanent failure, and nothing is sent`, async () => {
      const before = sink.mails.length;
      const p = createSmtpProvider(settingsFor(host, sink.port), {}, { connectionTimeoutMs: 2000, socketTimeoutMs: 2000 });
      const r = await p.send(message);
      await p.close();
      expect(r).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/private, loopback or link-local/) });
      expect(sink.mails.length).toBe(before);
    });
  }

  it('connects to the address the guard checked, never resolving the name again (DNS rebinding), and keeps the name for the SMTP dialogue', async () => {
    // The checked answer for a name no resolver knows: had nodemailer resolved the name itself, it would fail with EDNS.
    const checked = async (name: string) => (name === 'mail.rebind.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
    const transport = nodemailer.createTransport({ host: 'mail.rebind.test', port: sink.port, ignoreTLS: true, getSocket: guardedSocket(2000, checked) } as never);
    const before = sink.mails.length;
    await transport.sendMail({ from: 'a@example.com', to: { address: 'ok@example.org' }, subject: 'hi', text: 'hi' });
    transport.close();
    expect(sink.mails.length).toBe(before + 1);
  });

  it('"localhost" (a name resolving to 127.0.0.1) reaches the sink once the operator allows private addresses', async () => {
    const p = createSmtpProvider(settingsFor('localhost', sink.port), {}, { connectionTimeoutMs: 2000, socketTimeoutMs: 2000 }, true);
    expect((await p.send(message)).status).toBe('sent');
    await p.close();
  });
});

describe.each(backends())('the SMTP host a workspace admin sets, on %s', (kind) => {
  let h: Harness;
  let allowing: Harness;
  let t: Tenant;
  let sink: SmtpSink;
  beforeAll(async () => {
    h = await createHarness(kind);
    allowing = await createHarness(kind, { allowPrivateOutbound: true });
    t = await h.tenant();
    sink = await startSmtpSink();
    await saveTemplates(h.deps, t.workspaceId, [receiptTemplate], 'upsert');
  });
  afterAll(async () => {
    await sink?.close();
    await h?.close();
    await allowing?.close();
  });
  const put = (app: Harness, tenant: Tenant, host: string) =>
    app.app.inject({ method: 'PUT', url: '/api/email/provider', headers: tenant.admin, payload: { provider: 'smtp', from: { address: 'news@example.com' }, smtp: { host, port: 2525 } } });

  for (const host of PRIVATE_HOSTS) {
    it(`saving host ${host} is refused with 400 at body.smtp.host, and nothing is stored`, async () => {
      const res = await put(h, t, host);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues).toEqual([{ path: 'body.smtp.host', message: expect.stringMatching(/private, loopback or link-local.*QATRA_ALLOW_PRIVATE_OUTBOUND/) }]);
      expect((await h.app.inject({ method: 'GET', url: '/api/email/provider', headers: t.admin })).json().source).toBe('default');
    });
  }

  it('with QATRA_ALLOW_PRIVATE_OUTBOUND the same host is saved', async () => {
    const other = await allowing.tenant();
    expect((await put(allowing, other, '127.0.0.1')).statusCode).toBe(200);
  });

  it('settings stored before the guard (or by other means) are refused at send: the message fails permanently, nothing is sent', async () => {
    await saveEmailSettings(h.deps, t.workspaceId, emailSettingsSchema.parse({ provider: 'smtp', from: { address: 'news@example.com' }, smtp: { host: 'localhost', port: sink.port } }));
    const before = sink.mails.length;
    const sent = await h.app.inject({ method: 'POST', url: '/api/messages/send', headers: t.admin, payload: { templateId: 'receipt', email: 'fresh@example.org', data: { order: '42' } } });
    expect(sent.json().result).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/private, loopback or link-local/) });
    expect(sink.mails.length).toBe(before);
  });

  it("the operator's QATRA_SMTP_URL is exempt: the defaults reach a sink on 127.0.0.1", async () => {
    const other = await h.tenant();
    const pool = createProviderPool({ store: h.deps.store, clock: h.clock, secretBox: h.deps.secretBox }, parseEmailEnv({ QATRA_SMTP_URL: `smtp://127.0.0.1:${sink.port}` }));
    const { provider } = await pool.get(other.workspaceId);
    expect((await provider.send(message)).status).toBe('sent');
    await pool.close();
  });
});
