/**
 * The bounce listener's STARTTLS certificate: made at first start in the data directory, kept while
 * valid, replaced once it has expired; and a real STARTTLS handshake presents it.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../core/clock.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { startBounceListener } from './listener.js';
import { CERT_VALID_DAYS, ensureBounceCertificate } from './tls.js';

const DAY = 86_400_000;

/** EHLO, STARTTLS, then the TLS handshake: the certificate the listener presents. */
function presentedCertificate(port: number): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let step = 0;
    let buffer = '';
    socket.on('error', reject);
    socket.on('data', (d) => {
      buffer += d.toString('latin1');
      if (!/\r\n$/.test(buffer) || /^\d{3}-/m.test(buffer.split('\r\n').slice(-2)[0] ?? '')) return;
      const code = Number(buffer.slice(0, 3));
      buffer = '';
      if (step === 0 && code === 220) socket.write('EHLO test\r\n');
      else if (step === 1 && code === 250) socket.write('STARTTLS\r\n');
      else if (step === 2 && code === 220) {
        socket.removeAllListeners('data');
        const secure = tls.connect({ socket, rejectUnauthorized: false }, () => {
          resolve(secure.getPeerCertificate());
          secure.end();
        });
        secure.on('error', reject);
      } else reject(new Error(`unexpected answer ${code} at step ${step}`));
      step++;
    });
  });
}

describe('the STARTTLS certificate of the bounce listener', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-bounce-tls-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is generated in a fresh data directory, valid now and for ten years, and kept on the next start', async () => {
    const certDir = path.join(dir, 'bounce-tls');
    const first = await ensureBounceCertificate(certDir, systemClock);
    expect(first.generated).toBe(true);
    const x509 = new X509Certificate(fs.readFileSync(path.join(certDir, 'cert.pem')));
    expect(Date.parse(x509.validFrom)).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(Date.parse(x509.validTo)).toBeGreaterThan(Date.now() + (CERT_VALID_DAYS - 2) * DAY);
    expect(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(first.key))).toBe(true);
    expect(fs.statSync(path.join(certDir, 'key.pem')).mode & 0o077).toBe(0);
    const again = await ensureBounceCertificate(certDir, systemClock);
    expect(again).toMatchObject({ generated: false, cert: first.cert, key: first.key });
  });

  it('is kept until it expires, then replaced; so is a pair of files that is not a usable certificate and key', async () => {
    const certDir = path.join(dir, 'renew');
    const first = await ensureBounceCertificate(certDir, systemClock);
    expect((await ensureBounceCertificate(certDir, new ManualClock(first.validTo - 60_000))).generated).toBe(false);
    const late = new ManualClock(first.validTo + 60_000);
    const renewed = await ensureBounceCertificate(certDir, late);
    expect(renewed.generated).toBe(true);
    expect(renewed.cert).not.toBe(first.cert);
    fs.writeFileSync(path.join(certDir, 'cert.pem'), 'not a certificate');
    expect((await ensureBounceCertificate(certDir, systemClock)).generated).toBe(true);
  });

  it('without the openssl command, start fails with an error saying what to install or provide', async () => {
    const certDir = path.join(dir, 'no-openssl');
    await expect(ensureBounceCertificate(certDir, systemClock, { openssl: path.join(dir, 'no-such-openssl') })).rejects.toThrow(
      /openssl command .* is not installed; install openssl or put key\.pem and cert\.pem in/,
    );
    expect(fs.readdirSync(certDir)).toEqual([]);
  });

  describe('over a real connection', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness('sqlite');
    });
    afterAll(async () => h?.close());

    it('a STARTTLS handshake presents the generated, unexpired certificate, and nodemailer with requireTLS delivers a mail over it', async () => {
      const material = await ensureBounceCertificate(path.join(dir, 'listener'), systemClock);
      const listener = await startBounceListener({ store: h.deps.store, clock: h.clock, signals: h.deps.signals, softBounceLimit: 3 }, { port: 0, host: '127.0.0.1', tls: material });
      try {
        const peer = await presentedCertificate(listener.port);
        expect(peer.fingerprint256).toBe(new X509Certificate(material.cert).fingerprint256);
        expect(Date.parse(peer.valid_to)).toBeGreaterThan(Date.now());
        const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
        try {
          const info = await transport.sendMail({ envelope: { from: '', to: ['postmaster@bounces.example.com'] }, raw: 'Subject: hello\r\n\r\nover TLS\r\n' });
          expect(info.response).toMatch(/^250/);
        } finally {
          transport.close();
        }
      } finally {
        await listener.close();
      }
    });
  });
});
