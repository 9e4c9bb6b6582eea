import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { databaseEnv, runCli } from '../../test/cli.js';
import { ManualClock } from '../core/clock.js';
import { toContact, type Contact } from '../contacts/contact.js';
import { importContacts } from '../contacts/import-writer.js';
import { readCsv } from '../contacts/import-readers.js';
import type { Signal } from '../events/signals.js';
import { defaultSignals } from '../server/signal-sinks.js';
import { createList } from '../lists/lists.js';
import type { DialectName } from '../store/store.js';
import { bootstrap } from '../workspaces/workspaces.js';

// Every test runs the real CLI as child processes (through tsx); on a loaded machine each takes seconds.
vi.setConfig({ testTimeout: 180_000 });

const WS = 'ws_default';

async function contactsOf(database: TestDatabase): Promise<Contact[]> {
  const rows = await database.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', WS).orderBy('id').execute();
  return rows.map(toContact);
}

/** What an export/import round trip must keep: everything but the row's id and times. */
function people(contacts: Contact[]) {
  return contacts
    .map(({ userId, email, phone, timezone, locale, attributes }) => ({ userId, email, phone, timezone, locale, attributes }))
    .sort((a, b) => `${a.userId}|${a.email}`.localeCompare(`${b.userId}|${b.email}`));
}

function byUser(contacts: Contact[], userId: string): Contact | undefined {
  return contacts.find((c) => c.userId === userId);
}

describe.each(backends())('qatra contacts import/export on %s', (kind: DialectName) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-cli-'));
  const databases: TestDatabase[] = [];
  async function fresh(): Promise<{ database: TestDatabase; env: Record<string, string> }> {
    const database = await freshDatabase(kind);
    databases.push(database);
    return { database, env: databaseEnv(kind, database) };
  }
  function file(name: string, lines: string[]): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, lines.join('\n') + '\n');
    return p;
  }
  afterAll(async () => {
    for (const d of databases) await d.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports the good rows, reports every bad row with its line and reason, and exits 1', async () => {
    const { database, env } = await fresh();
    const csv = file('mixed.csv', [
      'user_id,email,phone,timezone,locale,plan,age:number,vip,birthday,notes',
      'u1,Sara@Example.COM,+966501234567,Asia/Riyadh,ar-SA,pro,31,yes,1990-05-17,"likes ""quotes"", commas"',
      'u2,foo@,,,,free,20,no,,',
      'u3,c@example.com,,Mars/Base,,free,20,no,,',
      'u4,d@example.com,,,,free,abc,no,,',
      ',,,,,free,1,no,,',
      'u5,e@example.com,,,',
      '',
      'u6,f@example.com,,,,basic,7,0,2001-02-03T04:05:06+03:00,"two',
      'lines"',
      'u7,g@example.com,,,,basic,8,maybe,,',
      'u8,h@example.com,,,,basic,9,1,1999-02-30,',
      'u9,i@example.com,12345,,,basic,10,1,,',
      'u10,j@example.com,,Europe/Berlin,,basic,-1.5e3,no,,',
    ]);
    const run = await runCli(['contacts', 'import', csv, '--boolean', 'vip', '--date', 'birthday'], env);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l.startsWith(csv))).toEqual([
      `${csv}:3: invalid email "foo@": needs a domain after the @`,
      `${csv}:4: invalid timezone "Mars/Base": must be an IANA time zone such as Asia/Riyadh`,
      `${csv}:5: age: "abc" is not a number`,
      `${csv}:6: no userId or email`,
      `${csv}:7: expected 10 columns, got 5`,
      `${csv}:11: vip: "maybe" is not a boolean (true/false, yes/no, 1/0)`,
      `${csv}:12: birthday: "1999-02-30" is not a date (YYYY-MM-DD or ISO 8601)`,
      `${csv}:13: invalid phone "12345": needs the international format (+ and country code): no default country is set`,
    ]);
    expect(run.stdout).toMatch(new RegExp(`^imported ${csv}: 11 rows, 3 created, 0 updated, 0 unchanged, 8 failed in [\\d.]+ s \\(\\d+ rows/s, peak RSS \\d+ MB\\)\\n$`));

    const stored = await contactsOf(database);
    expect(stored.map((c) => c.userId).sort()).toEqual(['u1', 'u10', 'u6']);
    expect(byUser(stored, 'u1')).toMatchObject({
      email: 'sara@example.com',
      phone: '+966501234567',
      timezone: 'Asia/Riyadh',
      locale: 'ar-SA',
      attributes: { plan: 'pro', age: 31, vip: true, birthday: '1990-05-17', notes: 'likes "quotes", commas' },
    });
    expect(byUser(stored, 'u6')?.attributes).toEqual({ plan: 'basic', age: 7, vip: false, birthday: '2001-02-03T01:05:06.000Z', notes: 'two\nlines' });
    expect(byUser(stored, 'u10')?.attributes).toEqual({ plan: 'basic', age: -1500, vip: false });
  });

  it('re-importing updates by userId, else by email, merging attributes and keeping the rest', async () => {
    const { database, env } = await fresh();
    const first = await runCli(['contacts', 'import', file('first.csv', ['userId,email,plan,seats:number', 'u1,a@example.com,free,1', ',b@example.com,free,2'])], env);
    expect(first.code, first.stderr).toBe(0);
    const before = await contactsOf(database);

    const second = file('second.csv', [
      'email,user_id,plan,country',
      'a-new@example.com,u1,pro,SA', // by userId: email changes, plan overwritten, country added, seats kept
      'b@example.com,u2,,EG', // by email: takes the userId u2; an empty plan cell keeps "free"
      'c@example.com,u3,free,AE', // new
      'a-new@example.com,,pro,SA', // the same person again: nothing changes
    ]);
    const run = await runCli(['contacts', 'import', second], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(': 4 rows, 1 created, 2 updated, 1 unchanged, 0 failed');

    const after = await contactsOf(database);
    expect(after).toHaveLength(3);
    const u1 = byUser(after, 'u1')!;
    expect(u1).toMatchObject({ id: before.find((c) => c.userId === 'u1')!.id, email: 'a-new@example.com', attributes: { plan: 'pro', seats: 1, country: 'SA' } });
    const u2 = byUser(after, 'u2')!;
    expect(u2).toMatchObject({ id: before.find((c) => c.email === 'b@example.com')!.id, attributes: { plan: 'free', seats: 2, country: 'EG' } });
    expect(byUser(after, 'u3')?.attributes).toEqual({ plan: 'free', country: 'AE' });
  });

  it('the same email twice in one batch does not fail the batch; an email of someone else fails only its row', async () => {
    const { database, env } = await fresh();
    const csv = file('dupes.csv', [
      'user_id,email,color',
      'u1,x@example.com,red',
      ',X@Example.com,blue', // same person by email (case-insensitive): applied in file order
      'u2,x@example.com,green', // another userId with u1's email: refused
      'u3,y@example.com,white',
    ]);
    const run = await runCli(['contacts', 'import', csv], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${csv}:4: email "x@example.com" belongs to another contact (userId "u1")`);
    expect(run.stdout).toContain(': 4 rows, 2 created, 1 updated, 0 unchanged, 1 failed');
    const stored = await contactsOf(database);
    expect(people(stored).map((p) => [p.userId, p.email, p.attributes.color])).toEqual([
      ['u1', 'x@example.com', 'blue'],
      ['u3', 'y@example.com', 'white'],
    ]);
  });

  it('--map, --ignore and --number rename, drop and type columns', async () => {
    const { database, env } = await fresh();
    const csv = file('crm.csv', ['Customer ID,E-mail,Notes,Score', 'c1,M@Example.com,private,5', 'c2,n@example.com,,x']);
    const run = await runCli(['contacts', 'import', csv, '--map', 'Customer ID=userId', '--map', 'E-mail=email', '--ignore', 'Notes', '--map', 'Score=attributes.score', '--number', 'Score'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${csv}:3: score: "x" is not a number`);
    expect(people(await contactsOf(database))).toEqual([{ userId: 'c1', email: 'm@example.com', phone: null, timezone: null, locale: null, attributes: { score: 5 } }]);
  });

  it('--list subscribes every imported contact to the list, by name or id', async () => {
    const { database, env } = await fresh();
    const deps = { store: database.store, signals: defaultSignals(database.store), clock: new ManualClock() };
    await bootstrap(deps);
    const list = await createList(deps, WS, { name: 'Newsletter' });
    const run = await runCli(['contacts', 'import', file('list.csv', ['email', 'l1@example.com', 'l2@example.com']), '--list', 'Newsletter'], env);
    expect(run.code, run.stderr).toBe(0);
    const members = await database.store.db.selectFrom('list_memberships').selectAll().where('list_id', '=', list.id).execute();
    expect(members.map((m) => [m.status, m.source])).toEqual([
      ['subscribed', 'import'],
      ['subscribed', 'import'],
    ]);
    const missing = await runCli(['contacts', 'import', file('list2.csv', ['email', 'l3@example.com']), '--list', 'Nope'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('qatra: list Nope not found\n');
  });

  it('a 100,000-row CSV imports in a 96 MB heap (memory stays flat) and reports rows/s', { timeout: 300_000 }, async () => {
    const { database, env } = await fresh();
    const csv = path.join(dir, 'big.csv');
    const out = fs.createWriteStream(csv);
    out.write('user_id,email,timezone,plan,score:number,vip:boolean,signed_up:date,bio\n');
    const bio = 'lorem ipsum dolor sit amet '.repeat(8);
    for (let i = 0; i < 100_000; i++) {
      const line = `u${i},user${i}@example.com,${['UTC', 'Asia/Riyadh', 'Europe/Berlin'][i % 3]},plan${i % 5},${i * 1.5},${i % 2 === 1},2024-01-${String(1 + (i % 28)).padStart(2, '0')},"${bio}${i}"\n`;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    // The file is 29 MB; held in memory as strings and row objects it would need far more than 96 MB
    // of heap, so the import only finishes inside this limit if it streams.
    const run = await runCli(['contacts', 'import', csv], env, { nodeArgs: ['--max-old-space-size=96'], timeoutMs: 280_000 });
    expect(run.code, run.stderr.slice(0, 2000)).toBe(0);
    const m = /100000 rows, 100000 created, 0 updated, 0 unchanged, 0 failed in ([\d.]+) s \((\d+) rows\/s, peak RSS (\d+) MB\)/.exec(run.stdout);
    expect(m, run.stdout).not.toBeNull();
    const [, seconds, rate, rss] = m!;
    console.log(`[import ${kind}] 100,000 rows in ${seconds} s: ${rate} rows/s, peak RSS ${rss} MB`);
    expect(Number(rss)).toBeLessThan(300);
    const count = await database.store.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(100_000);
    const sample = (await database.store.db.selectFrom('contacts').selectAll().where('user_id', '=', 'u99999').executeTakeFirstOrThrow()) as never;
    expect(toContact(sample).attributes).toEqual({ plan: 'plan4', score: 149998.5, vip: true, signed_up: '2024-01-12', bio: `${bio}99999` });
  });

  it('export as CSV and as NDJSON, each imported into a fresh database, gives back the same contacts', async () => {
    const source = await fresh();
    // Seeded from NDJSON, which can carry every JSON type: the CSV header must type them for the way back.
    const seed = file('seed.ndjson', [
      JSON.stringify({
        userId: 'u1',
        email: 'a@example.com',
        phone: '+966501234567',
        timezone: 'Asia/Riyadh',
        locale: 'ar-SA',
        attributes: {
          plan: 'pro',
          seats: 3,
          vip: true,
          tags: ['a', 'b'],
          address: { city: 'Riyadh' },
          email: 'alt@example.com',
          'ratio:number': 'not a number',
          note: 'comma, "quote"\nnewline',
          mixed: 'x',
        },
      }),
      JSON.stringify({ user_id: 'u2', attributes: { seats: 1.25, vip: false, mixed: 5, empty: '' } }),
      JSON.stringify({ email: 'c@example.com', attributes: {} }),
      '{"email": "not json"',
    ]);
    const seeded = await runCli(['contacts', 'import', seed], source.env);
    expect(seeded.code).toBe(1);
    expect(seeded.stderr).toContain(`${seed}:4: not valid JSON`);
    const original = people(await contactsOf(source.database));
    expect(original).toHaveLength(3);

    const csvOut = path.join(dir, 'export.csv');
    const exported = await runCli(['contacts', 'export', '--out', csvOut], source.env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toBe(`exported 3 contacts to ${csvOut}\n`);
    const text = fs.readFileSync(csvOut, 'utf8');
    expect(text.split('\n')[0]).toBe(
      'id,user_id,email,phone,timezone,locale,created_at,updated_at,address:json,attributes.email,empty:json,mixed:json,note,plan,attributes.ratio:number:string,seats:number,tags:json,vip:boolean',
    );

    const ndjson = await runCli(['contacts', 'export', '--format', 'ndjson'], source.env);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    const lines = ndjson.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Contact);
    expect(lines.map((c) => c.id)).toEqual((await contactsOf(source.database)).map((c) => c.id));
    const ndjsonFile = path.join(dir, 'export.ndjson');
    fs.writeFileSync(ndjsonFile, ndjson.stdout);

    for (const exportedFile of [csvOut, ndjsonFile]) {
      const target = await fresh();
      const back = await runCli(['contacts', 'import', exportedFile], target.env);
      expect(back.code, back.stderr).toBe(0);
      expect(people(await contactsOf(target.database))).toEqual(original);
    }
  });

  it('import emits contact_created, contact_updated (with what changed) and list_joined in its transaction', async () => {
    const { database } = await fresh();
    const seen: Signal[] = [];
    const recorder = { record: async (_trx: unknown, signals: readonly Signal[]) => void seen.push(...signals) };
    const deps = { store: database.store, signals: defaultSignals(database.store, [recorder]), clock: new ManualClock() };
    await bootstrap(deps);
    const list = await createList(deps, WS, { name: 'News' });
    {
      const run = (text: string) => importContacts(deps, { workspaceId: WS, rows: readCsv(Readable.from([text])), listId: list.id, onFailure: () => {} });
      await run('user_id,plan\nu1,free\nu2,free\n');
      const stored = await contactsOf(database);
      const ids = ['u1', 'u2'].map((u) => byUser(stored, u)!.id);
      expect(seen).toEqual([
        { kind: 'contact_created', workspaceId: WS, contactId: ids[0] },
        { kind: 'contact_created', workspaceId: WS, contactId: ids[1] },
        { kind: 'list_joined', workspaceId: WS, contactId: ids[0], listId: list.id },
        { kind: 'list_joined', workspaceId: WS, contactId: ids[1], listId: list.id },
      ]);
      seen.length = 0;
      const stats = await run('user_id,plan,email\nu1,pro,one@example.com\nu2,free,\n');
      expect(stats).toEqual({ rows: 2, created: 0, updated: 1, unchanged: 1, failed: 0 });
      // u2 changed nothing and was already on the list: no signal for it.
      expect(seen).toEqual([{ kind: 'contact_updated', workspaceId: WS, contactId: ids[0], changed: ['email', 'attributes.plan'] }]);
    }
  });
});

describe('qatra contacts: bad input', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-cli-'));
  beforeAll(async () => {
    database = await freshDatabase('sqlite');
    env = databaseEnv('sqlite', database);
    await bootstrap({ store: database.store, signals: defaultSignals(database.store), clock: new ManualClock() });
  });
  afterAll(async () => {
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    expect(await contactsOf(database)).toEqual([]);
  });

  it('a missing file, a bad flag or an unusable header is one clear line and a non-zero exit', async () => {
    const csv = path.join(dir, 'c.csv');
    fs.writeFileSync(csv, 'name,city\nSara,Riyadh\n');
    const cases: [string[], number, string][] = [
      [['contacts', 'import', '/nope/contacts.csv'], 2, 'qatra: cannot read /nope/contacts.csv: no such file\n'],
      [['contacts', 'import', dir], 2, `qatra: cannot read ${dir}: it is a directory\n`],
      [['contacts', 'import', csv], 2, 'qatra: header: no userId or email column (name one with --map COLUMN=email)\n'],
      [['contacts', 'import', csv, '--map', 'name'], 2, 'qatra: --map: expected COLUMN=FIELD or COLUMN=attributes.NAME, got "name"\n'],
      [
        ['contacts', 'import', csv, '--map', 'city=town'],
        2,
        'qatra: --map: city=town: the target must be userId, email, phone, timezone, locale, address.PART or attributes.NAME; header: no userId or email column (name one with --map COLUMN=email)\n',
      ],
      [['contacts', 'import', csv, '--map', 'mail=email'], 2, 'qatra: --map: no column "mail" in the header (name,city); header: no userId or email column (name one with --map COLUMN=email)\n'],
      [['contacts', 'import', csv, '--batch-size', '0'], 2, 'qatra: --batch-size: must be an integer from 1 to 5000\n'],
    ];
    for (const [args, code, stderr] of cases) {
      const run = await runCli(args, env);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code, stderr });
    }
    const unknown = await runCli(['contacts', 'import', csv, '--colour'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.split('\n')[0]).toBe("error: unknown option '--colour'");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const format = await runCli(['contacts', 'export', '--format', 'xml'], env);
    expect(format.code).not.toBe(0);
    expect(format.stderr.split('\n')[0]).toMatch(/argument 'xml' is invalid. Allowed choices are csv, ndjson/);
  });

  it('--help of import and export explains the columns and shows examples', async () => {
    const help = await runCli(['contacts', 'import', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('score:number');
    expect(help.stdout).toMatch(/Examples:\n\s+\$ qatra contacts import contacts.csv/);
    const exportHelp = await runCli(['contacts', 'export', '--help'], env);
    expect(exportHelp.stdout).toMatch(/Examples:\n\s+\$ qatra contacts export > contacts.csv/);
  });
});
