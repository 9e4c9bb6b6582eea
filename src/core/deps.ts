/**
 * @module The dependencies services take. Passed in explicitly; there are no module-level
 * singletons for the database, the clock, the config or the logger.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Store } from '../store/store.js';
import type { Signals } from '../events/signals.js';

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  /** Where a change's signals go, inside its transaction (src/server/signal-sinks.ts builds them). */
  signals: Signals;
}

export interface LoggedDeps extends ServiceDeps {
  log: Logger;
}
