/**
 * @module For the providers' tests: a tiny provider kind (`sms`/`fake`: a required `url` setting, a
 * required `token` and an optional `password` secret) and an app serving the provider routes over
 * it, built like buildApp (zod, the bounded JSON parser, the one error handler) on a harness's deps.
 */
import Fastify from 'fastify';
import { z } from 'zod';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from '../../api/deps.js';
import type { AppDeps } from '../../core/app-deps.js';
import { installErrorHandler } from '../../api/error-handler.js';
import { installJsonParser } from '../../api/json-body.js';
import type { ProviderKinds } from './kinds.js';
import { providerRoutes } from './routes.js';

export const testKinds: ProviderKinds = {
  sms: {
    fake: {
      settings: z.object({ url: z.string().url(), from: z.string().max(11).optional() }).strict(),
      secrets: z.object({ token: z.string().min(8), password: z.string().optional() }).strict(),
    },
  },
};

export async function providersApp(deps: AppDeps, kinds: ProviderKinds = testKinds): Promise<App> {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);
  installErrorHandler(app, deps.metrics);
  installJsonParser(app);
  providerRoutes(kinds)(app, deps);
  await app.ready();
  return app;
}
