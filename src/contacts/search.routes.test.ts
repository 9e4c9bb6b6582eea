import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { foldSearchText, searchWords } from './search-text.js';

describe.each(backends())('contact search on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let other: Tenant;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    other = await h.tenant();
    const people = [
      { key: 'ahmad-ar', email: 'a.hasan@example.com', attributes: { first_name: 'أحمد', last_name: 'الحسن', plan: 'pro' } },
      { key: 'ahmed-la', email: 'karim@example.org', attributes: { name: 'Ahmed Karim', plan: 'free' } },
      { key: 'sara', email: 'sara.m@mail.example.net', phone: '+966501234567', attributes: { firstName: 'Sara', lastName: 'Mansour', plan: 'pro' } },
      { key: 'zahra', userId: 'user_42', attributes: { name: 'زهرا کریمی', plan: 'pro' } },
      { key: 'pct', email: 'percent@example.com', attributes: { name: '100% Sure_Thing' } },
    ];
    for (const p of people) {
      const { key, ...body } = p;
      const res = await h.app.inject({ method: 'POST', url: '/api/contacts', headers: t.admin, payload: body });
      expect(res.statusCode).toBe(201);
      ids.set(key, res.json().id);
    }
    // Another workspace's Ahmed is never found.
    await h.app.inject({ method: 'POST', url: '/api/contacts', headers: other.admin, payload: { email: 'ahmed@other.example', attributes: { name: 'Ahmed Other' } } });
  });
  afterAll(async () => h?.close());

  const search = async (query: string, tenant = t) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/contacts/search?${query}`, headers: tenant.admin });
    return res;
  };
  const found = async (query: string) => {
    const res = await search(query);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    return { keys: body.data.map((c: { id: string }) => [...ids].find(([, id]) => id === c.id)?.[0]).sort(), total: body.total };
  };

  it('finds an Arabic name with and without hamza and harakat, and a Latin name in any case', async () => {
    expect(await found(`q=${encodeURIComponent('أحمد')}`)).toEqual({ keys: ['ahmad-ar'], total: 1 });
    expect(await found(`q=${encodeURIComponent('احمد')}`)).toEqual({ keys: ['ahmad-ar'], total: 1 });
    expect(await found(`q=${encodeURIComponent('أَحْمَد الحسن')}`)).toEqual({ keys: ['ahmad-ar'], total: 1 });
    expect(await found('q=ahmed')).toEqual({ keys: ['ahmed-la'], total: 1 });
    expect(await found('q=AHMED%20karim')).toEqual({ keys: ['ahmed-la'], total: 1 });
    // Persian yeh and keheh typed with Arabic letters (and the other way round) still match.
    expect(await found(`q=${encodeURIComponent('كريمي')}`)).toEqual({ keys: ['zahra'], total: 1 });
    expect(await found('q=mansour')).toEqual({ keys: ['sara'], total: 1 });
  });

  it('finds part of an email, a phone typed with spaces and a trunk zero, and a user id', async () => {
    expect(await found('q=hasan%40exam')).toEqual({ keys: ['ahmad-ar'], total: 1 });
    expect(await found('q=example.org')).toEqual({ keys: ['ahmed-la'], total: 1 });
    expect(await found(`q=${encodeURIComponent('050 123-4567')}`)).toEqual({ keys: ['sara'], total: 1 });
    expect(await found(`q=${encodeURIComponent('+966 50 123 4567')}`)).toEqual({ keys: ['sara'], total: 1 });
    expect(await found('q=user_42')).toEqual({ keys: ['zahra'], total: 1 });
  });

  it('treats % and _ as themselves, not as wildcards', async () => {
    expect(await found('q=100%25')).toEqual({ keys: ['pct'], total: 1 });
    expect(await found('q=e_t')).toEqual({ keys: ['pct'], total: 1 });
    expect((await found('q=%25%25%25')).total).toBe(0);
  });

  it('combines words with attribute, list and segment filters and counts all matches', async () => {
    expect(await found('attr.plan=pro')).toEqual({ keys: ['ahmad-ar', 'sara', 'zahra'], total: 3 });
    expect(await found('q=example&attr.plan=pro')).toEqual({ keys: ['ahmad-ar', 'sara'], total: 2 });
    const seg = await h.app.inject({ method: 'POST', url: '/api/segments', headers: t.admin, payload: { name: 'Has phone', conditions: { type: 'attribute', attribute: 'phone', op: 'exists' } } });
    expect(seg.statusCode, seg.body).toBe(201);
    expect(await found(`segmentId=${seg.json().id}`)).toEqual({ keys: ['sara'], total: 1 });
    expect(await found(`segmentId=${seg.json().id}&q=ahmed`)).toEqual({ keys: [], total: 0 });
    const list = await h.app.inject({ method: 'POST', url: '/api/lists', headers: t.admin, payload: { name: 'News' } });
    const listId = list.json().id;
    await h.app.inject({ method: 'POST', url: `/api/lists/${listId}/members`, headers: t.admin, payload: { contactIds: [ids.get('zahra')] } });
    expect(await found(`listId=${listId}`)).toEqual({ keys: ['zahra'], total: 1 });
  });

  it('pages in id order with a stable total, and every contact exactly once', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const res = await search(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const body = res.json();
      expect(body.total).toBe(5);
      seen.push(...body.data.map((c: { id: string }) => c.id));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(seen).toEqual([...ids.values()].sort());
  });

  it("never shows another workspace's contacts; refuses bad input with its path", async () => {
    expect((await search('q=ahmed', other)).json()).toMatchObject({ total: 1, data: [{ email: 'ahmed@other.example' }] });
    const bad = await search('limit=0&foo=1');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['querystring.foo', 'querystring.limit']);
    expect((await search('segmentId=seg_nope')).statusCode).toBe(404);
    expect((await search('cursor=garbage')).statusCode).toBe(400);
  });
});

describe('search words', () => {
  it('folds Arabic and Persian variants the way migration 000040 does', () => {
    expect(foldSearchText('إِسْلام آمنة یاسمین')).toBe('اسلام امنه ياسمين');
    expect(searchWords('  Ahmed   KARIM ')).toEqual(['ahmed', 'karim']);
    expect(searchWords('(050) 123-4567')).toEqual(['501234567']);
    expect(searchWords('12')).toEqual(['12']);
  });
});
