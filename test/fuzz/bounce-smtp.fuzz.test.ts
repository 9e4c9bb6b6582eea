/**
 * Malformed, oversize and non-UTF-8 mail and garbage SMTP commands at the inbound bounce listener:
 * it keeps answering (250 for mail it accepts and ignores, 5xx for what it refuses, never a 4xx
 * "try later" that makes senders retry garbage), stays up for the next real report, and stores
 * nothing from mail that names no message of ours, or names a real one without its signature.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import { startBounceListener, type BounceListener } from '../../src/bounces/listener.js';
import { dsnMail, arfMail, verpOf } from '../../src/bounces/test-fixtures.js';
import { findMessage } from '../../src/messages/records.js';
import { fingerprint, tableNames, type Fingerprint } from './fingerprint.js';
import { mailSteps, smtpDialogue } from './smtp-client.js';
import { createWorld, type World } from './world.js';

// A dialogue costs ~100 ms (connection, EHLO, DATA), so fewer runs than the HTTP fuzz.
const RUNS = Math.ceil(Number(process.env.QATRA_FUZZ_RUNS ?? 1500) / 20);
const UNKNOWN = 'msg_01zzzzzzzzzzzzzzzzzzzzzzzz';

describe.each(backends())('hostile mail at the bounce listener on %s', (kind) => {
  let w: World;
  let listener: BounceListener;
  let tables: string[];
  let base: Fingerprint;

  beforeAll(async () => {
    w = await createWorld(kind);
    listener = await startBounceListener(
      { store: w.k.h.deps.store, clock: w.k.h.clock, signals: w.k.h.deps.signals, softBounceLimit: 3, log: w.k.h.deps.log },
      { port: 0, host: '127.0.0.1', maxBytes: 256 * 1024 },
    );
    tables = await tableNames(w.k.h.deps.store);
    base = await fingerprint(w.k.h.deps.store, tables);
  }, 120_000);
  afterAll(async () => {
    await listener?.close();
    await w?.close();
  });

  const mail = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
    fc.string({ maxLength: 500 }).map((s) => Buffer.from(s)),
    fc
      .record({ status: fc.string({ maxLength: 12 }), recipient: fc.string({ maxLength: 40 }), action: fc.string({ maxLength: 10 }) })
      .map((d) => Buffer.from(dsnMail({ to: `bounces+${UNKNOWN}@bounces.example.com`, recipient: d.recipient, status: d.status, action: d.action, originalMessageId: `<${d.recipient}@x>` }))),
    fc.record({ feedback: fc.string({ maxLength: 12 }), cut: fc.nat() }).map(({ feedback, cut }) => {
      const full = arfMail({ to: 'fbl@bounces.example.com', recipient: 'nobody@example.org', feedbackType: feedback, originalMessageId: '<none@x>' });
      return Buffer.from(full.slice(0, (cut % full.length) + 1));
    }),
    fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((b) =>
        Buffer.concat([
          Buffer.from('Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: '),
          Buffer.from(b.map((x) => x | 0x80)),
          Buffer.from('\r\n--b--\r\n'),
        ]),
      ),
  );
  const recipient = fc.constantFrom(`bounces+${UNKNOWN}@bounces.example.com`, 'bounces+junk@bounces.example.com', 'unsubscribe+zzzz.zzzz@bounces.example.com', 'postmaster@bounces.example.com', 'x@y');

  it(`answers ${RUNS} malformed reports with 250 or 5xx and stores nothing from them`, async () => {
    await fc.assert(
      fc.asyncProperty(mail, recipient, async (body, to) => {
        const { codes } = await smtpDialogue(listener.port, mailSteps('', to, body));
        expect(codes[0], 'banner').toBe(220);
        const endOfData = codes[5];
        expect(endOfData === 250 || (endOfData !== undefined && endOfData >= 500), `end of DATA answered ${endOfData} (${codes.join(',')})`).toBe(true);
        expect((await fingerprint(w.k.h.deps.store, tables)).hash).toBe(base.hash);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it(`answers ${RUNS} well-formed reports naming a real message with no, a made-up or a mangled signature with 250, and stores nothing from them`, async () => {
    const real = await verpOf(w.k.h.deps.store, { id: w.ra.messageId, workspaceId: w.a.workspaceId });
    const sig = /\.([0-9a-f]{20})@/.exec(real)![1]!;
    const forgedSig = fc.oneof(
      fc.constant(''),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 24 }).map((x) => `.${x}`),
      fc.nat({ max: 19 }).map((i) => `.${sig.slice(0, i)}${sig[i] === '0' ? '1' : '0'}${sig.slice(i + 1)}`),
      fc.constant(`.${sig.toUpperCase().slice(0, 19)}`),
    );
    const messageId = fc.oneof(
      fc.constant(undefined),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }).map((h) => `<${h}.qatra@news.example.com>`),
    );
    await fc.assert(
      fc.asyncProperty(forgedSig, messageId, fc.boolean(), async (s, mid, arf) => {
        const verp = `bounces+${w.ra.messageId}${s}@bounces.example.com`;
        const body = arf
          ? arfMail({ to: verp, recipient: 'tokens@example.org', originalReturnPath: verp, ...(mid ? { originalMessageId: mid } : {}) })
          : dsnMail({ to: verp, recipient: 'tokens@example.org', status: '5.1.1', originalReturnPath: verp, ...(mid ? { originalMessageId: mid } : {}) });
        const { codes } = await smtpDialogue(listener.port, mailSteps('', verp, Buffer.from(body)));
        expect(codes[5]).toBe(250);
        expect((await fingerprint(w.k.h.deps.store, tables)).hash).toBe(base.hash);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('garbage commands, oversize mail and lines without CRLF get SMTP errors, not a dead listener', async () => {
    const garbage = await smtpDialogue(listener.port, ['\u0000\u00ff\u00fe\r\n', 'RCPT TO:<x@y>\r\n', 'DATA\r\n', `HELO ${'x'.repeat(5000)}\r\n`, 'MAIL FROM:<<<>>>\r\n', 'QUIT\r\n']);
    expect(garbage.codes[0]).toBe(220);
    expect(garbage.codes.slice(1, 4).every((c) => c >= 500 || c === 0)).toBe(true);
    const big = await smtpDialogue(listener.port, mailSteps('', `bounces+${UNKNOWN}@bounces.example.com`, Buffer.from('Subject: big\r\n\r\n' + `${'x'.repeat(998)}\r\n`.repeat(400))));
    expect(big.codes[5]).toBe(552);
    expect((await fingerprint(w.k.h.deps.store, tables)).hash).toBe(base.hash);
  });

  it('after all that, a real hard bounce for a real message is still applied', async () => {
    const verp = await verpOf(w.k.h.deps.store, { id: w.ra.messageId, workspaceId: w.a.workspaceId });
    const { codes } = await smtpDialogue(listener.port, mailSteps('', verp, Buffer.from(dsnMail({ to: verp, recipient: 'tokens@example.org', status: '5.1.1' }))));
    expect(codes[5]).toBe(250);
    expect(await findMessage(w.k.h.deps.store.db, w.ra.messageId)).toMatchObject({ status: 'bounced' });
  });
});
