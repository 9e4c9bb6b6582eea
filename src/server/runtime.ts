/**
 * @module Start-up shared by `qatra start` (API + worker) and `qatra worker` (worker only): open the
 * store the config names, migrate it, and assemble the dependencies (with this runtime's signal sinks).
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock } from '../core/clock.js';
import type { Config } from '../config/config.js';
import { createMetrics } from '../metrics/metrics.js';
import { openStore } from '../store/store.js';
import { migrate } from '../store/migrate.js';
import type { AppDeps } from '../core/app-deps.js';
import { defaultSignals } from './signal-sinks.js';
import { createSecretBox } from '../secrets/secret-box.js';
import { resolveSecretKeys } from '../secrets/key.js';
import { resealStoredSecrets } from '../secrets/reseal.js';

export function sqliteFile(config: Config): string {
  return path.join(config.dataDir, 'qatra.db');
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: ['req.headers.authorization', '*.secret', '*.password'] });
}

export async function openRuntime(config: Config, log: Logger = createLogger(config)): Promise<AppDeps & { migrations: string[] }> {
  // Before the store opens: PostgreSQL without QATRA_SECRET_KEY is refused (src/secrets/key.ts).
  const secretBox = createSecretBox(resolveSecretKeys(config));
  const store = openStore({ databaseUrl: config.databaseUrl, sqliteFile: sqliteFile(config), pgPoolMax: config.pgPoolMax });
  const migrations = await migrate(store);
  // Seals what is still plain or under the previous key; a secret this key cannot open stops the start here.
  const resealed = await resealStoredSecrets({ store, secretBox }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  if (resealed.emailProviders || resealed.channelProviders) log.info({ ...resealed, keyId: secretBox.keyId }, 'sealed stored provider secrets under the current key');
  return { store, clock: systemClock, signals: defaultSignals(store), secretBox, log, config, metrics: createMetrics(), migrations };
}
