/**
 * @module In-process test harness: a real database of the given backend, a manual clock, the real
 * Fastify app (requests go through `app.inject`), and a fresh workspace with keys per `tenant()`.
 */
import pino from 'pino';
import { ManualClock } from '../src/core/clock.js';
import { parseConfig, type Config } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { buildApp } from '../src/api/app.js';
import type { App } from '../src/api/deps.js';
import type { AppDeps } from '../src/core/app-deps.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { createKey } from '../src/keys/keys.js';
import type { DialectName } from '../src/store/store.js';
import type { SignalSink } from '../src/events/signals.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { freshDatabase, type TestDatabase } from './backends.js';
import { testSecretBox } from './secret-key.js';

export interface Tenant {
  workspaceId: string;
  adminKey: string;
  writeKey: string;
  /** Headers for the admin API. */
  admin: { authorization: string };
  /** Headers for ingestion: HTTP Basic with the write key as user name, like Segment. */
  write: { authorization: string };
}

export interface Harness {
  kind: DialectName;
  database: TestDatabase;
  deps: AppDeps;
  clock: ManualClock;
  app: App;
  /**
   * A fresh workspace with an admin and a write key. It has a postal address ('1 Main St,
   * Springfield' unless `postalAddress` says otherwise; '' for none), as a workspace must before a
   * journey or broadcast with marketing email goes live (src/workspaces/postal-address.ts).
   */
  tenant(options?: { postalAddress?: string }): Promise<Tenant>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Sinks called after the runtime's own (src/server/signal-sinks.ts), e.g. one recording the signals. */
  extraSinks?: readonly SignalSink[];
}

export async function createHarness(kind: DialectName, configOverrides: Partial<Config> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const database = await freshDatabase(kind);
  const clock = new ManualClock();
  const deps: AppDeps = {
    store: database.store,
    clock,
    signals: defaultSignals(database.store, options.extraSinks),
    secretBox: testSecretBox(),
    log: pino({ level: process.env.QATRA_TEST_LOG ?? 'silent' }),
    config: parseConfig({}, configOverrides),
    metrics: createMetrics(),
  };
  const app = await buildApp(deps);
  return {
    kind,
    database,
    deps,
    clock,
    app,
    async tenant(options = {}) {
      const ws = await createWorkspace(deps, { name: 'test', postalAddress: options.postalAddress ?? '1 Main St, Springfield' });
      const admin = await createKey(deps, { workspaceId: ws.id, kind: 'admin' });
      const write = await createKey(deps, { workspaceId: ws.id, kind: 'write' });
      return {
        workspaceId: ws.id,
        adminKey: admin.secret,
        writeKey: write.secret,
        admin: { authorization: `Bearer ${admin.secret}` },
        write: { authorization: `Basic ${Buffer.from(`${write.secret}:`).toString('base64')}` },
      };
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
