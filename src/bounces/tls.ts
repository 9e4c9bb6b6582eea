/**
 * @module The STARTTLS certificate of the bounce listener. smtp-server's built-in certificate has
 * expired, so at start the listener uses `<dataDir>/bounce-tls/{key,cert}.pem`, generating a
 * self-signed one (EC P-256, valid 10 years) when there is none, or when the one there has expired
 * or cannot be read (a certificate of your own put there is kept until it expires). Sending MTAs use opportunistic TLS and do not check the
 * certificate of an MX, so self-signed is what they get from most receivers; put a TLS-terminating
 * relay in front to present a real one.
 *
 * Node has no X.509 writer and no package here has one, so the `openssl` command writes it (a clear
 * error when it is missing); Node's X509Certificate reads it back to check its dates.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Clock } from '../core/clock.js';

const run = promisify(execFile);
export const CERT_VALID_DAYS = 3650;

export interface TlsMaterial {
  key: string;
  cert: string;
  /** Epoch ms the certificate expires. */
  validTo: number;
  generated: boolean;
}

function readUsable(keyFile: string, certFile: string, now: number): TlsMaterial | null {
  try {
    const key = fs.readFileSync(keyFile, 'utf8');
    const cert = fs.readFileSync(certFile, 'utf8');
    const x509 = new X509Certificate(cert);
    const validTo = Date.parse(x509.validTo);
    // Only the end date is checked: a manual clock in tests may stand before the real notBefore.
    if (!(validTo > now)) return null;
    if (!x509.checkPrivateKey(createPrivateKey(key))) return null;
    return { key, cert, validTo, generated: false };
  } catch {
    return null;
  }
}

/**
 * The listener's key and certificate in `dir`, generated when missing, unreadable, not a pair, or
 * (by `clock`) expired.
 */
export async function ensureBounceCertificate(dir: string, clock: Clock, options: { hostname?: string; openssl?: string } = {}): Promise<TlsMaterial> {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const existing = readUsable(keyFile, certFile, clock.now());
  if (existing) return existing;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmpKey = `${keyFile}.${process.pid}.tmp`;
  const tmpCert = `${certFile}.${process.pid}.tmp`;
  const cn = (options.hostname ?? 'qatra-bounces').replace(/[^A-Za-z0-9.-]/g, '') || 'qatra-bounces';
  try {
    await run(options.openssl ?? 'openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      String(CERT_VALID_DAYS),
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=DNS:${cn}`,
      '-keyout',
      tmpKey,
      '-out',
      tmpCert,
    ]);
  } catch (err) {
    fs.rmSync(tmpKey, { force: true });
    fs.rmSync(tmpCert, { force: true });
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `the bounce listener needs a STARTTLS certificate and the openssl command to make one is not installed; install openssl or put key.pem and cert.pem in ${dir}`
        : `could not generate the bounce listener's STARTTLS certificate in ${dir}: ${(err as Error).message}`,
    );
  }
  fs.chmodSync(tmpKey, 0o600);
  fs.renameSync(tmpKey, keyFile);
  fs.renameSync(tmpCert, certFile);
  const cert = fs.readFileSync(certFile, 'utf8');
  return { key: fs.readFileSync(keyFile, 'utf8'), cert, validTo: Date.parse(new X509Certificate(cert).validTo), generated: true };
}
