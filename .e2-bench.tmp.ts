import { emailKit } from './src/channels/email/test-kit.js';
const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const N = Number(process.argv[3] ?? 500);
const conc = Number(process.argv[4] ?? 10);
const k = await emailKit(kind);
await k.configure({ smtp: { host: k.sink.host, port: k.sink.port, maxConnections: Number(process.argv[5] ?? 5) } });
const contacts = [];
for (let i = 0; i < N; i++) contacts.push(await k.contact(`p${i}@example.org`, { first_name: `P${i}` }));
const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: conc }, async () => {
  while (next < N) { const i = next++; const r = await k.send(contacts[i]!, { template: 'welcome-1', key: `b:${i}` }); if (r.status !== 'sent') throw new Error(JSON.stringify(r)); }
}));
const sentMs = performance.now() - t0; console.log('all send() returned after', sentMs.toFixed(0), 'ms; sink has', k.sink.mails.length);
await k.sink.waitFor(N, 120_000);
const ms = performance.now() - t0;
console.log(`${kind}: ${N} marketing emails (render+track+DKIM+SMTP), concurrency ${conc}: ${ms.toFixed(0)} ms = ${(N / (ms / 1000)).toFixed(0)} msg/s`);
await k.close();
