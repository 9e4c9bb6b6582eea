import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { databaseEnv, runCli } from '../../test/cli.js';
import { mailAddressKey } from '../channels/mail/address-key.js';
import { ManualClock } from '../core/clock.js';
import { defaultSignals } from '../server/signal-sinks.js';
import { bootstrap } from '../workspaces/workspaces.js';

vi.setConfig({ testTimeout: 180_000 });

describe.each(backends())('qatra mail do-not-mail on %s', (kind) => {
  let database: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    database = await freshDatabase(kind);
    await bootstrap({ store: database.store, clock: new ManualClock(), signals: defaultSignals(database.store) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-dnm-'));
  });
  afterAll(async () => {
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports an address list as suppressions; a bad file writes nothing and exits 1 naming the row', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'name,line1,city,postcode,country\nA,1 Elm St,Boston,02134,US\nB,,Boston,02135,US\n');
    const refused = await runCli(['mail', 'do-not-mail', bad], databaseEnv(kind, database));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${bad}: rows.2.line1: an address needs a street line`);
    expect(await database.store.db.selectFrom('suppressions').select('address').execute()).toEqual([]);

    const good = path.join(dir, 'good.csv');
    fs.writeFileSync(good, 'name,line1,city,postcode,country\nA,1 Elm St,Boston,02134,US\n');
    const ok = await runCli(['mail', 'do-not-mail', good], databaseEnv(kind, database));
    expect(ok.stdout).toBe('do-not-mail: 1 addresses suppressed, 0 contacts opted out, 0 already listed\n');
    expect(ok.code).toBe(0);
    const rows = await database.store.db.selectFrom('suppressions').select(['address', 'reason']).execute();
    expect(rows).toEqual([{ address: mailAddressKey({ lines: ['1 Elm St'], city: 'Boston', postcode: '02134', country: 'US' }), reason: 'manual' }]);
  });
});
