/**
 * A viewer cannot stall the server with previews: renders run on the pool's worker threads, a render
 * past the timeout is stopped by terminating its thread, and a workspace gets at most 4 previews in
 * flight (429 beyond). Measured over real HTTP with parallel worst-case previews: before the pool,
 * 10 previews of `endlessTemplate` held the event loop for ~5 s (/healthz ~5 s); one such render
 * alone holds it for LiquidJS's 500 ms render limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { saveTemplates } from './service.js';
import { createRenderPool } from './render-pool.js';
import { compileBodies } from './compile.js';
import type { RenderJob } from './render-job.js';
import { endlessTemplate, heavyPartial, heavyTemplate, loadPreviews } from './preview-load.testkit.js';

const job = (body: string): RenderJob => ({
  templateId: 't',
  partialsKey: 'ws|',
  partials: {},
  globals: { contact: { first_name: 'Sam' } },
  subject: 'Hi {{ contact.first_name }}',
  preheader: '',
  body,
});

describe('the render pool', () => {
  it('renders on a thread; a render past the timeout is stopped and the next one gets a fresh thread', async () => {
    const pool = createRenderPool({ size: 1, timeoutMs: 300 });
    try {
      expect(await pool.render('ws', job('<p>Hello {{ contact.first_name }}</p>'))).toMatchObject({ subject: 'Hi Sam', html: '<p>Hello Sam</p>', text: 'Hello Sam' });
      const started = performance.now();
      const stopped = await pool.render('ws', job('{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}')).catch((e: unknown) => e);
      expect(stopped).toBeInstanceOf(ValidationError);
      expect((stopped as Error).message).toMatch(/longer than 300 ms/);
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await pool.render('ws', job('<p>again {{ contact.first_name }}</p>'))).html).toBe('<p>again Sam</p>');
    } finally {
      await pool.close();
    }
  });

  it("a template's own error comes back as the same ValidationError as inline (400 with the part), and a workspace past its limit gets 429", async () => {
    const pool = createRenderPool({ size: 1, perWorkspace: 2 });
    try {
      const bad = await pool.render('ws', job('{% render "missing" %}')).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ValidationError);
      expect((bad as ValidationError).issues[0]!.path).toBe('body');
      const three = await Promise.allSettled([1, 2, 3].map(() => pool.render('ws', job('<p>x</p>'))));
      expect(three.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect(((three[2] as PromiseRejectedResult).reason as Error).constructor.name).toBe('TooManyRequestsError');
      expect((await pool.render('other-ws', job('<p>y</p>'))).html).toBe('<p>y</p>');
    } finally {
      await pool.close();
    }
  });
});

describe('MJML compiles for saves on the pool', () => {
  it('give the same compiled bodies and issues as compiling on the event loop', async () => {
    const pool = createRenderPool({ size: 1 });
    try {
      const content = {
        subject: 'Hi',
        format: 'mjml' as const,
        body: '<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{ contact.first_name }}</mj-text><mj-bogus /></mj-column></mj-section></mj-body></mjml>',
      };
      const onPool = await pool.compileFor('ws')('marketing', 'email', content, null);
      expect(onPool).toEqual(await compileBodies('marketing', 'email', content, null));
      expect(onPool.compiled.html['']).toContain('Hello {{ contact.first_name }}');
    } finally {
      await pool.close();
    }
  });
});

describe.each(backends())('parallel worst-case previews over HTTP on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let url: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await saveTemplates(h.deps, t.workspaceId, [heavyPartial, heavyTemplate, endlessTemplate], 'upsert');
    url = (await h.app.listen({ host: '127.0.0.1', port: 0 })).replace('[::1]', '127.0.0.1');
    // Start the thread before measuring (under vitest it loads TypeScript through tsx, seconds on a busy box).
    await fetch(`${url}/api/templates/heavy/preview`, { method: 'POST', headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' }, body: '{}' });
  });
  afterAll(async () => h?.close());

  it('10 at once never hold the event loop or /healthz anywhere near one render (500 ms): the renders run on threads', async () => {
    const f = await loadPreviews(url, t.adminKey, 'endless', 10);
    // On an idle box the figures are a few ms; this one is shared and its own noise reaches ~130 ms.
    expect(f.loopMaxMs).toBeLessThan(450);
    expect(f.healthzMaxMs).toBeLessThan(450);
    expect(f.healthzCount).toBeGreaterThan(5);
    // Each admitted preview hits the render limit (400); past 4 in flight the workspace gets 429.
    expect(f.statuses.every((s) => s === 400 || s === 429)).toBe(true);
    expect(f.statuses).toContain(429);
  });

  it('heavy previews that succeed still answer 200 with their body, and the loop stays free', async () => {
    const f = await loadPreviews(url, t.adminKey, 'heavy', 4);
    expect(f.statuses).toEqual([200, 200, 200, 200]);
    expect(f.loopMaxMs).toBeLessThan(450);
  });
});
