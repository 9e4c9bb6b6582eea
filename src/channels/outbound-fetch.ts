/**
 * @module The address guard for clients that only speak fetch (masto.js): an undici `Agent` to pass
 * as fetch's `dispatcher` (Node's fetch is undici; `new Request(url, { dispatcher })` keeps it), whose
 * connector resolves the host with the guard's checked lookup (./address-guard.ts `guardedLookup`) and
 * refuses a private IP literal (Node calls no lookup for one). The check is made on the addresses the
 * socket then connects to, inside the connect, so a name that answers a public address to an earlier
 * check and 127.0.0.1 to the connect (DNS rebinding) is still refused. The error reaches the caller
 * as fetch's `TypeError('fetch failed')` with the PrivateAddressError as its `cause`.
 *
 * An Agent keeps its connections alive: the owner closes it (`close()`) when done.
 */
import net from 'node:net';
import { Agent, buildConnector } from 'undici';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from './address-guard.js';

export interface GuardedDispatcherOptions {
  /** Lets the client reach loopback and private addresses (the operator and workspace allowed it). */
  allowPrivate: boolean;
  /** What allows private targets, named in the refusal. */
  allowedBy?: string | undefined;
  /** TCP and TLS connect timeout (default 10 s). */
  connectTimeoutMs?: number | undefined;
}

export function guardedDispatcher(options: GuardedDispatcherOptions): Agent {
  const timeout = options.connectTimeoutMs ?? 10_000;
  if (options.allowPrivate) return new Agent({ connect: { timeout } });
  const connector = buildConnector({ timeout, lookup: guardedLookup });
  return new Agent({
    connect(opts, callback) {
      const host = opts.hostname.replace(/^\[|\]$/g, '');
      if (net.isIP(host) && isPrivateAddress(host)) return callback(new PrivateAddressError(host, host, options.allowedBy), null);
      connector(opts, callback);
    },
  });
}

/** The PrivateAddressError behind a failed fetch (its `cause`), or null. */
export function privateRefusalOf(err: unknown): PrivateAddressError | null {
  if (err instanceof PrivateAddressError) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof PrivateAddressError ? cause : null;
}
