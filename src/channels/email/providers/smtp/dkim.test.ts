import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { createDkimSigner } from './dkim.js';
import { DKIM_SIGNED_HEADERS } from './smtp.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'der' },
});
const resolver = async (_name: string, type: string) => {
  if (type === 'TXT') return [[`v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`]];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};
const signer = createDkimSigner({ domain: 'News.Example.com', selector: 'qatra1', privateKey, fieldNames: DKIM_SIGNED_HEADERS });

async function verify(message: Buffer | string) {
  const { results } = await dkimVerify(Buffer.from(message), { resolver: resolver as never });
  expect(results).toHaveLength(1);
  return results[0]!;
}

const compose = (extra: Record<string, unknown> = {}) =>
  new MailComposer({
    from: { name: 'فروشگاه', address: 'news@news.example.com' },
    to: 'reader@example.org',
    subject: 'سلام  دوست   عزیز',
    text: 'Hello  there \t\nsecond line   \n\n\n',
    html: '<p dir="rtl">سلام</p>   \n\n',
    headers: {
      'List-Unsubscribe': { prepared: true, value: '<https://q.example.com/u/t>, <mailto:u@q.example.com>' },
      'List-Unsubscribe-Post': { prepared: true, value: 'List-Unsubscribe=One-Click' },
    },
    ...extra,
  } as never)
    .compile()
    .build();

describe('DKIM signing off the event loop', () => {
  it('a message with bare LFs, runs of whitespace, trailing empty lines and RTL text verifies (relaxed/relaxed)', async () => {
    const signed = await signer(await compose());
    const r = await verify(signed);
    expect(r.status.result).toBe('pass');
    expect(r.signingDomain).toBe('news.example.com');
    const h = (r as unknown as { signingHeaders: { keys: string } }).signingHeaders.keys
      .toLowerCase()
      .split(':')
      .map((k) => k.trim());
    expect(h).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'content-type']));
    expect(h).not.toContain('cc');
    // Sent as signed: CRLF everywhere, no bare LF left for the relay to rewrite.
    expect(/[^\r]\n/.test(signed.toString('latin1'))).toBe(false);
  });

  it('a change to the body or to a signed header fails verification', async () => {
    const signed = (await signer(await compose())).toString('latin1');
    expect((await verify(signed.replace('second line', 'second  lime'))).status.result).not.toBe('pass');
    expect((await verify(signed.replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=Two-Click'))).status.result).not.toBe('pass');
    // Whitespace-only changes in transit are what relaxed canonicalization forgives.
    expect((await verify(signed.replace('second line', 'second \t line'))).status.result).toBe('pass');
  });

  it('signs the last occurrence of a repeated header, and an empty body', async () => {
    const raw = 'From: a@news.example.com\r\nTo: b@example.org\r\nSubject: first\r\nSubject: second\r\n  folded\r\nDate: Wed, 02 Dec 2026 07:00:00 +0000\r\nMessage-ID: <m1@news.example.com>\r\n\r\n';
    const r = await verify(await signer(Buffer.from(raw, 'latin1')));
    expect(r.status.result).toBe('pass');
  });

  it('refuses a key that is not RSA', () => {
    const ed = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    expect(() => createDkimSigner({ domain: 'x.org', selector: 's', privateKey: ed.privateKey, fieldNames: 'From' })).toThrow(/RSA/);
  });
});
