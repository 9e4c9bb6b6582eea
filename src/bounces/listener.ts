/**
 * @module The bounce listener: a small SMTP server (smtp-server) for the bounce mailbox, started by
 * `qatra start` when QATRA_BOUNCE_SMTP_PORT is set. Point the MX of the return-path domain (email
 * settings `returnPathDomain`) and the feedback-loop address of mailbox providers at it.
 *
 * It is open to the internet, so it is capped: at most `maxClients` connections at once (more are
 * told 421, try again), `maxRecipients` per mail, and `maxBytes` per mail (announced with the SIZE
 * extension: a larger declared SIZE is refused at MAIL FROM, a larger DATA at its end, both 552).
 * A mail is never held whole: while it streams in, only what a report is read by is kept
 * (./excerpt.ts, at most ~256 KB), then handed to ./inbound.ts, which acts only on reports whose
 * VERP address or Message-ID carries the workspace's signature (./signed-ids.ts).
 *
 * It never lets one mail crash it: unparseable, unknown or unsigned mail is accepted (250) and
 * logged, so senders do not retry garbage forever; only when the database fails does it answer 451,
 * a temporary failure the sending MTA retries later. STARTTLS uses `tls` (./tls.ts makes one).
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import type { FeedbackDeps } from './apply.js';
import { ReportExcerpt } from './excerpt.js';
import { processInbound, type InboundResult } from './inbound.js';

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_CLIENTS = 32;
export const DEFAULT_MAX_RECIPIENTS = 10;

export interface BounceListenerOptions {
  port: number;
  host?: string;
  /** Larger mails are refused with 552 (default 2 MB: a DSN returning one of our mails whole fits). */
  maxBytes?: number;
  /** Concurrent connections; more are answered 421 (default 32). */
  maxClients?: number;
  /** Recipients per mail; more are answered 452 (default 10). */
  maxRecipients?: number;
  /** STARTTLS key and certificate (PEM); without them smtp-server's built-in (expired) one is used. */
  tls?: { key: string | Buffer; cert: string | Buffer } | undefined;
  /** Called after each mail is processed (tests wait on it). */
  onProcessed?: (result: InboundResult | { kind: 'error'; error: string }) => void;
}

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

export async function startBounceListener(deps: FeedbackDeps & { log?: Logger | undefined }, options: BounceListenerOptions): Promise<BounceListener> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const inboundDeps = { ...deps, secrets: new Map<string, string>() };
  const server = new SMTPServer({
    banner: 'Qatra bounce mailbox',
    disabledCommands: ['AUTH'],
    authOptional: true,
    logger: false,
    size: maxBytes,
    maxClients: options.maxClients ?? DEFAULT_MAX_CLIENTS,
    maxRecipients: options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    onData(stream, session, callback) {
      const excerpt = new ReportExcerpt();
      stream.on('data', (c: Buffer) => excerpt.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const err = new Error('message too large for the bounce mailbox') as Error & { responseCode: number };
          err.responseCode = 552;
          return callback(err);
        }
        const raw = excerpt.end();
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
        processInbound(inboundDeps, raw, rcpts, mailFrom).then(
          (result) => {
            callback();
            options.onProcessed?.(result);
          },
          (err: Error) => {
            deps.log?.error({ err, to: rcpts }, 'bounce mailbox: could not apply a report; answering 451');
            const temp = new Error('temporary failure, try again later') as Error & { responseCode: number };
            temp.responseCode = 451;
            callback(temp);
            options.onProcessed?.({ kind: 'error', error: err.message });
          },
        );
      });
    },
  });
  server.on('error', (err) => deps.log?.error({ err }, 'bounce mailbox: SMTP server error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  deps.log?.info({ port }, 'bounce mailbox listening');
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
