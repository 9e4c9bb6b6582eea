import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { ownerSetupLink } from '../users/owner.js';
import { getImport, runImport, STALLED_AFTER_MS } from './import-jobs.js';

const PASSWORD = 'correct horse battery';

describe.each(backends())('contact imports API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const start = (payload: object, headers: Record<string, string> = t.admin) => h.app.inject({ method: 'POST', url: '/api/contacts/imports', headers, payload });
  const upload = (id: string, body: string, headers: Record<string, string> = t.admin) =>
    h.app.inject({ method: 'PUT', url: `/api/contacts/imports/${id}/file`, headers: { ...headers, 'content-type': 'text/csv' }, payload: body });
  const contactBy = async (userId: string) => (await h.app.inject({ method: 'GET', url: `/api/contacts?userId=${userId}`, headers: t.admin })).json().data[0];

  it('imports the good rows, reports the bad one with its line, and keeps the counts on the job', async () => {
    const csv = 'user_id,email,plan,score:number\nimp-1,imp1@example.com,pro,5\nimp-2,not-an-email,free,1\n\nimp-3,imp3@example.com,free,x\nimp-4,IMP4@example.com,,7\n';
    const created = await start({ fileName: 'people.csv', sizeBytes: Buffer.byteLength(csv) });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ status: 'waiting', fileName: 'people.csv', bytesRead: 0, rows: 0 });
    const id = created.json().id as string;
    const done = await upload(id, csv);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'completed',
      rows: 4,
      created: 2,
      failed: 2,
      bytesRead: Buffer.byteLength(csv),
      sizeBytes: Buffer.byteLength(csv),
      failures: [
        { line: 3, reason: 'invalid email "not-an-email": must contain exactly one @, like name@example.com' },
        { line: 5, reason: 'score: "x" is not a number' },
      ],
      error: null,
      finishedAt: h.clock.now(),
    });
    expect(await contactBy('imp-1')).toMatchObject({ email: 'imp1@example.com', attributes: { plan: 'pro', score: 5 } });
    expect(await contactBy('imp-4')).toMatchObject({ email: 'imp4@example.com', attributes: { score: 7 } });
    expect(await contactBy('imp-2')).toBeUndefined();
    expect((await h.app.inject({ method: 'GET', url: `/api/contacts/imports/${id}`, headers: t.admin })).json()).toEqual(done.json());
    const again = await upload(id, csv);
    expect(again.statusCode).toBe(409);
  });

  it("takes the CLI's column mapping: map, ignore, types and a list", async () => {
    const list = await h.app.inject({ method: 'POST', url: '/api/lists', headers: t.admin, payload: { name: 'Imported' } });
    expect(list.statusCode).toBe(201);
    const csv = 'Customer ID,E-mail,Notes,vip,born\nmap-1,map1@example.com,secret,yes,1990-02-03\n';
    const created = await start({ fileName: 'crm.csv', map: { 'Customer ID': 'userId', 'E-mail': 'email' }, ignore: ['Notes'], types: { vip: 'boolean', born: 'date' }, list: 'Imported' });
    expect(created.json()).toMatchObject({ listId: list.json().id, options: { map: { 'Customer ID': 'userId' }, ignore: ['Notes'], types: { vip: 'boolean' } } });
    expect((await upload(created.json().id, csv)).json()).toMatchObject({ status: 'completed', created: 1, failed: 0 });
    const c = await contactBy('map-1');
    expect(c).toMatchObject({ email: 'map1@example.com', attributes: { vip: true, born: '1990-02-03' } });
    expect(c.attributes).not.toHaveProperty('Notes');
    const lists = (await h.app.inject({ method: 'GET', url: `/api/contacts/${c.id}/lists`, headers: t.admin })).json();
    expect(lists.data.map((m: { listId: string; status: string }) => [m.listId, m.status])).toEqual([[list.json().id, 'subscribed']]);
  });

  it('refuses bad options with their path, and a header without userId or email fails the job with a 400', async () => {
    const bad = await start({ fileName: 'x.csv', types: { a: 'money' }, list: 'No such list' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.types.a']);
    const noList = await start({ fileName: 'x.csv', list: 'No such list' });
    expect(noList.statusCode).toBe(400);
    expect(noList.json().error.issues[0].path).toBe('list');
    const job = (await start({ fileName: 'x.csv', map: { Nope: 'email' } })).json();
    const res = await upload(job.id, 'name,city\nSara,Riyadh\n');
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['file.header', 'map']);
    const after = (await h.app.inject({ method: 'GET', url: `/api/contacts/imports/${job.id}`, headers: t.admin })).json();
    expect(after).toMatchObject({ status: 'failed', error: expect.stringMatching(/no column "Nope"/) });
  });

  it('an email cell must be one mailbox: a list or a display name is reported with its line; an IDN domain is stored as punycode', async () => {
    const csv = 'user_id,email\nmb-1,"a@example.net, victim@example.net"\nmb-2,Victim <victim@example.net>\nmb-3,Anna@Müller.de\n';
    const id = (await start({ fileName: 'mailboxes.csv', sizeBytes: Buffer.byteLength(csv) })).json().id as string;
    const done = await upload(id, csv);
    expect(done.json()).toMatchObject({
      status: 'completed',
      created: 1,
      failed: 2,
      failures: [
        { line: 2, reason: 'invalid email "a@example.net, victim@example.net": must be one address, not a list' },
        { line: 3, reason: expect.stringMatching(/^invalid email "Victim <victim@example.net>": must be a bare address/) },
      ],
    });
    expect(await contactBy('mb-1')).toBeUndefined();
    expect((await contactBy('mb-3')).email).toBe('anna@xn--mller-kva.de');
  });

  it('records progress after every batch while the file is still arriving', async () => {
    const job = (await start({ fileName: 'big.csv' })).json();
    const lines = ['user_id,email'];
    for (let i = 0; i < 1200; i++) lines.push(`big-${i},${i === 700 ? 'bad' : `big${i}@example.com`}`);
    const text = lines.join('\n') + '\n';
    const half = text.indexOf('\n', Math.floor(text.length * 0.7)) + 1;
    // The upload: the first 70 % of the file, then a pause until we have looked at the job.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* body() {
      yield Buffer.from(text.slice(0, half));
      await gate;
      yield Buffer.from(text.slice(half));
    }
    const running = runImport(h.deps, t.workspaceId, job.id, Readable.from(body()));
    let seen = await getImport(h.deps, t.workspaceId, job.id);
    for (let i = 0; i < 200 && seen.rows < 500; i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = await getImport(h.deps, t.workspaceId, job.id);
    }
    expect(seen).toMatchObject({ status: 'running', rows: 500, created: 500, bytesRead: half });
    release();
    const done = await running;
    expect(done).toMatchObject({
      status: 'completed',
      rows: 1200,
      created: 1199,
      failed: 1,
      failures: [{ line: 702, reason: 'invalid email "bad": must contain exactly one @, like name@example.com' }],
      bytesRead: text.length,
    });
  });

  it('an upload that breaks off fails the job but keeps the batches already written', async () => {
    const job = (await start({ fileName: 'cut.csv' })).json();
    const lines = ['user_id,email'];
    for (let i = 0; i < 600; i++) lines.push(`cut-${i},cut${i}@example.com`);
    async function* body() {
      yield Buffer.from(lines.join('\n') + '\n');
      // The connection drops once the first batch is committed.
      for (let i = 0; i < 300 && (await getImport(h.deps, t.workspaceId, job.id)).created < 500; i++) await new Promise((r) => setTimeout(r, 10));
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(runImport(h.deps, t.workspaceId, job.id, Readable.from(body()))).rejects.toThrow(/aborted/);
    const after = await getImport(h.deps, t.workspaceId, job.id);
    expect(after).toMatchObject({ status: 'failed', error: 'the upload was interrupted before the end of the file', created: 500 });
    expect(await contactBy('cut-0')).toBeDefined();
    // Broken off before anything was read (PostgreSQL first reads table statistics): no hang, no uncaught error.
    const early = (await start({ fileName: 'cut2.csv' })).json();
    async function* cutAtOnce() {
      yield Buffer.from('user_id,email\nc2,c2@example.com\n');
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(runImport(h.deps, t.workspaceId, early.id, Readable.from(cutAtOnce()))).rejects.toThrow(/aborted/);
    expect(await getImport(h.deps, t.workspaceId, early.id)).toMatchObject({ status: 'failed', created: 0 });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/contacts/imports', '/api/contacts/imports/{id}', '/api/contacts/imports/{id}/file']));
  });

  it('reports a job whose upload stopped moving as failed', async () => {
    const job = (await start({ fileName: 'stuck.csv' })).json();
    await h.deps.store.db.updateTable('contact_imports').set({ status: 'running' }).where('id', '=', job.id).execute();
    h.clock.advance(STALLED_AFTER_MS + 1);
    expect(await getImport(h.deps, t.workspaceId, job.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped/) });
  });

  it('lets editors import and viewers only read; another workspace gets 404', async () => {
    const link = await ownerSetupLink(h.deps, t.workspaceId, 'http://q.example');
    const token = new URL(link!).hash.replace('#token=', '');
    const setup = await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, email: `owner-imp-${kind}@example.com`, password: PASSWORD } });
    const owner = { cookie: String(setup.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': setup.json().csrfToken as string };
    const member = async (role: string) => {
      const invite = await h.app.inject({ method: 'POST', url: '/api/users/invites', headers: owner, payload: { email: `${role}-imp-${kind}@example.com`, role } });
      const done = await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: new URL(invite.json().setupUrl).hash.replace('#token=', ''), password: PASSWORD } });
      return { cookie: String(done.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': done.json().csrfToken as string };
    };
    const editor = await member('editor');
    const viewer = await member('viewer');
    const job = await start({ fileName: 'e.csv' }, editor);
    expect(job.statusCode).toBe(201);
    expect((await upload(job.json().id, 'email\ned@example.com\n', editor)).json()).toMatchObject({ status: 'completed', created: 1 });
    expect((await start({ fileName: 'v.csv' }, viewer)).statusCode).toBe(403);
    expect((await upload(job.json().id, 'email\nv@example.com\n', viewer)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: `/api/contacts/imports/${job.json().id}`, headers: viewer })).statusCode).toBe(200);
    const timeline = await h.app.inject({ method: 'GET', url: `/api/contacts/${(await contactBy('imp-1')).id}/timeline`, headers: viewer });
    expect(timeline.statusCode).toBe(200);
    const other = await h.tenant();
    expect((await h.app.inject({ method: 'GET', url: `/api/contacts/imports/${job.json().id}`, headers: other.admin })).statusCode).toBe(404);
    expect((await upload(job.json().id, 'email\nx@example.com\n', other.admin)).statusCode).toBe(404);
  });
});
