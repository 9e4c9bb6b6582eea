/**
 * @module What the email tests share: a harness (real database + app) with a workspace whose email
 * goes over real SMTP to an in-process sink, signed with a freshly generated DKIM key; the shared
 * template fixtures; a contact factory; and a DNS resolver that serves the DKIM public key to
 * mailauth's verifier.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DialectName } from '../../store/store.js';
import { createHarness, type Harness, type HarnessOptions, type Tenant } from '../../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink.js';
import { saveTemplates } from '../../templates/service.js';
import { footerPartial, welcomeMjml } from '../../templates/test-fixtures.js';
import type { TemplateInput } from '../../templates/template.js';
import { createContact } from '../../contacts/contacts.js';
import type { Contact } from '../../contacts/contact.js';
import type { SendRequest, SendResult } from '../channel.js';
import { createEmailChannel, type EmailChannel } from './channel.js';
import { parseEmailEnv } from './env.js';
import { emailSettingsSchema, saveEmailSettings, type EmailSettingsInput } from './settings.js';

export const PUBLIC_URL = 'https://q.example.com';
export const DKIM_DOMAIN = 'news.example.com';
export const DKIM_SELECTOR = 'qatra1';

export const receiptTemplate: TemplateInput = {
  id: 'receipt',
  name: 'Receipt',
  kind: 'transactional',
  content: { subject: 'Your receipt {{ data.order }}', body: '<html><body><p>Order {{ data.order }}</p><a href="https://shop.example.com/orders/{{ data.order }}">View</a></body></html>' },
};

export const persianTemplate: TemplateInput = {
  id: 'fa-news',
  name: 'Persian news',
  kind: 'marketing',
  content: {
    subject: 'سلام {{ contact.first_name }} — خبرنامهٔ ماه',
    from: 'فروشگاه قطره <shop@news.example.com>',
    defaultLocale: 'fa',
    body: '<html><body><p>سلام {{ contact.first_name }}</p><a href="https://shop.example.com/fa">فروشگاه</a> <a href="{{ unsubscribe_url }}">لغو اشتراک</a><p>{{ workspace.postal_address }}</p></body></html>',
  },
};

export interface EmailKit {
  h: Harness;
  t: Tenant;
  sink: SmtpSink;
  channel: EmailChannel;
  publicKeyDns: string;
  resolver: (name: string, type: string) => Promise<string[][]>;
  contact(email: string, attributes?: Record<string, string>): Promise<Contact>;
  send(contact: Contact, options: { template: string; key: string; kind?: 'marketing' | 'transactional'; topic?: string; data?: Record<string, string> }): Promise<SendResult>;
  configure(overrides?: Partial<EmailSettingsInput>): Promise<void>;
  close(): Promise<void>;
}

export async function emailKit(kind: DialectName, options: HarnessOptions = {}): Promise<EmailKit> {
  const h = await createHarness(kind, { publicUrl: PUBLIC_URL, allowPrivateOutbound: true }, options); // the sink is on 127.0.0.1
  // No workspace address: these tests set the provider settings' (legacy) one and check the fallback.
  const t = await h.tenant({ postalAddress: '' });
  const sink = await startSmtpSink();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  const publicKeyDns = `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`;
  const configure = async (overrides: Partial<EmailSettingsInput> = {}) => {
    await saveEmailSettings(
      h.deps,
      t.workspaceId,
      emailSettingsSchema.parse({
        provider: 'smtp',
        from: { address: 'hello@news.example.com', name: 'Acme News' },
        postalAddress: '1 Main St, Springfield',
        returnPathDomain: 'bounces.example.com',
        smtp: { host: sink.host, port: sink.port, maxConnections: 2 },
        dkim: { domain: DKIM_DOMAIN, selector: DKIM_SELECTOR, privateKey },
        ...overrides,
      }),
    );
  };
  await configure();
  await saveTemplates(h.deps, t.workspaceId, [footerPartial, welcomeMjml, receiptTemplate, persianTemplate], 'upsert');
  const channel = createEmailChannel({
    store: h.deps.store,
    clock: h.clock,
    secretBox: h.deps.secretBox,
    log: h.deps.log,
    publicUrl: PUBLIC_URL,
    defaults: parseEmailEnv({}),
    allowPrivateOutbound: h.deps.config.allowPrivateOutbound,
  });
  return {
    h,
    t,
    sink,
    channel,
    publicKeyDns,
    resolver: async (name: string, type: string) => {
      if (type === 'TXT' && name === `${DKIM_SELECTOR}._domainkey.${DKIM_DOMAIN}`) return [[publicKeyDns]];
      const err = new Error(`no ${type} record for ${name}`) as Error & { code: string };
      err.code = 'ENOTFOUND';
      throw err;
    },
    contact: (email, attributes = {}) => createContact(h.deps, t.workspaceId, { email, attributes }),
    send(contact, o) {
      const request: SendRequest = {
        workspaceId: t.workspaceId,
        contact,
        idempotencyKey: o.key,
        config: { template: o.template, ...(o.topic ? { topic: o.topic } : {}) },
        context: { journeyId: 'onboarding', runId: 'run_1', nodeId: 'welcome', ...(o.data ? { data: o.data } : {}) },
        kind: o.kind ?? 'marketing',
      };
      return channel.send(request);
    },
    configure,
    async close() {
      await channel.close();
      await h.close();
      await sink.close();
    },
  };
}
