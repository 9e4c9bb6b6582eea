/**
 * @module Throughput of the SMPP provider against a bare `smpp` session, in one run, against the test
 * SMSC on 127.0.0.1: N Arabic (UCS-2, one part each) messages through `sendBatch`, and the same bodies
 * as raw submit_sm PDUs pipelined with the same window. Rounds alternate so that load on the machine
 * falls on both alike; the best and the median rounds of each are compared (the lead's bench needs
 * provider/raw ≥ 0.8). Both build their PDUs (UCS-2 encoding included) inside the timed part.
 *
 *   node --import tsx src/channels/sms/providers/smpp/throughput.measure.ts [N=5000] [rounds=3] [window=10]
 */
import os from 'node:os';
import smpp from 'smpp';
import { analyzeSms } from '../../encoding.js';
import type { SmsMessage } from '../../provider.js';
import { createSmppProvider } from './index.js';
import { recordingEvents, startTestSmsc, type TestSmsc } from './server.testkit.js';

const N = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 3);
const WINDOW = Number(process.argv[4] ?? 10);

const bodies = Array.from({ length: N }, (_, i) => `عرضنا الخاص لك اليوم رقم ${i}: خصم ٢٠٪ على كل شيء`);
const messages: SmsMessage[] = bodies.map((body, i) => {
  const { encoding, segments } = analyzeSms(body);
  return { recordId: `r${i}`, idempotencyKey: `k${i}`, to: '+966501234567', from: 'Qatra', body, encoding, segments };
});
if (messages.some((m) => m.encoding !== 'ucs2' || m.segments !== 1)) throw new Error('the bodies must be one-part UCS-2');

interface Timing {
  ms: number;
  /** CPU time of this process (client and test SMSC both) over the timed part. */
  cpuMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function viaProvider(smsc: TestSmsc): Promise<Timing> {
  const provider = createSmppProvider({ host: '127.0.0.1', port: smsc.port, systemId: 'qatra', password: 'secret', windowSize: WINDOW }, recordingEvents());
  await provider.send(messages[0]!); // bound
  const cpu = process.cpuUsage();
  const started = performance.now();
  const results = await provider.sendBatch!(messages);
  const timing = { ms: performance.now() - started, cpuMs: cpuMsSince(cpu) };
  await provider.close();
  if (results.some((r) => r.status !== 'sent')) throw new Error('provider: not all sent');
  return timing;
}

async function raw(smsc: TestSmsc): Promise<Timing> {
  const session = smpp.connect({ host: '127.0.0.1', port: smsc.port });
  await new Promise<void>((resolve, reject) =>
    session.on('connect', () => session.bind_transceiver({ system_id: 'qatra', password: 'secret' }, (pdu) => (pdu.command_status === 0 ? resolve() : reject(new Error('bind'))))),
  );
  // Built while sending, as the provider builds its PDUs inside its timed batch.
  const pdu = (body: string) => ({
    source_addr: 'Qatra',
    source_addr_ton: 5,
    source_addr_npi: 0,
    destination_addr: '966501234567',
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    registered_delivery: 1,
    data_coding: 8,
    esm_class: 0,
    short_message: Buffer.from(body, 'utf16le').swap16(),
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let done = 0;
    const pump = (): void => {
      while (next < bodies.length && next - done < WINDOW) {
        session.submit_sm(pdu(bodies[next++]!), (resp) => {
          if (resp.command_status !== 0) return reject(new Error('raw: refused'));
          if (++done === bodies.length) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const timing = { ms: performance.now() - started, cpuMs: cpuMsSince(cpu) };
  await new Promise<void>((resolve) => session.unbind({}, () => session.destroy(() => resolve())));
  return timing;
}

const smsc = await startTestSmsc();
const rates = { provider: [] as number[], raw: [] as number[] };
const perCpuSecond = { provider: [] as number[], raw: [] as number[] };
const record = (kind: 'provider' | 'raw', t: Timing): void => {
  rates[kind].push((N / t.ms) * 1000);
  perCpuSecond[kind].push((N / t.cpuMs) * 1000);
};
await raw(smsc); // warm-up of both paths (JIT, sockets)
await viaProvider(smsc);
for (let round = 0; round < ROUNDS; round++) {
  smsc.submits.length = 0;
  record('raw', await raw(smsc));
  smsc.submits.length = 0;
  record('provider', await viaProvider(smsc));
}
await smsc.close();
const best = (xs: number[]) => Math.max(...xs);
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
const line = (label: string, xs: number[], unit: string) => console.log(`${label} best ${best(xs).toFixed(0)} ${unit}, median ${median(xs).toFixed(0)} (rounds: ${fmt(xs)})`);
console.log(`N=${N} Arabic UCS-2 one-part messages, window ${WINDOW}, ${ROUNDS} alternating rounds`);
line('raw submit_sm, wall:', rates.raw, 'msg/s');
line('provider,      wall:', rates.provider, 'msg/s');
line('raw submit_sm, CPU: ', perCpuSecond.raw, 'msg/CPU-s');
line('provider,      CPU: ', perCpuSecond.provider, 'msg/CPU-s');
console.log(`ratio provider/raw, wall: best ${(best(rates.provider) / best(rates.raw)).toFixed(3)}, median ${(median(rates.provider) / median(rates.raw)).toFixed(3)}`);
console.log(`ratio provider/raw, CPU:  median ${(median(perCpuSecond.provider) / median(perCpuSecond.raw)).toFixed(3)} (CPU time is less at the mercy of other processes)`);
console.log(
  `load average: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${os.cpus().length} CPUs)`,
);
