/**
 * @module The bounce services' dependencies, taken from the app's: store, clock, log and the
 * soft-bounce limit from the config (QATRA_SOFT_BOUNCE_LIMIT, default 3).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppDeps } from '../api/deps.js';
import type { FeedbackDeps } from './apply.js';
import { startBounceListener } from './listener.js';
import { ensureBounceCertificate } from './tls.js';

export const DEFAULT_SOFT_BOUNCE_LIMIT = 3;

export function feedbackDepsOf(deps: AppDeps): FeedbackDeps & { log: Logger } {
  return { store: deps.store, clock: deps.clock, log: deps.log, softBounceLimit: deps.config.softBounceLimit ?? DEFAULT_SOFT_BOUNCE_LIMIT };
}

/**
 * Starts the bounce listener when QATRA_BOUNCE_SMTP_PORT is set (`qatra start`); otherwise a no-op.
 * Its STARTTLS certificate lives in `<dataDir>/bounce-tls`, generated at first start (./tls.ts).
 */
export async function startConfiguredBounceListener(deps: AppDeps): Promise<{ port: number | null; close(): Promise<void> }> {
  const port = deps.config.bounceSmtpPort;
  if (port === undefined) return { port: null, close: async () => {} };
  const tls = await ensureBounceCertificate(path.join(deps.config.dataDir, 'bounce-tls'), deps.clock);
  if (tls.generated) deps.log.info({ validTo: new Date(tls.validTo).toISOString() }, 'bounce mailbox: generated a self-signed STARTTLS certificate');
  return startBounceListener(feedbackDepsOf(deps), { port, host: deps.config.host, tls });
}
