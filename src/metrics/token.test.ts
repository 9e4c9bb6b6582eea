import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { serveWorkerMetrics, type MetricsServer } from './serve.js';
import { metricsAuthorized } from './token.js';

describe('the metrics token', () => {
  it('accepts exactly `Bearer TOKEN` (any case of the scheme) and everything when no token is set', () => {
    expect(metricsAuthorized(undefined, undefined)).toBe(true);
    expect(metricsAuthorized('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(metricsAuthorized('bearer s3cret-token', 's3cret-token')).toBe(true);
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Bearer s3cret', 'Bearer s3cret-token2', 'Basic s3cret-token', 's3cret-token']) {
      expect(metricsAuthorized(header, 's3cret-token'), String(header)).toBe(false);
    }
  });
});

describe.each(backends())('/metrics behind QATRA_METRICS_TOKEN on %s', (kind) => {
  let h: Harness;
  let worker: MetricsServer;
  beforeAll(async () => {
    h = await createHarness(kind, { metricsToken: 'scrape-secret' });
    worker = await serveWorkerMetrics(h.deps, 0, '127.0.0.1', { token: 'scrape-secret' });
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  it('the API answers 401 without the bearer token or with a wrong one, and the metrics with it', async () => {
    const none = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.body).not.toContain('qatra_http_requests_total');
    expect((await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secreT' } })).statusCode).toBe(401);
    const ok = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('qatra_http_requests_total');
    // Health stays open for load balancers.
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it("a worker's metrics port asks for the same token", async () => {
    const base = `http://127.0.0.1:${worker.port}`;
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('with QATRA_METRICS_PORT the API port serves no /metrics', async () => {
    const other = await createHarness(kind, { metricsPort: 0 });
    try {
      expect((await other.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await other.close();
    }
  });
});
