import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dirTarget } from './dir-target.js';
import { dropBatch, type DropFile } from './drop.js';
import { HostKeyMismatchError, sftpTarget, type SftpSettings } from './sftp-target.js';
import { startSftpServer, type TestSftpServer } from './sftp-server.testkit.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
type InMemory = Extract<DropFile, { data: Uint8Array }>;

const files = (): InMemory[] => [
  { name: 'batch.pdf', data: randomBytes(300_000) },
  { name: 'manifest.csv', data: new TextEncoder().encode('piece_id,postcode\r\nmp_1,02134\r\n') },
  { name: 'manifest.json', data: new TextEncoder().encode('{"pieces":[]}\n') },
];

function expectComplete(root: string, batchId: string, sent: InMemory[]) {
  for (const f of sent) expect(sha(fs.readFileSync(path.join(root, batchId, f.name)))).toBe(sha(f.data));
  expect(fs.readdirSync(path.join(root, batchId)).sort()).toEqual(sent.map((f) => f.name).sort());
  const done = JSON.parse(fs.readFileSync(path.join(root, `${batchId}.done`), 'utf8')) as { files: { name: string; bytes: number; sha256: string }[] };
  expect(done.files).toEqual(sent.map((f) => ({ name: f.name, bytes: f.data.byteLength, sha256: sha(f.data) })));
}

describe('print drop into a local directory', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-printdir-'));
  });

  it('files arrive complete under their own names, then the .done marker; a second drop writes nothing', async () => {
    const sent = files();
    expect(await dropBatch(dirTarget(root), 'mb_1', sent)).toEqual({ location: path.join(root, 'mb_1'), written: true });
    expectComplete(root, 'mb_1', sent);
    const before = fs.statSync(path.join(root, 'mb_1.done')).mtimeMs;
    expect((await dropBatch(dirTarget(root), 'mb_1', files())).written).toBe(false);
    expect(fs.statSync(path.join(root, 'mb_1.done')).mtimeMs).toBe(before);
    expectComplete(root, 'mb_1', sent);
  });

  it('refuses a batch or file name that would leave the drop directory', async () => {
    await expect(dropBatch(dirTarget(root), '../escape', files())).rejects.toThrow(/unsafe/);
    await expect(dropBatch(dirTarget(root), 'mb_2', [{ name: '../../x.pdf', data: new Uint8Array(1) }])).rejects.toThrow(/unsafe/);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe('print drop over SFTP (ssh2 server in-process on 127.0.0.1)', () => {
  let server: TestSftpServer;
  let root: string;
  let settings: SftpSettings;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-sftp-'));
    server = await startSftpServer(root);
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    fs.rmSync(path.join(root, 'in'), { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'in'));
    server.renames = [];
    server.failAfterWrites = null;
    settings = { host: '127.0.0.1', port: server.port, username: server.username, password: server.password, directory: '/in', hostKeyFingerprint: server.fingerprint, allowPrivateOutbound: true };
  });

  const drop = async (batchId: string, sent: DropFile[], s: SftpSettings = settings) => {
    const target = await sftpTarget(s);
    try {
      return await dropBatch(target, batchId, sent);
    } finally {
      await target.close();
    }
  };

  it('uploads the batch PDF and manifests complete, then the .done marker', async () => {
    const sent = files();
    const r = await drop('mb_s1', sent);
    expect(r).toEqual({ location: `sftp://printhouse@127.0.0.1:${server.port}/in/mb_s1`, written: true });
    expectComplete(path.join(root, 'in'), 'mb_s1', sent);
    expect(server.renames.at(-1)).toEqual({ from: '/in/.mb_s1.done.part', to: '/in/mb_s1.done' });
  });

  it('a server that fails mid-upload leaves no valid-looking batch; a retry completes it exactly once', async () => {
    const sent = files();
    server.failAfterWrites = 4; // batch.pdf is 10 writes of 32 KiB: cut inside it
    await expect(drop('mb_s2', sent)).rejects.toThrow();
    const dir = path.join(root, 'in');
    expect(fs.existsSync(path.join(dir, 'mb_s2.done'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'mb_s2', 'batch.pdf'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'mb_s2'))).toEqual(['.batch.pdf.part']);
    expect(fs.statSync(path.join(dir, 'mb_s2', '.batch.pdf.part')).size).toBeLessThan(300_000);

    expect((await drop('mb_s2', sent)).written).toBe(true);
    expectComplete(dir, 'mb_s2', sent);
    expect((await drop('mb_s2', sent)).written).toBe(false);
    expect(server.renames.filter((r) => r.to === '/in/mb_s2.done')).toHaveLength(1);
    expect(server.renames.filter((r) => r.to === '/in/mb_s2/batch.pdf')).toHaveLength(1);
  });

  it('a server presenting another host key is refused before anything is sent', async () => {
    const other = await startSftpServer(root);
    try {
      const err = await drop('mb_s3', files(), { ...settings, port: other.port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostKeyMismatchError);
      expect((err as HostKeyMismatchError).presented).toBe(other.fingerprint);
      expect(fs.existsSync(path.join(root, 'in', 'mb_s3'))).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('a loopback host is refused unless private outbound connections are allowed', async () => {
    await expect(drop('mb_s4', files(), { ...settings, allowPrivateOutbound: false })).rejects.toThrow(/private, loopback/);
    expect(fs.existsSync(path.join(root, 'in', 'mb_s4'))).toBe(false);
  });
});
