/**
 * @module What the ESP test servers share: a real `http.createServer` on 127.0.0.1 that records
 * every request (method, path, headers, body as text) and answers what the ESP's handler says, or
 * holds the answer for ever (`hang`: the provider's timeout is what ends it) or drops the connection;
 * a POST helper for the webhooks the fakes send back; and the Qatra side: an app with only the ESP
 * webhook routes (and the app's one error handler), listening on 127.0.0.1 so the fakes call it over
 * real HTTP, with the SNS trust a test chooses.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../../../core/app-deps.js';
import { installErrorHandler } from '../../../../api/error-handler.js';
import type { App } from '../../../../api/deps.js';
import { espHookRoutes, type EspHookOptions } from './routes.js';

export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type FakeAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'drop';

export interface FakeServer {
  baseUrl: string;
  host: string;
  received: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(handle: (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>): Promise<FakeServer> {
  const received: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: FakeRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      void Promise.resolve(handle(request)).then((answer) => {
        if (answer === 'hang') return;
        if (answer === 'drop') return req.socket.destroy();
        res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
        res.end(answer.body ?? '');
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    received,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer => ({ status, headers, body: JSON.stringify(body) });

/** POSTs a webhook the way an ESP does; answers the status and body. */
export async function postHook(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** Qatra's ESP webhook routes on a real port of 127.0.0.1, with the app's error handler. */
export async function startHookApp(deps: AppDeps, options: EspHookOptions = {}): Promise<{ url(kind: string, workspaceId: string): string; app: App; close(): Promise<void> }> {
  const app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as App;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, deps.metrics);
  espHookRoutes(options)(app, deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: (kind, workspaceId) => `http://127.0.0.1:${port}/hooks/email/${kind}/${workspaceId}`, close: () => app.close() };
}
