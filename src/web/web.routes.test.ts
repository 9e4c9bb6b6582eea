import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { webAppRoutes } from './web.routes.js';
import type { App } from '../api/deps.js';
import type { AppDeps } from '../core/app-deps.js';

describe('the web app at /app', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qatra-web-'));
  let app: App;
  beforeAll(async () => {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dir, 'assets', 'main-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg/>');
    app = Fastify() as unknown as App;
    webAppRoutes(dir)(app, {} as AppDeps);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html for the app and for its own routes, with a CSP', async () => {
    for (const url of ['/app', '/app/', '/app/journeys/welcome']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('id="root"');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('sends visitors of / to the app', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/app/');
  });

  it('serves hashed assets with long caching and the right type', async () => {
    const res = await app.inject({ url: '/app/assets/main-abc123.js' });
    expect(res.body).toBe('console.log(1)');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/app/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
  });

  it('never serves files outside the build directory', async () => {
    writeFileSync(path.join(path.dirname(dir), 'secret-qatra.txt'), 'T0P-CONTENT');
    for (const url of ['/app/../secret-qatra.txt', '/app/%2e%2e/secret-qatra.txt', '/app/..%2fsecret-qatra.txt']) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain('T0P-CONTENT');
    }
  });

  it('says how to build when the app is not built', async () => {
    const bare = Fastify() as unknown as App;
    webAppRoutes(path.join(dir, 'missing'))(bare, {} as AppDeps);
    const res = await bare.inject({ url: '/app' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await bare.close();
  });
});
