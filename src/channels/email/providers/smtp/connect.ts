/**
 * @module Connecting to a workspace admin's SMTP host through the address guard
 * (../../../address-guard.ts). nodemailer's `getSocket` hook resolves the host, refuses it when any
 * of its addresses is private, loopback or link-local, and opens the TCP connection to the checked
 * addresses itself, so a name that answers differently the next time (DNS rebinding) cannot slip
 * through. TLS, implicit or STARTTLS, still presents and verifies the host NAME (nodemailer keeps
 * `host` as given and uses it as the servername), so certificates work as before.
 */
import net from 'node:net';
import { resolvePublic } from '../../../address-guard.js';

/** What lets a private SMTP host through, for the refusal's message. */
export const SMTP_ALLOWED_BY = 'QATRA_ALLOW_PRIVATE_OUTBOUND=1 (operator)';

type SocketCallback = (err: Error | null, socketOptions?: { connection: net.Socket }) => void;

/**
 * A nodemailer `getSocket` that connects only to public addresses, giving up after `timeoutMs`.
 * `resolve` is resolvePublic; a test passes its own to stand in for a public DNS answer.
 */
export function guardedSocket(timeoutMs: number, resolve: typeof resolvePublic = resolvePublic) {
  return (options: { host?: string; port?: number }, callback: SocketCallback): void => {
    const host = options.host ?? 'localhost';
    resolve(host, SMTP_ALLOWED_BY).then(
      (addresses) => {
        let done = false;
        const finish = (err: Error | null) => {
          if (done) return;
          done = true;
          socket.setTimeout(0);
          if (err) {
            socket.destroy();
            callback(err);
          } else callback(null, { connection: socket });
        };
        // Node does not call `lookup` for an IP literal, and resolvePublic has returned it as checked.
        const socket = net.connect({
          host: addresses[0]!.address,
          port: options.port ?? 587,
          lookup: (_name, opts, cb) => (opts.all ? cb(null, addresses) : cb(null, addresses[0]!.address, addresses[0]!.family)),
          autoSelectFamily: addresses.length > 1,
        });
        socket.setTimeout(timeoutMs, () => finish(Object.assign(new Error(`connection to ${host}:${options.port} timed out`), { code: 'ETIMEDOUT' })));
        socket.once('connect', () => finish(null));
        socket.once('error', (err) => finish(err));
      },
      (err: Error) => callback(err),
    );
  };
}
