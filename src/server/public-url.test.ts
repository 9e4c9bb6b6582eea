import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../../test/process.js';
import { publicUrlWarning } from './public-url.js';

describe('the QATRA_PUBLIC_URL check at start', () => {
  it('warns about plain http to another host, not about https or this machine', () => {
    for (const url of ['http://mail.example.com', 'http://203.0.113.5:8080', 'HTTP://Qatra.Example.Org/base']) {
      expect(publicUrlWarning(url), url).toMatch(/one-click unsubscribe needs https/);
    }
    for (const url of ['https://mail.example.com', 'http://localhost:8080', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'http://app.localhost', 'not a url']) {
      expect(publicUrlWarning(url), url).toBeNull();
    }
  });

  it('qatra start prints the warning and logs it when QATRA_PUBLIC_URL is plain http', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-public-url-'));
    const child = spawnCli(['start'], { PORT: '0', HOST: '127.0.0.1', QATRA_DATA_DIR: dataDir, QATRA_PUBLIC_URL: 'http://mail.example.com' });
    try {
      await child.waitFor(/listening on/, 50_000); // tsx start-up on a busy machine
      await child.waitFor(/Warning: QATRA_PUBLIC_URL is http:\/\/mail\.example\.com, plain http: one-click unsubscribe needs https/);
      // The same warning in the JSON log, at level warn (40), for production log collectors.
      await child.waitFor(/"level":40[^\n]*"publicUrl":"http:\/\/mail\.example\.com"[^\n]*one-click unsubscribe needs https/);
    } finally {
      child.proc.kill('SIGTERM');
      await child.exited();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
