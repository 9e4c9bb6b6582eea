/**
 * @module A bare SMTP client on a raw socket, for throwing arbitrary bytes at the bounce listener:
 * it sends each line exactly as given (no validation, no encoding) and collects the reply codes.
 */
import net from 'node:net';

export interface SmtpExchange {
  /** The first reply code after each step (banner first); 0 when the server closed without answering. */
  codes: number[];
}

/** Sends `steps` one by one, waiting for the server's reply to each (a reply is complete at `NNN ` ). */
export async function smtpDialogue(port: number, steps: Array<string | Buffer>, timeoutMs = 5000): Promise<SmtpExchange> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error('smtp dialogue timed out')));
  let buffer = '';
  let closed = false;
  const waiters: Array<() => void> = [];
  socket.on('data', (d: Buffer) => {
    buffer += d.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  socket.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => undefined);
  const reply = async (): Promise<number> => {
    for (;;) {
      const m = /^(\d{3}) .*\r\n/m.exec(buffer);
      if (m) {
        buffer = buffer.slice(m.index + m[0].length);
        return Number(m[1]);
      }
      if (closed) return 0;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const codes = [await reply()];
  for (const step of steps) {
    if (closed) break;
    socket.write(step);
    codes.push(await reply());
  }
  socket.end();
  return { codes };
}

/** A whole mail transaction: envelope, DATA with `body` (dot-stuffed), end of data, QUIT. */
export function mailSteps(from: string, to: string, body: Buffer): Array<string | Buffer> {
  const stuffed = Buffer.from(body.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
  return ['EHLO fuzz.example\r\n', `MAIL FROM:<${from}>\r\n`, `RCPT TO:<${to}>\r\n`, 'DATA\r\n', Buffer.concat([stuffed, Buffer.from('\r\n.\r\n')]), 'QUIT\r\n'];
}
