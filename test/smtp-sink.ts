/**
 * @module An in-process SMTP sink for tests: a real smtp-server on 127.0.0.1 (random port) that
 * collects every message it accepts, raw and parsed with mailparser. Addresses can be told to fail
 * with an SMTP code (`rejectRecipient('x@y', 550)`) to exercise bounces and retries.
 *
 *   const sink = await startSmtpSink();
 *   … send to 127.0.0.1:sink.port …
 *   const [mail] = await sink.waitFor(1);
 *   mail.parsed.subject; mail.raw; mail.envelope.mailFrom;
 *   await sink.close();
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface SinkMail {
  /** The message exactly as received (CRLF line ends), for DKIM verification and header checks. */
  raw: string;
  parsed: ParsedMail;
  envelope: { mailFrom: string; rcptTo: string[] };
  /** The user name the client authenticated with, if any. */
  user: string | undefined;
}

export interface SmtpSink {
  port: number;
  host: string;
  mails: SinkMail[];
  /** Resolves when at least `n` messages have arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<SinkMail[]>;
  /** The most messages this sink was receiving at once (data sent, answer not yet given). */
  peakInFlight(): number;
  /** Make RCPT TO for `address` fail with `code` (e.g. 550 hard, 450 soft). */
  rejectRecipient(address: string, code: number, message?: string): void;
  /** Undo rejectRecipient: accept `address` again. */
  acceptRecipient(address: string): void;
  clear(): void;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** When set, clients must authenticate with this user and password. */
  auth?: { user: string; pass: string };
  /** Each message is answered this long after its data arrived (a slow server; see `peakInFlight`). */
  dataDelayMs?: number;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const rejects = new Map<string, { code: number; message: string }>();
  const waiters: Array<() => void> = [];
  let inFlight = 0;
  let peak = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !options.auth,
    logger: false,
    // Tests close the sink while pooled clients may still be connected: do not wait 30 s for them.
    closeTimeout: 100,
    onAuth(auth, _session, cb) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return cb(null, { user: auth.username });
      return cb(new Error('invalid credentials'));
    },
    onRcptTo(address: SMTPServerAddress, _session, cb) {
      const reject = rejects.get(address.address.toLowerCase());
      if (!reject) return cb();
      const err = new Error(reject.message) as Error & { responseCode: number };
      err.responseCode = reject.code;
      return cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      peak = Math.max(peak, ++inFlight);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then(async (parsed) => {
            if (options.dataDelayMs) await new Promise((r) => setTimeout(r, options.dataDelayMs));
            inFlight--;
            const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            mails.push({ raw, parsed, envelope: { mailFrom, rcptTo: session.envelope.rcptTo.map((r) => r.address) }, user: session.user as string | undefined });
            for (const w of waiters.splice(0)) w();
            cb();
          })
          .catch((err: Error) => (inFlight--, cb(err)));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    host: '127.0.0.1',
    mails,
    peakInFlight: () => peak,
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`smtp sink: expected ${n} messages, got ${mails.length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return mails.slice(0, n);
    },
    rejectRecipient(address, code, message = code >= 500 ? '5.1.1 No such user here' : '4.2.1 Mailbox busy, try later') {
      rejects.set(address.toLowerCase(), { code, message });
    },
    acceptRecipient(address) {
      rejects.delete(address.toLowerCase());
    },
    clear() {
      mails.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
