/**
 * @module "Send test" for the email settings: one plain message to an address through the
 * workspace's configured provider (stored settings, else the process defaults), with the provider's
 * own answer: the message id on success, the SMTP server's error text otherwise.
 *
 * A fresh provider is built for the test and closed after it, rather than taken from the channel's
 * pool: the test must use exactly the settings just saved, with short timeouts (an admin waits for
 * the answer), and must not disturb the pool's open connections. It is not a campaign message:
 * no suppression check, no tracking, no `messages` row (the outbox provider still stores it, so a
 * test on the outbox shows up there).
 */
import type { ServiceDeps } from '../../core/deps.js';
import { newId } from '../../core/ids.js';
import type { ProviderResult } from './provider.js';
import { emailProviders } from './providers/registry.js';
import { createSmtpProvider } from './providers/smtp/smtp.js';
import { domainOf, type ResolvedEmailSettings } from './settings.js';
import { ENV_VERSION } from './env.js';

export type TestSendResult =
  | { status: 'sent'; provider: string; messageId: string; providerMessageId: string | null; response: string | null }
  | { status: 'failed'; provider: string; messageId: string; retryable: boolean; error: string };

/** A test answers within this (connect and greeting; then the whole SMTP dialogue). */
const TEST_TIMEOUTS = { connectionTimeoutMs: 10_000, socketTimeoutMs: 20_000 };

/** `allowPrivateOutbound`: as the channel's providers (config.allowPrivateOutbound, or the operator's QATRA_SMTP_URL). */
export async function sendTestEmail(deps: ServiceDeps, workspaceId: string, resolved: ResolvedEmailSettings, to: string, allowPrivateOutbound = false): Promise<TestSendResult> {
  const { settings, secrets } = resolved;
  const allowPrivate = allowPrivateOutbound || resolved.version === ENV_VERSION;
  const provider =
    settings.provider === 'smtp'
      ? createSmtpProvider(settings, secrets, TEST_TIMEOUTS, allowPrivate)
      : emailProviders[settings.provider]({ ...deps, allowPrivateOutbound: allowPrivate }, settings, secrets);
  const id = newId('test', deps.clock.now());
  const messageId = `<${id}@${domainOf(settings.from.address)}>`;
  const via = settings.provider === 'smtp' ? `SMTP ${settings.smtp?.host}:${settings.smtp?.port}` : 'the outbox';
  let result: ProviderResult;
  try {
    result = await provider.send({
      workspaceId,
      recordId: id,
      from: settings.from,
      to: { address: to },
      ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
      subject: 'Qatra test email',
      html: `<p>This is a test email from Qatra, sent through ${via}.</p>`,
      text: `This is a test email from Qatra, sent through ${via}.`,
      messageId,
      date: new Date(deps.clock.now()),
      headers: {},
    });
  } finally {
    await provider.close();
  }
  switch (result.status) {
    case 'sent': {
      const response = typeof result.detail?.response === 'string' ? result.detail.response : null;
      return { status: 'sent', provider: provider.name, messageId, providerMessageId: result.providerMessageId ?? null, response };
    }
    case 'retryable':
    case 'permanent':
    case 'skipped':
      return { status: 'failed', provider: provider.name, messageId, retryable: result.status === 'retryable', error: result.reason };
    default: {
      const never: never = result;
      throw new Error(`unknown provider result ${JSON.stringify(never)}`);
    }
  }
}
