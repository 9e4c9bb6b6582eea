/**
 * @module Worst-case previews for the stall test (render-pool.test.ts) and its measurement
 * (preview-load.measure.ts): templates whose Liquid runs until LiquidJS's render limit (500 ms of
 * CPU a part) or renders a large body, previewed N at a time over real HTTP while /healthz is asked
 * every 20 ms and the event loop's delay is sampled.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { TemplateInput } from './template.js';

const footer = '<p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';

/** Runs until the render limit stops it: each preview costs ~500 ms of CPU and answers 400. */
export const endlessTemplate: TemplateInput = {
  id: 'endless',
  name: 'Endless',
  kind: 'marketing',
  content: { subject: 'Endless', body: `<p>{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}</p>${footer}` },
};

/** Renders ~100 kB of HTML and converts it to text: heavy, but answers 200. */
export const heavyTemplate: TemplateInput = {
  id: 'heavy',
  name: 'Heavy',
  kind: 'marketing',
  content: { subject: 'Heavy', body: `{% render 'heavy-part' %}${footer}` },
};
export const heavyPartial: TemplateInput = {
  id: 'heavy-part',
  name: 'Heavy part',
  kind: 'partial',
  content: { body: '<p>{% for i in (1..1500) %}<span>{{ contact.first_name }} {{ i }}</span> {% endfor %}</p>' },
};

export interface LoadFigures {
  statuses: number[];
  /** Largest event-loop delay seen while the previews ran (ms). */
  loopMaxMs: number;
  loopP99Ms: number;
  /** /healthz round trips while the previews ran (ms). */
  healthzMaxMs: number;
  healthzP50Ms: number;
  healthzCount: number;
  elapsedMs: number;
}

/**
 * `n` previews of `templateId` at once against `baseUrl`, with /healthz polled and the loop watched.
 * With `n` = 0, the same figures for 2 s without previews: the machine's own noise.
 */
export async function loadPreviews(baseUrl: string, adminKey: string, templateId: string, n: number): Promise<LoadFigures> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const health: number[] = [];
  let running = true;
  const poll = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`${baseUrl}/healthz`).then((r) => r.arrayBuffer());
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  loop.enable();
  const started = performance.now();
  const statuses =
    n === 0
      ? (await new Promise((r) => setTimeout(r, 2000)), [])
      : await Promise.all(
          Array.from({ length: n }, () =>
            fetch(`${baseUrl}/api/templates/${templateId}/preview`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: '{}' }).then(
              async (r) => (await r.arrayBuffer(), r.status),
            ),
          ),
        );
  const elapsedMs = performance.now() - started;
  loop.disable();
  running = false;
  await poll;
  const sorted = [...health].sort((a, b) => a - b);
  return {
    statuses,
    loopMaxMs: loop.max / 1e6,
    loopP99Ms: loop.percentile(99) / 1e6,
    healthzMaxMs: sorted.at(-1) ?? 0,
    healthzP50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
    healthzCount: sorted.length,
    elapsedMs,
  };
}
