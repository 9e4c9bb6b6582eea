/**
 * @module The bounce listener: a small SMTP server (smtp-server) for the bounce mailbox, started by
 * `qatra start` when QATRA_BOUNCE_SMTP_PORT is set. Point the MX of the return-path domain (email
 * settings `returnPathDomain`) and the feedback-loop address of mailbox providers at it.
 *
 * It accepts every recipient (VERP addresses are `bounces+<messageId>@…`), reads at most `maxBytes`
 * per mail, and hands each one to ./inbound.ts. It never lets one mail crash it: unparseable or
 * unknown mail is accepted (250) and logged, so senders do not retry garbage forever; only when the
 * database fails does it answer 451, a temporary failure the sending MTA retries later.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import type { FeedbackDeps } from './apply.js';
import { processInbound, type InboundResult } from './inbound.js';

export interface BounceListenerOptions {
  port: number;
  host?: string;
  /** Larger mails are refused with 552 (the returned original may be whole, with attachments). */
  maxBytes?: number;
  /** Called after each mail is processed (tests wait on it). */
  onProcessed?: (result: InboundResult | { kind: 'error'; error: string }) => void;
}

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

export async function startBounceListener(deps: FeedbackDeps & { log?: Logger | undefined }, options: BounceListenerOptions): Promise<BounceListener> {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const server = new SMTPServer({
    banner: 'Qatra bounce mailbox',
    disabledCommands: ['AUTH'],
    authOptional: true,
    logger: false,
    size: maxBytes,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const err = new Error('message too large for the bounce mailbox') as Error & { responseCode: number };
          err.responseCode = 552;
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
        processInbound(deps, raw, rcpts, mailFrom).then(
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
