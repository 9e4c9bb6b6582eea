/**
 * @module The email providers, in one typed map (like Kysely's dialects): a provider kind names a
 * factory that turns a workspace's settings and secrets into an EmailProvider.
 */
import type { Clock } from '../../../core/clock.js';
import type { Store } from '../../../store/store.js';
import type { EmailProvider } from '../provider.js';
import type { EmailSecrets, EmailSettings } from '../settings.js';
import type { EmailProviderKind } from '../tables.js';
import { createOutboxProvider } from './outbox/outbox.js';
import { createSmtpProvider, smtpTimeoutsOf } from './smtp/smtp.js';
import { dkimSignerOf } from './raw.js';
import { createSesProvider } from './ses/ses.js';
import { createPostmarkProvider } from './postmark/postmark.js';
import { createSendgridProvider } from './sendgrid/sendgrid.js';
import { createMailgunProvider } from './mailgun/mailgun.js';

export interface ProviderDeps {
  store: Store;
  clock: Clock;
  /** Providers may connect to private, loopback and link-local addresses (config.allowPrivateOutbound). */
  allowPrivateOutbound?: boolean | undefined;
}

export type EmailProviderFactory = (deps: ProviderDeps, settings: EmailSettings, secrets: EmailSecrets) => EmailProvider;

export const emailProviders: Record<EmailProviderKind, EmailProviderFactory> = {
  smtp: (deps, settings, secrets) => createSmtpProvider(settings, secrets, smtpTimeoutsOf(settings), deps.allowPrivateOutbound ?? false),
  outbox: (deps, settings, secrets) => createOutboxProvider(deps, dkimSignerOf(settings, secrets)),
  ses: (deps, settings, secrets) => createSesProvider(espDeps(deps), settings, secrets),
  postmark: (deps, settings, secrets) => createPostmarkProvider(espDeps(deps), settings, secrets),
  sendgrid: (deps, settings, secrets) => createSendgridProvider(espDeps(deps), settings, secrets),
  mailgun: (deps, settings, secrets) => createMailgunProvider(espDeps(deps), settings, secrets),
};

const espDeps = (deps: ProviderDeps) => ({ clock: deps.clock, allowPrivateOutbound: deps.allowPrivateOutbound ?? false });
