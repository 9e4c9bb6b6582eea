import { describe, expect, it } from 'vitest';
import { readReport } from './report.js';
import { bounceTypeOf, classifyRecipient } from './status.js';
import { arfMail, dsnMail } from './test-fixtures.js';

describe('RFC 3463 status classes', () => {
  it('5.1.x and 5.2.1 are hard; 4.x.x, mailbox full (5.2.2 / 4.2.2) and other 5.x.x are soft; 2.x.x is no failure', () => {
    expect(['5.1.1', '5.1.2', '5.1.10', '5.2.1'].map(bounceTypeOf)).toEqual(['hard', 'hard', 'hard', 'hard']);
    expect(['4.2.2', '5.2.2', '4.4.7', '4.7.1', '5.7.1', '5.3.4'].map(bounceTypeOf)).toEqual(['soft', 'soft', 'soft', 'soft', 'soft', 'soft']);
    expect(bounceTypeOf('2.0.0')).toBeNull();
  });

  it('only Action: failed is a bounce; the status comes from the Diagnostic-Code when the Status field lacks it', () => {
    expect(classifyRecipient('delayed', '4.4.1')).toBeNull();
    expect(classifyRecipient('delivered', '2.0.0')).toBeNull();
    expect(classifyRecipient('Failed', undefined, 'smtp; 550 5.1.1 <x@y>: Recipient address rejected')).toBe('hard');
  });
});

describe('reading reports', () => {
  it('reads a DSN: recipient, action, status, diagnostic, the VERP id and the returned Message-ID', async () => {
    const verp = 'bounces+msg_01ke70ehg0hvqpr0knvg4937jj@bounces.example.com';
    const r = await readReport(dsnMail({ to: verp, recipient: 'Bob@Example.org', status: '5.1.1', originalMessageId: '<abc.qatra@news.example.com>' }), [verp]);
    expect(r).toEqual({
      kind: 'dsn',
      recipients: [{ recipient: 'bob@example.org', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 No such user', bounceType: 'hard' }],
      refs: { verp: [{ messageId: 'msg_01ke70ehg0hvqpr0knvg4937jj', signature: null }], messageIds: ['<abc.qatra@news.example.com>'] },
    });
  });

  it('reads a base64-encoded delivery-status part nested in multipart/mixed', async () => {
    const status = Buffer.from('Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; full@example.org\r\nAction: failed\r\nStatus: 4.2.2\r\n').toString('base64');
    const raw = [
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
      status,
      '--inner--',
      '--outer--',
      '',
    ].join('\r\n');
    const r = await readReport(raw);
    expect(r.kind).toBe('dsn');
    expect(r.kind === 'dsn' && r.recipients[0]).toMatchObject({ recipient: 'full@example.org', status: '4.2.2', bounceType: 'soft' });
  });

  it('reads an ARF report: feedback type, original recipient, Message-ID and the VERP Return-Path of the original', async () => {
    const r = await readReport(arfMail({ to: 'fbl@x', recipient: 'ann@example.org', originalMessageId: '<m1@x>', originalReturnPath: 'bounces+msg_01ke70ehg0hvqpr0knvg4937jj@b.example.com' }));
    expect(r).toEqual({ kind: 'arf', feedbackType: 'abuse', recipient: 'ann@example.org', refs: { verp: [{ messageId: 'msg_01ke70ehg0hvqpr0knvg4937jj', signature: null }], messageIds: ['<m1@x>'] } });
  });

  it('anything else is `other`, without throwing', async () => {
    for (const raw of ['', '\u0000\u0001', 'Subject: hi\r\n\r\nout of office', 'Content-Type: multipart/report; boundary="unterminated\r\n\r\n--unterminated\r\n']) {
      expect((await readReport(raw)).kind).toBe('other');
    }
  });
});

describe('VERP in delivery headers', () => {
  it('finds the VERP id in Delivered-To when the envelope is not known', async () => {
    const raw = dsnMail({ to: 'postmaster@b.example.com', recipient: 'x@example.org', status: '5.1.1' }).replace(
      'To: postmaster@b.example.com',
      'To: postmaster@b.example.com\r\nDelivered-To: bounces+msg_01ke70ehg0hvqpr0knvg4937jj@b.example.com',
    );
    const r = await readReport(raw);
    expect(r.refs.verp).toEqual([{ messageId: 'msg_01ke70ehg0hvqpr0knvg4937jj', signature: null }]);
  });
});

describe('signed VERP addresses', () => {
  it('splits `bounces+<id>.<signature>@` into the id and the signature, lower-cased (MTAs may change the case of local parts)', async () => {
    const verp = 'bounces+MSG_01KE70EHG0HVQPR0KNVG4937JJ.0123456789ABCDEF0123@b.example.com';
    const r = await readReport(dsnMail({ to: verp, recipient: 'x@example.org', status: '5.1.1' }), [verp]);
    expect(r.refs.verp).toEqual([{ messageId: 'msg_01ke70ehg0hvqpr0knvg4937jj', signature: '0123456789abcdef0123' }]);
  });
});
