/**
 * The bounce listener is open to the internet, so it is capped: connections at once, recipients per
 * mail and bytes per mail (SIZE declared at MAIL FROM, or counted during DATA). These caps are
 * smtp-server's and our answers to them, before any database work: one backend is enough here (the
 * store is only there because the listener needs one; nothing reaches it).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { mailSteps, smtpDialogue } from '../../test/fuzz/smtp-client.js';
import { DEFAULT_MAX_BYTES, startBounceListener, type BounceListener } from './listener.js';

/** A connection that has read its first reply: the code and the open socket. */
function connect(port: number): Promise<{ code: number; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('data', (d) => resolve({ code: Number(d.toString('latin1').slice(0, 3)), socket }));
  });
}

describe('the caps of the bounce listener', () => {
  let h: Harness;
  let listener: BounceListener;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    listener = await startBounceListener(
      { store: h.deps.store, clock: h.clock, signals: h.deps.signals, softBounceLimit: 3 },
      { port: 0, host: '127.0.0.1', maxClients: 3, maxRecipients: 2, maxBytes: 64 * 1024 },
    );
  });
  afterAll(async () => {
    await listener?.close();
    await h?.close();
  });

  it('answers 421 to a connection over maxClients, and takes new ones once a slot is free', async () => {
    const open = await Promise.all([1, 2, 3].map(() => connect(listener.port)));
    expect(open.map((c) => c.code)).toEqual([220, 220, 220]);
    const extra = await connect(listener.port);
    expect(extra.code).toBe(421);
    extra.socket.destroy();
    open[0]!.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const next = await connect(listener.port);
    expect(next.code).toBe(220);
    for (const c of [...open.slice(1), next]) c.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
  });

  it('announces SIZE and refuses a larger declared size at MAIL FROM with 552; a larger DATA gets 552 at its end', async () => {
    const ehlo = await smtpDialogue(listener.port, ['EHLO test\r\n', `MAIL FROM:<> SIZE=${64 * 1024 + 1}\r\n`, 'QUIT\r\n']);
    expect(ehlo.codes).toEqual([220, 250, 552, 221]);
    const body = Buffer.from(`Subject: big\r\n\r\n${`${'x'.repeat(998)}\r\n`.repeat(70)}`);
    const { codes } = await smtpDialogue(listener.port, mailSteps('', 'postmaster@bounces.example.com', body));
    expect(codes[5]).toBe(552);
  });

  it('answers 452 to recipients over maxRecipients', async () => {
    const { codes } = await smtpDialogue(listener.port, ['EHLO test\r\n', 'MAIL FROM:<>\r\n', 'RCPT TO:<a@b.example>\r\n', 'RCPT TO:<b@b.example>\r\n', 'RCPT TO:<c@b.example>\r\n', 'QUIT\r\n']);
    expect(codes).toEqual([220, 250, 250, 250, 250, 452, 221]);
  });

  it('by default accepts 2 MB per mail, 32 connections and 10 recipients', async () => {
    expect(DEFAULT_MAX_BYTES).toBe(2 * 1024 * 1024);
    const l = await startBounceListener({ store: h.deps.store, clock: h.clock, signals: h.deps.signals, softBounceLimit: 3 }, { port: 0, host: '127.0.0.1' });
    try {
      const { codes } = await smtpDialogue(l.port, [
        'EHLO test\r\n',
        `MAIL FROM:<> SIZE=${DEFAULT_MAX_BYTES + 1}\r\n`,
        `MAIL FROM:<> SIZE=${DEFAULT_MAX_BYTES}\r\n`,
        ...Array.from({ length: 11 }, (_, i) => `RCPT TO:<r${i}@b.example>\r\n`),
        'QUIT\r\n',
      ]);
      expect(codes.slice(0, 4)).toEqual([220, 250, 552, 250]);
      expect(codes.slice(4, 14)).toEqual(Array(10).fill(250));
      expect(codes[14]).toBe(452);
      const open = await Promise.all(Array.from({ length: 33 }, () => connect(l.port)));
      expect(open.filter((c) => c.code === 220)).toHaveLength(32);
      expect(open.filter((c) => c.code === 421)).toHaveLength(1);
      for (const c of open) c.socket.destroy();
    } finally {
      await l.close();
    }
  });
});
