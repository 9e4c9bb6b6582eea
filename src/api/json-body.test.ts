import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { MAX_JSON_ARRAY_ITEMS, illFormedPath, jsonShape, longArrayPath } from './json-body.js';

describe('the JSON body scan', () => {
  it('measures nesting and the longest array outside strings', () => {
    expect(jsonShape('{"a":[1,2,3],"b":{"c":[[4,5],[6]]}}')).toEqual({ depth: 4, longestArray: 3 });
    expect(jsonShape('{"a":"[1,2,3,4,5]","b":[1,{"x":1,"y":2,"z":3}]}')).toEqual({ depth: 3, longestArray: 2 });
    expect(jsonShape('["\\"",",",","]')).toEqual({ depth: 1, longestArray: 3 });
    expect(jsonShape(`[${new Array(12_000).fill(0).join(',')}]`).longestArray).toBe(12_000);
  });

  it('finds the path of a lone surrogate and of an over-long array, and nothing in well-formed documents', () => {
    expect(illFormedPath({ a: [{ b: 'ok' }, { c: 'x\ud800' }] })).toBe('body.a.1.c');
    expect(illFormedPath({ ['k\udfff']: 1 })).toBe('body.k\ufffd');
    expect(illFormedPath({ a: '\ud83d\ude00', b: ['é', 1, null] })).toBeNull();
    expect(longArrayPath({ a: { b: new Array(11) } }, 10)).toBe('body.a.b');
    expect(longArrayPath({ a: { b: new Array(10) } }, 10)).toBeNull();
  });
});

describe.each(backends())('the JSON body parser on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const post = (url: string, payload: string, headers: Record<string, string>) => h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });

  it(`refuses an array of more than ${MAX_JSON_ARRAY_ITEMS} items with a 400 naming it, before any validation (300,000 zeros took ~20 s on /api/journeys)`, async () => {
    const started = performance.now();
    const journey = await post('/api/journeys', `{"id":"j","nodes":[${new Array(300_000).fill(0).join(',')}]}`, t.admin);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(journey.statusCode, journey.body).toBe(400);
    expect(journey.json().error.issues).toEqual([{ path: 'body.nodes', message: `an array of more than ${MAX_JSON_ARRAY_ITEMS} items` }]);
    const track = await post('/v1/track', `{"userId":"u","event":"e","properties":{"ids":[${new Array(MAX_JSON_ARRAY_ITEMS + 1).fill(0).join(',')}]}}`, t.write);
    expect(track.statusCode, track.body).toBe(400);
    expect(track.json().error.issues[0].path).toBe('body.properties.ids');
    const fits = await post('/v1/track', `{"userId":"u","event":"e","properties":{"ids":[${new Array(MAX_JSON_ARRAY_ITEMS).fill(0).join(',')}]}}`, t.write);
    expect(fits.statusCode, fits.body).toBe(200);
  });
});
