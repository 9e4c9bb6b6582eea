import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { spawnCli } from '../../test/process.js';

describe.each(backends())('qatra start on %s', (kind) => {
  let env: Record<string, string>;
  let pgDb: TestDatabase | undefined;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-start-'));
    env = { PORT: '0', HOST: '127.0.0.1', QATRA_DATA_DIR: dataDir };
    if (kind === 'postgres') {
      // An empty database: the server must migrate it itself.
      pgDb = await freshDatabase('postgres');
      await pgDb.store.close();
      const url = new URL(pgDb.url);
      env.DATABASE_URL = url.toString();
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      await c.end();
    }
  });
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (pgDb) {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: process.env.QATRA_TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${new URL(pgDb.url).pathname.slice(1)} WITH (FORCE)`);
      await c.end();
    }
  });

  // A first start applies every migration and builds every route: on a loaded machine that passed 20 s.
  it('first start migrates, prints the keys once, serves the API, and stops cleanly on SIGTERM', async () => {
    const first = spawnCli(['start'], env);
    const [, url] = await first.waitFor(/listening on (http:\/\/localhost:\d+)/, 60_000);
    const [, adminKey] = await first.waitFor(/admin API key: (qa_\S+)/);
    await first.waitFor(/write key:\s+(qw_\S+)/);
    expect(first.output()).toMatch(kind === 'sqlite' ? /Data directory: / : /Database: postgres/);
    // The default public URL (http://localhost:PORT) is this machine: no https warning.
    expect(first.output()).not.toMatch(/QATRA_PUBLIC_URL/);
    if (kind === 'sqlite') expect(fs.existsSync(path.join(dataDir, 'qatra.db'))).toBe(true);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const openapi = await fetch(`${url}/api/openapi.json`);
    expect((await openapi.json()).openapi).toMatch(/^3\./);
    // The printed admin key works (it is stored hashed, not in clear).
    const keys = await fetch(`${url}/api/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(keys.status).toBe(200);
    expect(JSON.stringify(await keys.json())).not.toContain(adminKey);

    first.proc.kill('SIGTERM');
    expect(await first.exited()).toEqual({ code: 0, signal: null });

    const second = spawnCli(['start'], env);
    await second.waitFor(/listening on/, 60_000);
    expect(second.output()).not.toMatch(/admin API key/);
    second.proc.kill('SIGTERM');
    expect((await second.exited()).code).toBe(0);
  }, 150_000);

  it("QATRA_METRICS_PORT moves the API's /metrics to its own port; QATRA_METRICS_TOKEN guards it", async () => {
    const server = spawnCli(['start'], { ...env, QATRA_METRICS_PORT: '0', QATRA_METRICS_TOKEN: 'scrape-secret' });
    // A generous wait: on a loaded machine tsx alone can take 20 s to start the CLI.
    const [, url] = await server.waitFor(/listening on (http:\/\/localhost:\d+)/, 50_000);
    const [, metricsUrl] = await server.waitFor(/Metrics on (http:\/\/localhost:\d+)\/metrics/);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } })).status).toBe(404);
    const refused = await fetch(`${metricsUrl}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${metricsUrl}/metrics`, { headers: { authorization: 'Bearer scrape-secreT' } })).status).toBe(401);
    const scraped = await fetch(`${metricsUrl}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
    expect(scraped.status).toBe(200);
    // The backlog gauges come along to the metrics port.
    expect(await scraped.text()).toContain('qatra_journey_runs_due');
    server.proc.kill('SIGTERM');
    expect((await server.exited()).code).toBe(0);
  }, 90_000);

  it('a worker serves its own counters at /metrics and its health at /healthz on QATRA_WORKER_METRICS_PORT', async () => {
    const worker = spawnCli(['worker'], { ...env, QATRA_WORKER_METRICS_PORT: '0', QATRA_WORKER_POLL_MS: '20' });
    const [, url] = await worker.waitFor(/Worker metrics on (http:\/\/localhost:\d+)\/metrics/);
    // Ticks are observed per task as the worker polls; wait until one has been recorded.
    let body = '';
    for (let i = 0; i < 100 && !/qatra_worker_tick_duration_seconds_count\{task="[^"]+"\} [1-9]/.test(body); i++) {
      await new Promise((r) => setTimeout(r, 50));
      body = await (await fetch(`${url}/metrics`)).text();
    }
    expect(body).toMatch(/qatra_worker_tick_duration_seconds_count\{task="[^"]+"\} [1-9]/);
    expect(body).toContain('qatra_process_cpu_seconds_total');
    // The backlog gauges are the API's: the same for every process.
    expect(body).not.toContain('qatra_journey_runs_due');
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: kind });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    worker.proc.kill('SIGTERM');
    expect((await worker.exited()).code).toBe(0);
  }, 60_000);
});
