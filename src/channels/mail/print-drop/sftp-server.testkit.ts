/**
 * @module A real SFTP server for the print drop's tests: ssh2's `Server` on 127.0.0.1, speaking the
 * SFTP protocol over SSH, serving a local directory (the "print house"). Password authentication;
 * a host key of its own (its fingerprint is what a provider pins). `failAfterWrites` makes it cut
 * the connection at that WRITE request (a server dying mid-upload); `renames` records every
 * completed rename.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import ssh2, { type Connection } from 'ssh2';
import { sshFingerprint } from './sftp-target.js';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface TestSftpServer {
  port: number;
  fingerprint: string;
  root: string;
  username: string;
  password: string;
  /** Cut the connection when this many more WRITE requests have come (null: never). */
  failAfterWrites: number | null;
  renames: { from: string; to: string }[];
  close(): Promise<void>;
}

export async function startSftpServer(root: string): Promise<TestSftpServer> {
  const keys = utils.generateKeyPairSync('ed25519');
  const parsed = utils.parseKey(keys.public);
  if (parsed instanceof Error) throw parsed;
  const state: TestSftpServer = {
    port: 0,
    fingerprint: sshFingerprint(Array.isArray(parsed) ? parsed[0]!.getPublicSSH() : parsed.getPublicSSH()),
    root,
    username: 'printhouse',
    password: 'ink-and-paper',
    failAfterWrites: null,
    renames: [],
    close: async () => {},
  };
  const clients = new Set<Connection>();
  const local = (p: string) => path.join(root, path.posix.normalize(`/${p}`));
  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => (ctx.method === 'password' && ctx.username === state.username && ctx.password === state.password ? ctx.accept() : ctx.reject(['password'])));
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const handles = new Map<number, number>();
          let next = 0;
          const fdOf = (h: Buffer) => (h.length === 4 ? handles.get(h.readUInt32BE(0)) : undefined);
          const ok = (id: number, fn: () => void) => {
            try {
              fn();
              sftp.status(id, STATUS_CODE.OK);
            } catch {
              sftp.status(id, STATUS_CODE.FAILURE);
            }
          };
          sftp.on('OPEN', (id, filename, flags) => {
            try {
              const fd = fs.openSync(local(filename), flags & utils.sftp.OPEN_MODE.WRITE ? 'w' : 'r');
              const h = Buffer.alloc(4);
              h.writeUInt32BE(next, 0);
              handles.set(next++, fd);
              sftp.handle(id, h);
            } catch {
              sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
            }
          });
          sftp.on('WRITE', (id, handle, offset, data) => {
            if (state.failAfterWrites !== null && state.failAfterWrites-- <= 0) {
              state.failAfterWrites = null;
              client.end();
              return;
            }
            const fd = fdOf(handle);
            if (fd === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
            ok(id, () => fs.writeSync(fd, data, 0, data.length, offset));
          });
          sftp.on('CLOSE', (id, handle) => {
            const fd = fdOf(handle);
            if (fd === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
            handles.delete(handle.readUInt32BE(0));
            ok(id, () => fs.closeSync(fd));
          });
          const stat = (id: number, p: string) => {
            try {
              const st = fs.statSync(local(p));
              sftp.attrs(id, { mode: st.mode, uid: 0, gid: 0, size: st.size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) });
            } catch {
              sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
            }
          };
          sftp.on('STAT', stat);
          sftp.on('LSTAT', stat);
          sftp.on('MKDIR', (id, p) => ok(id, () => fs.mkdirSync(local(p))));
          sftp.on('REMOVE', (id, p) => ok(id, () => fs.unlinkSync(local(p))));
          sftp.on('RENAME', (id, from, to) =>
            ok(id, () => {
              // SFTP v3: a rename onto an existing file fails.
              if (fs.existsSync(local(to))) throw new Error('exists');
              fs.renameSync(local(from), local(to));
              state.renames.push({ from, to });
            }),
          );
          sftp.on('REALPATH', (id, p) => sftp.name(id, [{ filename: path.posix.normalize(`/${p}`), longname: p, attrs: {} as never }]));
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const c of clients) c.end();
      server.close(() => resolve());
    });
  return state;
}
