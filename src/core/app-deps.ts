/**
 * @module Everything a running Qatra process is built from (`qatra start`, the worker, the CLI, the
 * test harness): the HTTP app, the worker's tasks and the services they call take it or a part of it
 * (src/core/deps.ts). In core/ because services and tasks must not import the HTTP layer.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from '../config/config.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import type { Signals } from '../events/signals.js';
import type { SecretBox } from '../secrets/secret-box.js';

export interface AppDeps {
  store: Store;
  clock: Clock;
  signals: Signals;
  /** Seals and opens provider secrets (src/secrets/). */
  secretBox: SecretBox;
  log: Logger;
  config: Config;
  metrics: Metrics;
}
