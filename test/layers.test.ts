import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importEdges } from '../scripts/cycles.js';

/** The layer rule of docs/architecture.md, checked on the import graph of src/ (type imports included). */
describe('layers point one way', () => {
  const edges = importEdges(resolve('src')).filter((e) => !/\.(test|testkit|measure)\.ts$|test-kit\.ts$/.test(e.from));

  it('only the HTTP layer imports src/api: route modules, their schemas and the server that starts them', () => {
    const http = (f: string) => f.startsWith('src/api/') || /\.routes\.ts$|(^|\/)routes\.ts$|(^|\/)schemas\.ts$/.test(f) || f === 'src/server/start.ts';
    expect(edges.filter((e) => e.to.startsWith('src/api/') && !http(e.from)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('broadcasts, scoring, contacts and events do not reach into the journey runtime', () => {
    const outside = /^src\/(broadcasts|scoring|contacts|events|segments|guards|conditions|core)\//;
    expect(edges.filter((e) => outside.test(e.from) && e.to.startsWith('src/journeys/runtime/')).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('store/schema.ts only aggregates: no table is defined there', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(await readFile('src/store/schema.ts', 'utf8')).not.toMatch(/export interface \w+Table\b/);
  });
});
