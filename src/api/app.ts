/**
 * @module Builds the Fastify app: zod validation, OpenAPI from the same schemas, one error handler,
 * request metrics, and every domain's routes (listed in ./routes.ts).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from './deps.js';
import type { AppDeps } from '../core/app-deps.js';
import { installErrorHandler, toHttp } from './error-handler.js';
import { installJsonParser } from './json-body.js';
import { installSecurityHeaders } from './security-headers.js';
import { routeModules } from './routes.js';

/** Default request body bound; ingestion routes set Segment's own limits per route. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Fastify's form of QATRA_TRUST_PROXY: a hop count becomes "trust the first n hops" (proxy-addr's rule). */
function trustedProxies(setting: number | string[] | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (setting === undefined) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request log lines would dominate ingestion; requests are counted in /metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // We answer with our own ids in bodies; no need for Fastify's request-id header echo.
    requestIdHeader: false,
    // Client IPs (sign-in and form limits) from X-Forwarded-For only through the proxies the
    // operator named (QATRA_TRUST_PROXY); by default the socket's address.
    trustProxy: trustedProxies(deps.config.trustProxy),
    // Errors Fastify raises before routing (a URL that is not valid percent-encoding, …) get the
    // same error body as every other refusal.
    frameworkErrors: (err, _request, reply) => {
      const { status, body } = toHttp(err);
      void (reply as FastifyReply).status(status).send(body);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);
  installErrorHandler(app, deps.metrics);
  installJsonParser(app);
  installSecurityHeaders(app);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Qatra API',
        version: '0.1.0',
        description:
          'Segment-compatible ingestion under /v1 (write key) and the management API under /api (admin key). ' +
          'Authenticate with HTTP Basic (the key as user name, empty password) or `Authorization: Bearer KEY`.',
      },
      components: {
        securitySchemes: {
          basicKey: { type: 'http', scheme: 'basic', description: 'API key as the user name, empty password' },
          bearerKey: { type: 'http', scheme: 'bearer', description: 'API key as a bearer token' },
        },
      },
      security: [{ basicKey: [] }, { bearerKey: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas given an id (`.meta({ id })`, zod's global registry) are referenced as `$ref`s by the
    // per-route transform; this fills components.schemas with them (`X` as answered, `XInput` as sent).
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  for (const register of routeModules) register(app, deps);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
