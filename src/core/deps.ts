/**
 * @module The dependencies services take. Passed in explicitly; there are no module-level
 * singletons for the database, the clock, the config or the logger.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Store } from '../store/store.js';

export interface ServiceDeps {
  store: Store;
  clock: Clock;
}

export interface LoggedDeps extends ServiceDeps {
  log: Logger;
}
