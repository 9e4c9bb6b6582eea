/**
 * What the listener keeps of a mail as it streams in: the report reads the same from the excerpt as
 * from the whole mail, however the mail is cut into chunks, and a large or hostile mail costs at
 * most the excerpt's limits.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCERPT_LIMITS, ReportExcerpt } from './excerpt.js';
import { readReport } from './report.js';
import { arfMail, dsnMail } from './test-fixtures.js';

function excerptOf(raw: string | Buffer, chunk = 65_536): string {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const e = new ReportExcerpt();
  for (let i = 0; i < bytes.length; i += chunk) e.push(bytes.subarray(i, i + chunk));
  return e.end();
}

const VERP = 'bounces+msg_01ke70ehg0hvqpr0knvg4937jj.0123456789abcdef0123@b.example.com';
const nested = [
  'To: bounces@b.example.com',
  'Content-Type: multipart/mixed; boundary=outer',
  '',
  '--outer',
  'Content-Type: multipart/report; report-type=delivery-status; boundary=inner',
  '',
  '--inner',
  'Content-Type: text/plain',
  '',
  'failed',
  '--inner',
  'Content-Type: message/delivery-status',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; full@example.org\r\nAction: failed\r\nStatus: 4.2.2\r\n').toString('base64'),
  '--inner--',
  '--outer--',
  '',
].join('\r\n');

const samples: Record<string, string> = {
  'a DSN': dsnMail({ to: VERP, recipient: 'Bob@Example.org', status: '5.1.1', originalMessageId: '<abc.def@news.example.com>', originalReturnPath: VERP }),
  'an ARF report': arfMail({ to: 'fbl@b.example.com', recipient: 'ann@example.org', originalMessageId: '<m1@x>', originalReturnPath: VERP }),
  'a report nested in multipart/mixed, base64': nested,
  'an out-of-office reply': 'Subject: away\r\n\r\nI am away.\r\n',
  garbage: '\u0000\u00ff garbage == \r\n--x\r\n',
};

describe('the excerpt of a mail', () => {
  for (const [name, raw] of Object.entries(samples)) {
    it(`${name} reads the same from the excerpt as from the whole mail, in chunks of 1, 7 or 64 KB bytes`, async () => {
      const whole = await readReport(raw, [VERP]);
      for (const size of [1, 7, 65_536]) expect(await readReport(excerptOf(raw, size), [VERP])).toEqual(whole);
    });
  }

  it("keeps a returned original's headers and its first KB, not its 9 MB body; the report is still read", async () => {
    const body = Array.from({ length: 120_000 }, (_, i) => `line ${i} ${'x'.repeat(70)}`).join('\r\n');
    const original = ['Content-Type: message/rfc822', '', 'Message-ID: <orig.1@news.example.com>', 'Return-Path: <' + VERP + '>', 'Subject: big', '', body].join('\r\n');
    const raw = dsnMail({ to: VERP, recipient: 'bob@example.org', status: '5.1.1', originalMessageId: '<orig.1@news.example.com>' }).replace(
      '--=_dsn_boundary--',
      `--=_dsn_boundary\r\n${original}\r\n--=_dsn_boundary--`,
    );
    expect(raw.length).toBeGreaterThan(9_000_000);
    const kept = excerptOf(raw);
    expect(kept.length).toBeLessThan(8_000);
    expect(kept).toContain('Message-ID: <orig.1@news.example.com>');
    expect(kept.slice(kept.indexOf('Subject: big'))).toMatch(/^Subject: big\r\n\r\n(line \d+ x{70}\r\n){1,14}--=_dsn_boundary--\r\n$/);
    const r = await readReport(kept, [VERP]);
    expect(r).toMatchObject({ kind: 'dsn', recipients: [{ recipient: 'bob@example.org', bounceType: 'hard' }], refs: { messageIds: ['<orig.1@news.example.com>'] } });
  });

  it('a hostile mail (10 MB without a line break, 100 000 tiny parts, parts nested 50 deep, endless headers) never keeps more than the limits', () => {
    const { totalBytes, lineBytes } = DEFAULT_EXCERPT_LIMITS;
    expect(excerptOf(Buffer.alloc(10_000_000, 'a')).length).toBeLessThanOrEqual(lineBytes + 2);
    const parts = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n' + '--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n'.repeat(100_000);
    expect(excerptOf(parts).length).toBeLessThanOrEqual(totalBytes);
    const deep = Array.from({ length: 50 }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join('') + 'x'.repeat(100) + '\r\n';
    expect(excerptOf(deep.repeat(200)).length).toBeLessThanOrEqual(totalBytes);
    expect(excerptOf(`X-Long: ${'h'.repeat(70)}\r\n`.repeat(100_000)).length).toBeLessThanOrEqual(DEFAULT_EXCERPT_LIMITS.headerBytes);
  });
});
