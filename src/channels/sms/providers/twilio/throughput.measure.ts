/**
 * @module Measures the Twilio-compatible provider's throughput against raw keep-alive HTTP POSTs of
 * the same form bodies to the same test server (./server.testkit.ts), in one process, with the same
 * concurrency and connection count. The ratio provider/raw is what the SMS bench holds to ≥ 0.8.
 *
 *   node --import tsx src/channels/sms/providers/twilio/throughput.measure.ts [N=5000] [concurrency=32] [rounds=3]
 *
 * Rounds alternate raw and provider (after a warm-up of each) and the best round of each is kept, so
 * a burst of load from elsewhere on the machine hurts neither side alone. Prints one JSON line.
 */
import http from 'node:http';
import os from 'node:os';
import type { SmsMessage } from '../../provider.js';
import { createTwilioProvider } from './provider.js';
import { startTwilioServer } from './server.testkit.js';

const N = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const ROUNDS = Number(process.argv[4] ?? 3);

const names = ['سارة', 'محمد', 'فاطمة', 'علي', 'مریم', 'رضا'];
const messages: SmsMessage[] = Array.from({ length: N }, (_, i) => ({
  recordId: `msg_${i}`,
  idempotencyKey: `run:${i}:step:1`,
  to: `+9665${String(10_000_000 + i).slice(-8)}`,
  from: 'Qatra-AD',
  body: `مرحبا ${names[i % names.length]}، طلبك رقم ${1000 + i} جاهز للاستلام. للإلغاء أرسل STOP`,
  encoding: 'ucs2',
  segments: 1,
  statusCallbackUrl: 'https://qatra.example/hooks/sms/twilio/prv_1/status',
}));

async function pool(count: number, one: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return (count / (performance.now() - started)) * 1000;
}

const server = await startTwilioServer();
const base = new URL(`${server.baseUrl}/2010-04-01/Accounts/${server.accountSid}/Messages.json`);
const auth = `Basic ${Buffer.from(`${server.accountSid}:${server.authToken}`).toString('base64')}`;

// The raw side: the same bodies, prepared outside the timing, posted over a keep-alive agent.
const rawBodies = messages.map((m) => new URLSearchParams({ To: m.to, From: m.from, Body: m.body, StatusCallback: m.statusCallbackUrl! }).toString());
const rawAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const rawPost = (body: string) =>
  new Promise<void>((resolve, reject) => {
    const req = http.request(base, {
      method: 'POST',
      agent: rawAgent,
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 201) return reject(new Error(`raw: HTTP ${res.statusCode}`));
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve();
      });
    });
    req.end(body);
  });

const provider = createTwilioProvider({ accountSid: server.accountSid, authToken: server.authToken, baseUrl: server.baseUrl, allowPrivateOutbound: true });
const viaProvider = async (i: number) => {
  const result = await provider.send(messages[i]!);
  if (result.status !== 'sent') throw new Error(`provider: ${JSON.stringify(result)}`);
};

await pool(Math.min(N, 500), (i) => rawPost(rawBodies[i]!));
await pool(Math.min(N, 500), viaProvider);
const raw: number[] = [];
const prov: number[] = [];
for (let r = 0; r < ROUNDS; r += 1) {
  server.received.length = 0;
  raw.push(await pool(N, (i) => rawPost(rawBodies[i]!)));
  server.received.length = 0;
  prov.push(await pool(N, viaProvider));
}
const best = (xs: number[]) => Math.max(...xs);
console.log(
  JSON.stringify({
    figure: 'sms.twilio.provider_vs_raw',
    n: N,
    concurrency: CONCURRENCY,
    rawPerSec: Math.round(best(raw)),
    providerPerSec: Math.round(best(prov)),
    ratio: Number((best(prov) / best(raw)).toFixed(3)),
    rounds: { raw: raw.map(Math.round), provider: prov.map(Math.round) },
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
  }),
);
await provider.close();
rawAgent.destroy();
await server.close();
