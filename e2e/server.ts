/**
 * @module A real Qatra for browser tests: `node bin/qatra.js start` (the built server) on a free
 * port with a fresh SQLite data directory; the keys and the owner's setup link it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RunningQatra {
  url: string;
  /** The SQLite data directory (`qatra.db` in it), for tests that check stored rows. */
  dataDir: string;
  adminKey: string;
  writeKey: string;
  setupLink: string;
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startQatra(): Promise<RunningQatra> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qatra-e2e-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['bin/qatra.js', 'start'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', QATRA_DATA_DIR: dataDir, QATRA_WORKER_POLL_MS: '100', LOG_LEVEL: 'warn', DATABASE_URL: '', QATRA_ALLOW_PRIVATE_OUTBOUND: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const deadline = Date.now() + 60_000;
  while (!/app\/setup#token=\S+/.test(out)) {
    if (child.exitCode !== null) throw new Error(`qatra start exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`qatra start printed no setup link in 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pick = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`not in the start output (${re}):\n${out}`);
    return m[1]!;
  };
  return {
    url: `http://localhost:${port}`,
    dataDir,
    adminKey: pick(/admin API key: (\S+)/),
    writeKey: pick(/write key:\s+(\S+)/),
    setupLink: pick(/(http\S+\/app\/setup#token=\S+)/),
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
