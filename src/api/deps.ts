/**
 * @module What the HTTP app is built from. Tests build apps with their own store and a manual clock.
 */
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config/config.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import type { Signals } from '../events/signals.js';
import type { SecretBox } from '../secrets/secret-box.js';

export interface AppDeps {
  store: Store;
  clock: Clock;
  signals: Signals;
  secretBox: SecretBox;
  log: Logger;
  config: Config;
  metrics: Metrics;
}

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

/** A domain's HTTP routes: registers them on the app with the dependencies it needs. */
export type RouteModule = (app: App, deps: AppDeps) => void;
