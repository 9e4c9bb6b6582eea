import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

const riyadh = { name: 'Fatima Al-Harbi', lines: ['8228 Imam Ali Rd', 'Al Olaya'], city: 'Riyadh', postcode: '١٢٦٤٣', country: 'sa' };
const stored = { ...riyadh, postcode: '12643', country: 'SA' };

describe.each(backends())('postal addresses on contacts on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => h.app.inject({ method, url, headers: t.admin, ...(payload ? { payload } : {}) });
  const paths = (res: { json(): { error: { issues: { path: string }[] } } }) => res.json().error.issues.map((i) => i.path);
  const byUser = async (userId: string) => (await api('GET', `/api/contacts?userId=${userId}`)).json().data[0];
  const identify = (payload: object) => h.app.inject({ method: 'POST', url: '/v1/identify', headers: { 'content-type': 'application/json', ...t.write }, payload: JSON.stringify(payload) });

  it('the contacts API stores a checked, normalised address and refuses a bad one with its field path, storing nothing', async () => {
    const created = await api('POST', '/api/contacts', { userId: 'pa-1', address: riyadh });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().address).toEqual(stored);
    expect((await byUser('pa-1')).address).toEqual(stored);

    const bad = await api('POST', '/api/contacts', { userId: 'pa-2', address: { ...riyadh, country: 'DE', postcode: '1234' } });
    expect(bad.statusCode).toBe(400);
    expect(paths(bad)).toEqual(['body.address.postcode']);
    expect(await byUser('pa-2')).toBeUndefined();
    const unknown = await api('POST', '/api/contacts', { userId: 'pa-2', address: { ...riyadh, country: 'XQ' } });
    expect(paths(unknown)).toEqual(['body.address.country']);
    const missing = await api('POST', '/api/contacts', { userId: 'pa-2', address: { name: 'X', lines: [''], city: 'Dubai', country: 'AE' } });
    expect(paths(missing).sort()).toEqual(['body.address.lines.0', 'body.address.region']);
  });

  it('PATCH replaces or removes the whole address; a refused patch changes nothing', async () => {
    const id = (await byUser('pa-1')).id as string;
    const bad = await api('PATCH', `/api/contacts/${id}`, { locale: 'ar-SA', address: { ...stored, country: 'US', region: 'XX' } });
    expect(paths(bad)).toEqual(['body.address.region']);
    expect(await byUser('pa-1')).toMatchObject({ locale: null, address: stored });
    const moved = await api('PATCH', `/api/contacts/${id}`, { address: { name: 'Fatima Al-Harbi', lines: ['Heidestraße 17'], city: 'Köln', postcode: '51147', country: 'DE' } });
    expect(moved.json().address).toEqual({ name: 'Fatima Al-Harbi', lines: ['Heidestraße 17'], city: 'Köln', postcode: '51147', country: 'DE' });
    expect((await api('PATCH', `/api/contacts/${id}`, { address: null })).json().address).toBeNull();
  });

  it('identify maps Segment’s address trait (street, city, state, postalCode, country name) and refuses a bad one with traits.address.*', async () => {
    const ok = await identify({
      userId: 'pa-seg',
      traits: { firstName: 'John', lastName: 'Doe', address: { street: '1 Main St\nApt 4', city: 'Springfield', state: 'il', postalCode: 62701, country: 'United States' } },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await byUser('pa-seg')).address).toEqual({ name: 'John Doe', lines: ['1 Main St', 'Apt 4'], city: 'Springfield', region: 'IL', postcode: '62701', country: 'US' });

    const bad = await identify({
      userId: 'pa-seg',
      traits: { name: 'John Doe', plan: 'gold', address: { street: '1 Main St', city: 'Springfield', state: 'IL', postalCode: 'ABCDE', country: 'USA' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('traits.address.postalCode');
    expect(await byUser('pa-seg')).toMatchObject({ address: { postcode: '62701' } });
    expect((await byUser('pa-seg')).attributes.plan).toBeUndefined();
  });

  it('a CSV import reads address.* columns, replaces the address, and fails only the row with a bad one', async () => {
    const csv = [
      'user_id,address.name,address.line1,address.city,address.postcode,address.country,city',
      'pa-imp-1,Maryam Ahmadi,No. 12 Vali-e Asr St,Tehran,۱۹۶۶۷۳۴۵۱۱,IR,Tehran',
      'pa-imp-2,Hans Muster,Heidestraße 17,Köln,,DE,Köln',
      'pa-imp-3,,,,,,Paris',
    ].join('\n');
    const job = await api('POST', '/api/contacts/imports', { fileName: 'a.csv', sizeBytes: Buffer.byteLength(csv) });
    const done = await h.app.inject({ method: 'PUT', url: `/api/contacts/imports/${job.json().id}/file`, headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv });
    expect(done.json()).toMatchObject({ created: 2, failed: 1, failures: [{ line: 3, reason: 'invalid address: address.postcode is required in DE' }] });
    expect(await byUser('pa-imp-1')).toMatchObject({
      address: { name: 'Maryam Ahmadi', lines: ['No. 12 Vali-e Asr St'], city: 'Tehran', postcode: '19667-34511', country: 'IR' },
      attributes: { city: 'Tehran' },
    });
    expect(await byUser('pa-imp-3')).toMatchObject({ address: null, attributes: { city: 'Paris' } });
  });
});
