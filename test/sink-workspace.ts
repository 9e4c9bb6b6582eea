/**
 * @module The world the fault tests (test/faults/kit.ts) and the soak (bench/soak.ts) both start
 * from: quiet deps on a database, and a workspace with an admin key, a write key and email settings
 * that send over real SMTP to a local sink.
 */
import pino from 'pino';
import { systemClock } from '../src/core/clock.js';
import { parseConfig, type Config } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { AppDeps } from '../src/core/app-deps.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import type { Store } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { createKey } from '../src/keys/keys.js';
import { emailSettingsSchema, saveEmailSettings } from '../src/channels/email/settings.js';
import { testSecretBox } from './secret-key.js';

/** Deps on `store` with the system clock, a silent logger and metrics of their own; the sink is on 127.0.0.1, so private outbound is allowed. */
export function quietDeps(store: Store, config: Config = parseConfig({ QATRA_ALLOW_PRIVATE_OUTBOUND: '1' })): AppDeps {
  return { store, clock: systemClock, signals: defaultSignals(store), secretBox: testSecretBox(), log: pino({ level: 'silent' }), config, metrics: createMetrics() };
}

export interface SinkWorkspace {
  workspaceId: string;
  adminKey: string;
  writeKey: string;
}

/** A workspace named `name` whose email goes over SMTP to 127.0.0.1:`sinkPort` (4 connections). */
export async function sinkWorkspace(deps: AppDeps, name: string, sinkPort: number, options: { tracking?: boolean } = {}): Promise<SinkWorkspace> {
  const ws = await createWorkspace(deps, { name });
  const admin = await createKey(deps, { workspaceId: ws.id, kind: 'admin' });
  const write = await createKey(deps, { workspaceId: ws.id, kind: 'write' });
  await saveEmailSettings(
    deps,
    ws.id,
    emailSettingsSchema.parse({
      provider: 'smtp',
      from: { address: 'news@news.example.com', name },
      postalAddress: '1 Main St, Springfield',
      smtp: { host: '127.0.0.1', port: sinkPort, maxConnections: 4 },
      ...(options.tracking === false ? { tracking: { opens: false, clicks: false } } : {}),
    }),
  );
  return { workspaceId: ws.id, adminKey: admin.secret, writeKey: write.secret };
}
