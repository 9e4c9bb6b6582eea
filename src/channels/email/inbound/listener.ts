/**
 * @module An SMTP listener for Qatra's own addresses (point the MX of the return-path domain and of
 * the From domain's `unsubscribe+…` addresses here). It accepts mail only for `bounces+…` and
 * `unsubscribe+…` local parts (anything else: 550), at most 1 MB, and hands each to processInbound.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from 'pino';
import type { ServiceDeps } from '../../../core/deps.js';
import { processInbound, type InboundOutcome } from './inbound.js';

export interface InboundListener {
  port: number;
  close(): Promise<void>;
}

export async function startInboundListener(
  deps: ServiceDeps & { log?: Logger },
  options: { port: number; host: string; onOutcome?: (o: InboundOutcome) => void },
): Promise<InboundListener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: 1024 * 1024,
    logger: false,
    closeTimeout: 1000,
    onRcptTo(address, _session, cb) {
      if (/^(bounces|unsubscribe)\+[^@]+@/i.test(address.address)) return cb();
      const err = new Error('5.1.1 no such mailbox here') as Error & { responseCode: number };
      err.responseCode = 550;
      return cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        Promise.all(session.envelope.rcptTo.map((r) => processInbound(deps, r.address, raw)))
          .then((outcomes) => {
            for (const o of outcomes) options.onOutcome?.(o);
            cb();
          })
          .catch((err: Error) => {
            deps.log?.error({ err }, 'inbound mail processing failed');
            const e = new Error('4.3.0 try again later') as Error & { responseCode: number };
            e.responseCode = 451;
            cb(e);
          });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}
