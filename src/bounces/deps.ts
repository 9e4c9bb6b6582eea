/**
 * @module The bounce services' dependencies, taken from the app's: store, clock, log and the
 * soft-bounce limit from the config (QATRA_SOFT_BOUNCE_LIMIT, default 3).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { AppDeps } from '../core/app-deps.js';
import type { FeedbackDeps } from './apply.js';
import type { InboundResult } from './inbound.js';
import { startBounceListener } from './listener.js';
import { ensureBounceCertificate } from './tls.js';

export const DEFAULT_SOFT_BOUNCE_LIMIT = 3;

export function feedbackDepsOf(deps: AppDeps): FeedbackDeps & { log: Logger } {
  return { store: deps.store, clock: deps.clock, signals: deps.signals, log: deps.log, softBounceLimit: deps.config.softBounceLimit ?? DEFAULT_SOFT_BOUNCE_LIMIT };
}

/** What became of each mail on the bounce mailbox (`applied`, `refused` for unsigned or forged names…). */
function resultLabel(r: InboundResult | { kind: 'error'; error: string }): string {
  if (r.kind === 'error') return 'error';
  if ('refused' in r && r.refused) return 'refused';
  if (r.kind === 'unsubscribe' || r.kind === 'other') return r.kind;
  return r.messageId === null ? 'unmatched' : 'applied';
}

/**
 * Starts the bounce listener when QATRA_BOUNCE_SMTP_PORT is set (`qatra start`); otherwise a no-op.
 * Its STARTTLS certificate lives in `<dataDir>/bounce-tls`, generated at first start (./tls.ts).
 * Each mail is counted in `qatra_bounce_mails_total{result}`.
 */
export async function startConfiguredBounceListener(deps: AppDeps): Promise<{ port: number | null; close(): Promise<void> }> {
  const port = deps.config.bounceSmtpPort;
  if (port === undefined) return { port: null, close: async () => {} };
  const tls = await ensureBounceCertificate(path.join(deps.config.dataDir, 'bounce-tls'), deps.clock);
  if (tls.generated) deps.log.info({ validTo: new Date(tls.validTo).toISOString() }, 'bounce mailbox: generated a self-signed STARTTLS certificate');
  const name = 'qatra_bounce_mails_total';
  const mails =
    (deps.metrics.registry.getSingleMetric(name) as Counter<'result'> | undefined) ??
    new Counter({
      name,
      help: 'Mails on the bounce mailbox by result: applied, refused (unsigned or forged), unmatched, other, unsubscribe, error',
      labelNames: ['result'],
      registers: [deps.metrics.registry],
    });
  return startBounceListener(feedbackDepsOf(deps), { port, host: deps.config.host, tls, onProcessed: (r) => mails.inc({ result: resultLabel(r) }) });
}
