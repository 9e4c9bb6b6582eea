import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import { isUnsubscribeAddress, unsubscribeByMail } from './mailto.js';

describe.each(backends())('unsubscribing by mail (List-Unsubscribe mailto) on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  it('the mailto address of a received email unsubscribes its contact (source mailto); the next marketing send is skipped', async () => {
    const c = await k.contact('bymail@example.org');
    k.sink.clear();
    await k.send(c, { template: 'welcome-1', key: 'mt:1' });
    const [mail] = await k.sink.waitFor(1);
    const address = /<mailto:([^>]+)>/.exec(mail!.raw)![1]!;
    expect(isUnsubscribeAddress(address)).toBe(true);
    // Mail servers may lower- or upper-case the local part.
    const r = await unsubscribeByMail(k.h.deps, address.toUpperCase(), 'bymail@example.org');
    expect(r).toMatchObject({ topic: '' });
    const h = await k.h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', c.id).execute();
    expect(h).toMatchObject([{ status: 'unsubscribed', source: 'mailto' }]);
    expect((await k.send(c, { template: 'welcome-1', key: 'mt:2' })).status).toBe('skipped');
  });

  it('a forged token or a foreign address changes nothing', async () => {
    const count = async () => (await k.h.deps.store.db.selectFrom('consent_history').select('id').execute()).length;
    const before = await count();
    expect(await unsubscribeByMail(k.h.deps, `unsubscribe+${'0'.repeat(26)}.${'0'.repeat(16)}@news.example.com`)).toBeNull();
    expect(await unsubscribeByMail(k.h.deps, 'postmaster@news.example.com')).toBeNull();
    expect(isUnsubscribeAddress('bounces+msg_x@b.example.com')).toBe(false);
    expect(await count()).toBe(before);
  });
});
