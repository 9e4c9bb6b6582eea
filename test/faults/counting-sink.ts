/**
 * @module An SMTP sink for the fault tests: a real smtp-server on 127.0.0.1 that keeps, per mail,
 * only the recipient, Subject, Message-ID and List-Unsubscribe token (read from the raw header
 * lines, without mailparser, so 20,000 mails cost little), and that can be stopped and started
 * again on the same port to play a provider that is down for a while.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface SunkMail {
  to: string;
  subject: string;
  messageId: string;
  at: number;
}

export interface CountingSink {
  port: number;
  mails: SunkMail[];
  /** Stops listening and drops open connections: clients see connection refused. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  running(): boolean;
  close(): Promise<void>;
}

function header(raw: string, name: string): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  // A copy, not a slice: V8's sliced strings keep the whole raw message alive (the soak saw the
  // sink hold ~1.4 KB per mail, 4 MB per minute, in its heap).
  return m ? Buffer.from(m[1]!.trim(), 'utf8').toString('utf8') : '';
}

export async function startCountingSink(port = 0): Promise<CountingSink> {
  const mails: SunkMail[] = [];
  let server: SMTPServer | null = null;
  let bound = port;
  const listen = async () => {
    const s = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      closeTimeout: 50,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const subject = header(raw, 'Subject');
          const messageId = header(raw, 'Message-ID');
          for (const r of session.envelope.rcptTo) mails.push({ to: r.address.toLowerCase(), subject, messageId, at: Date.now() });
          cb();
        });
      },
    });
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(bound, '127.0.0.1', () => resolve());
    });
    bound = (s.server.address() as AddressInfo).port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = null;
    if (!s) return;
    // closeTimeout (50 ms) cuts pooled clients' open connections, like a provider that went away.
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return bound;
    },
    mails,
    stop,
    start: listen,
    running: () => server !== null,
    close: stop,
  };
}

/** Per recipient and subject: how many SMTP transmissions, and how many distinct Message-IDs. */
export function tally(mails: readonly SunkMail[]): Map<string, { transmissions: number; messageIds: Set<string> }> {
  const out = new Map<string, { transmissions: number; messageIds: Set<string> }>();
  for (const m of mails) {
    const key = `${m.to}|${m.subject}`;
    const t = out.get(key) ?? { transmissions: 0, messageIds: new Set<string>() };
    t.transmissions += 1;
    t.messageIds.add(m.messageId);
    out.set(key, t);
  }
  return out;
}
