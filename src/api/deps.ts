/**
 * @module What the HTTP app is built from. Tests build apps with their own store and a manual clock.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../core/app-deps.js';

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

/** A domain's HTTP routes: registers them on the app with the dependencies it needs. */
export type RouteModule = (app: App, deps: AppDeps) => void;
