import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import { setConsent } from '../../consent/consent.js';
import { mailAddressKey } from './address-key.js';
import { testAddress } from './pieces.testkit.js';
import { mailSuppressionReasons } from './suppression.js';

describe.each(backends())('do-not-mail list and mail consent on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let a: string;
  let b: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    a = (await createContact(h.deps, t.workspaceId, { userId: 'dnm-a' })).id;
    b = (await createContact(h.deps, t.workspaceId, { userId: 'dnm-b' })).id;
  });
  afterAll(async () => h?.close());

  const upload = (csv: string, headers: Record<string, string> = t.admin) =>
    h.app.inject({ method: 'POST', url: '/api/channels/mail/do-not-mail', headers: { ...headers, 'content-type': 'text/csv' }, payload: csv });
  const reasons = (contactId: string, address = testAddress('60601'), kindOf: 'marketing' | 'transactional' = 'marketing') =>
    mailSuppressionReasons(h.deps.store.db, [{ workspaceId: t.workspaceId, contactId, address, kind: kindOf }]).then((r) => r[0]);
  const suppressionCount = async () =>
    Number(
      (
        await h.deps.store.db
          .selectFrom('suppressions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('workspace_id', '=', t.workspaceId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('an address list suppresses those addresses (however they are spelled) for every kind of piece', async () => {
    expect(await reasons(a)).toBeNull();
    const res = await upload('name,line1,line2,line3,city,region,postcode,country\r\nAnyone,60601 Main St,,,Springfield,IL,60601,US\r\n');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ addresses: 1, contacts: 0, unchanged: 0 });
    expect(await reasons(a)).toBe('suppressed: manual');
    expect(await reasons(b, { ...testAddress('60601'), name: 'Someone Else', lines: ['60601 MAIN ST.'], postcode: '60601 ' }, 'transactional')).toBe('suppressed: manual');
    expect(await reasons(a, testAddress('60602'))).toBeNull();
    // The list holds the key, never the address in the clear.
    const stored = await h.deps.store.db.selectFrom('suppressions').select(['address', 'source']).where('workspace_id', '=', t.workspaceId).execute();
    expect(stored).toEqual([{ address: mailAddressKey(testAddress('60601')), source: 'do_not_mail' }]);
    expect((await upload('name,line1,city,country\r\nX,60601 Main St,Springfield,US\r\n')).json()).toMatchObject({ unchanged: 0 });
  });

  it('a contact list opts those contacts out of postal marketing (consent channel mail); transactional mail still goes', async () => {
    const res = await upload(`contact_id\n${b}\n`);
    expect(res.json()).toEqual({ addresses: 0, contacts: 1, unchanged: 0 });
    expect(await reasons(b, testAddress('70000'))).toBe('unsubscribed from mail');
    expect(await reasons(b, testAddress('70000'), 'transactional')).toBeNull();
    const consent = await h.app.inject({ method: 'GET', url: `/api/contacts/${b}/consent`, headers: t.admin });
    expect(consent.json().data).toMatchObject([{ channel: 'mail', status: 'unsubscribed', source: 'do_not_mail' }]);
    // Opting back in through the consent API lifts it.
    await setConsent(h.deps, t.workspaceId, b, { channel: 'mail', status: 'subscribed', source: 'form' });
    expect(await reasons(b, testAddress('70000'))).toBeNull();
  });

  it('a bad row refuses the whole list with its path, and nothing is written', async () => {
    const before = await suppressionCount();
    const res = await upload(
      'contact_id,name,line1,city,postcode,country\r\n,Good,1 Good St,Springfield,80001,US\r\n,No street,,Springfield,80002,US\r\nct_nope,,,,,\r\n,Bad country,2 St,Town,1,USA\r\n',
    );
    expect(res.statusCode).toBe(400);
    const issues = (res.json() as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(issues).toEqual(['rows.2.line1', 'rows.4.country']);
    const unknown = await upload(`contact_id,name,line1,city,country\r\n,Good,1 Good St,Springfield,US\r\nct_nope,,,,\r\n`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.issues).toEqual([{ path: 'rows.2.contact_id', message: 'no contact ct_nope in this workspace' }]);
    expect(await suppressionCount()).toBe(before);
    expect((await upload('email\r\nx@y.co\r\n')).statusCode).toBe(400);
    expect((await upload('"unterminated\r\n')).statusCode).toBe(400);
  });

  it('needs an admin key', async () => {
    expect((await upload('contact_id\r\n', {})).statusCode).toBe(401);
    expect((await upload('contact_id\r\n', t.write)).statusCode).toBe(403);
  });
});
