/**
 * @module A real DNS server for tests, on 127.0.0.1 over UDP (node:dgram + dns-packet): it answers
 * TXT and A questions from a zone the test gives (name → records) and NXDOMAIN for any other name.
 * A TXT record longer than 255 bytes is sent in 255-byte chunks, as real zones do. `resolver()` is
 * a node:dns/promises Resolver pointed at it.
 */
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import dnsPacket from 'dns-packet';

export interface Zone {
  txt?: Record<string, string[]>;
  a?: Record<string, string[]>;
}

export interface DnsServer {
  port: number;
  zone: Zone;
  /** Questions asked, `TYPE name`. */
  asked: string[];
  resolver(): Resolver;
  close(): Promise<void>;
}

const chunks = (s: string) => {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 255) out.push(s.slice(i, i + 255));
  return out.length ? out : [''];
};

export async function startDnsServer(zone: Zone): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    asked.push(`${question.type} ${name}`);
    const known = (zone.txt && name in zone.txt) || (zone.a && name in zone.a);
    const answers: dnsPacket.Answer[] = [];
    if (question.type === 'TXT') for (const r of zone.txt?.[name] ?? []) answers.push({ type: 'TXT', name: question.name, ttl: 60, class: 'IN', data: chunks(r) });
    if (question.type === 'A') for (const r of zone.a?.[name] ?? []) answers.push({ type: 'A', name: question.name, ttl: 60, class: 'IN', data: r });
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      // NXDOMAIN (rcode 3) for a name the zone does not hold; an empty answer (NODATA) for a known name.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3),
      questions: [question],
      answers,
    });
    socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    port,
    zone,
    asked,
    resolver() {
      const r = new Resolver({ timeout: 1000, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      return r;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
