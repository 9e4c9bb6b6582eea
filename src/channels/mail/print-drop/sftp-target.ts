/**
 * @module The `print_sftp` drop: SFTP (the ssh2 package's client) to the print house's server.
 *
 * The server's host key is pinned: `hostKeyFingerprint` is its OpenSSH fingerprint
 * (`SHA256:` and the unpadded base64 of the SHA-256 of the key, as `ssh-keygen -lf` prints it), and
 * a server presenting any other key is refused before any password or key of ours is sent. The
 * host must be public unless private outbound connections are allowed (../../address-guard.ts): the
 * address checked is the address connected to.
 *
 * SFTP v3 rename fails when the target exists, so `rename` removes the target first (the target is
 * only ever a file an earlier, broken attempt of the same drop left).
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Client, type SFTPWrapper } from 'ssh2';
import { resolvePublic } from '../../address-guard.js';
import type { DropTarget } from './drop.js';

export interface SftpSettings {
  host: string;
  port: number;
  username: string;
  /** Where batches go on the server. */
  directory: string;
  hostKeyFingerprint: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  allowPrivateOutbound?: boolean | undefined;
  timeoutMs?: number | undefined;
}

export class HostKeyMismatchError extends Error {
  constructor(
    readonly host: string,
    readonly presented: string,
  ) {
    super(`the SFTP server ${host} presented host key ${presented}, not the pinned one`);
  }
}

/** OpenSSH's fingerprint of a public key blob. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

const WRITE_CHUNK = 32 * 1024;

function call<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

const CONNECTION_LOST = 'the SFTP connection closed before the upload finished';

export async function sftpTarget(s: SftpSettings): Promise<DropTarget> {
  const host = s.allowPrivateOutbound ? s.host : (await resolvePublic(s.host, 'QATRA_ALLOW_PRIVATE_OUTBOUND=1'))[0]!.address;
  const client = new Client();
  let presented: string | null = null;
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
    client.once('error', (err) => reject(presented && presented !== s.hostKeyFingerprint ? new HostKeyMismatchError(s.host, presented) : err));
    client.once('ready', () => client.sftp((err, w) => (err ? reject(err) : resolve(w))));
    client.connect({
      host,
      port: s.port,
      username: s.username,
      password: s.password,
      privateKey: s.privateKey,
      readyTimeout: s.timeoutMs ?? 20_000,
      hostVerifier: (key: Buffer) => {
        presented = sshFingerprint(key);
        return presented === s.hostKeyFingerprint;
      },
    });
  });
  // ssh2 leaves a request pending when the server goes away mid-call: every call also races the
  // connection's end, so a dying server fails the drop instead of hanging it.
  let lost: Error | null = null;
  const waiting = new Set<(err: Error) => void>();
  const onLost = (err?: Error) => {
    lost ??= new Error(CONNECTION_LOST, err ? { cause: err } : undefined);
    for (const fail of waiting) fail(lost);
    waiting.clear();
  };
  client.on('error', onLost);
  client.on('close', () => onLost());
  const req = <T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> => {
    if (lost) return Promise.reject(lost);
    return new Promise<T>((resolve, reject) => {
      waiting.add(reject);
      call(fn)
        .then(resolve, reject)
        .finally(() => waiting.delete(reject));
    });
  };
  const at = (p: string) => posix.join(s.directory, p);
  const exists = (p: string) =>
    req((cb) => sftp.stat(at(p), cb)).then(
      () => true,
      () => false,
    );
  return {
    location: `sftp://${s.username}@${s.host}:${s.port}${posix.resolve('/', s.directory)}`,
    exists,
    async mkdir(p) {
      if (!(await exists(p))) await req<void>((cb) => sftp.mkdir(at(p), cb));
    },
    async write(p, data) {
      const handle = await req<Buffer>((cb) => sftp.open(at(p), 'w', cb));
      try {
        let offset = 0;
        for await (const chunk of data instanceof Uint8Array ? [data] : data) {
          const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          for (let pos = 0; pos < buf.length; pos += WRITE_CHUNK) {
            const n = Math.min(WRITE_CHUNK, buf.length - pos);
            await req<void>((cb) => sftp.write(handle, buf, pos, n, offset + pos, cb));
          }
          offset += buf.length;
        }
      } finally {
        await req<void>((cb) => sftp.close(handle, cb)).catch(() => {});
      }
    },
    async rename(from, to) {
      if (await exists(to)) await req<void>((cb) => sftp.unlink(at(to), cb));
      await req<void>((cb) => sftp.rename(at(from), at(to), cb));
    },
    async close() {
      client.end();
    },
  };
}
