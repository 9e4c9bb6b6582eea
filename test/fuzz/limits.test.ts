/**
 * Work a request can cause is bounded: a template that loops for ever, allocates without end or
 * renders megabytes is refused with a 4xx within a bounded time, and request bodies past the limit
 * are refused before they are read to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../harness.js';

describe('bounded requests', () => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const template = (id: string, body: string) => ({ id, name: id, kind: 'transactional', content: { subject: 'S', body } });

  it('a runaway template render (endless loop, huge output, memory bomb) is a 4xx within seconds', async () => {
    const bodies = {
      loop: '{% for i in (1..100000000) %}{% for j in (1..100000000) %}{% endfor %}{% endfor %}',
      output: '{% for i in (1..100000) %}' + 'x'.repeat(1000) + '{% endfor %}',
      memory: '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
    };
    for (const [name, body] of Object.entries(bodies)) {
      const started = Date.now();
      const saved = await h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload: template(`runaway-${name}`, body) });
      const res = saved.statusCode >= 400 ? saved : await h.app.inject({ method: 'POST', url: `/api/templates/runaway-${name}/preview`, headers: t.admin, payload: {} });
      const ms = Date.now() - started;
      expect(res.statusCode, `${name}: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, name).toBeLessThan(500);
      expect(ms, name).toBeLessThan(5_000);
    }
  });

  it('bodies past the limit are a 400 on management, ingestion and public endpoints', async () => {
    const cases: Array<[string, object, number]> = [
      ['/api/contacts', t.admin, 1024 * 1024 + 10],
      ['/v1/track', t.write, 32 * 1024 + 10],
      ['/v1/batch', t.write, 500 * 1024 + 10],
    ];
    for (const [url, headers, size] of cases) {
      const payload = JSON.stringify({ userId: 'u', event: 'e', properties: { pad: 'x'.repeat(size) } });
      const res = await h.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toBe('payload_too_large');
    }
    expect(await h.deps.store.db.selectFrom('events').select('id').execute()).toEqual([]);
  });
});
