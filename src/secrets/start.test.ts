import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends, freshDatabase } from '../../test/backends.js';
import { spawnCli } from '../../test/process.js';
import { systemClock } from '../core/clock.js';
import { fromJson, toJson } from '../core/json.js';
import { defaultSignals } from '../server/signal-sinks.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { KEY_FILE, keyFile } from './key.js';
import { createSecretBox } from './secret-box.js';

const settings = toJson({ provider: 'outbox', from: { address: 'a@example.com' }, tracking: { opens: true, clicks: true, transactional: false } });

describe('the secret key at start-up', () => {
  it('SQLite without QATRA_SECRET_KEY: the first start generates <dataDir>/secret.key and seals a plain stored password under it', async () => {
    const database = await freshDatabase('sqlite');
    const dataDir = path.dirname(database.url);
    const store = database.store;
    const ws = await createWorkspace({ store, signals: defaultSignals(store), clock: systemClock }, { name: 'legacy' });
    await store.db
      .insertInto('email_providers')
      .values({ workspace_id: ws.id, kind: 'outbox', settings, secrets: toJson({ password: 'legacy-PLAINTEXT' }), updated_at: 1 })
      .execute();
    await store.close();

    const server = spawnCli(['start'], { PORT: '0', HOST: '127.0.0.1', QATRA_DATA_DIR: dataDir, QATRA_SECRET_KEY: '' });
    await server.waitFor(/listening on/, 60_000);
    server.proc.kill('SIGTERM');
    expect((await server.exited()).code).toBe(0);

    expect(fs.statSync(path.join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    const reopened = database.reopen();
    const row = await reopened.db.selectFrom('email_providers').select('secrets').where('workspace_id', '=', ws.id).executeTakeFirstOrThrow();
    await reopened.close();
    expect(JSON.stringify(row)).not.toContain('PLAINTEXT');
    const sealed = fromJson<{ sealed: string }>(row.secrets).sealed;
    expect(JSON.parse(createSecretBox({ current: keyFile(dataDir) }).open(sealed))).toEqual({ password: 'legacy-PLAINTEXT' });

    // Started again with another key: stops at once, naming both key ids, instead of sending garbage.
    const wrong = spawnCli(['start'], { PORT: '0', HOST: '127.0.0.1', QATRA_DATA_DIR: dataDir, QATRA_SECRET_KEY: Buffer.alloc(32, 9).toString('hex') });
    expect((await wrong.exited()).code).toBe(2);
    expect(wrong.output()).toMatch(/qatra: secret sealed under key \S+, but this process has key \S+: set QATRA_SECRET_KEY to the key it was sealed with/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it.runIf(backends().includes('postgres'))(
    'PostgreSQL without QATRA_SECRET_KEY: refused, saying why',
    async () => {
      const database = await freshDatabase('postgres');
      try {
        const server = spawnCli(['start'], { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, QATRA_SECRET_KEY: '' });
        const { code } = await server.exited();
        expect(code).toBe(2);
        expect(server.output()).toMatch(/QATRA_SECRET_KEY: is required with PostgreSQL \(DATABASE_URL\): every process sharing the database must seal and open provider secrets with the same key/);
      } finally {
        await database.drop();
      }
    },
    90_000,
  );
});
