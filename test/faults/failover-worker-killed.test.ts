/**
 * Two email providers, the first failing, and worker processes SIGKILLed mid-batch (issue 19: "a
 * message never goes out twice across providers"). QATRA_FAULT_FAILOVER_CONTACTS contacts (default
 * 400, so the file fits the faults step on a loaded machine; 1,000 with 3 kills on a quiet one) go through a one-email journey; the workspace's provider list is `primary` then `backup`,
 * each a real SMTP server on 127.0.0.1 that parses every mail it accepts (mailparser). Once a third of
 * the mail has arrived, the primary answers every message `451 4.3.2` (retryable, and about the relay itself, not the
 * recipient's domain: src/channels/email/providers/smtp/smtp.ts): its circuit opens after
 * `policy.failures` of them and the mail goes to the backup. Meanwhile a worker is SIGKILLed
 * QATRA_FAULT_KILLS times (default 2) at random moments while another keeps running.
 *
 * At the end: every run finished; every message is `sent`, once; across both sinks each recipient
 * received exactly one distinct Message-ID, the one its record holds, and the set of Message-IDs
 * received is the set recorded (none lost, none invented). As in worker-killed.test.ts, SMTP cannot
 * be exactly-once on the wire: a mail accepted just before a kill, whose "sent" was not committed, is
 * sent again after its lease with the SAME Message-ID (possibly by the other provider), which
 * mailboxes deduplicate; such repeats are counted and bounded by what can be in flight at a kill.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerListInputSchema, saveProviderList } from '../../src/channels/email/routing/list.js';
import { backends } from '../backends.js';
import type { Child } from '../process.js';
import { addContacts, faultWorld, randomBetween, runCounts, size, spawnWorker, stopChild, twoEmailJourney, waitUntil, type FaultWorld } from './kit.js';

const CONTACTS = size('QATRA_FAULT_FAILOVER_CONTACTS', 400);
const KILLS = size('QATRA_FAULT_KILLS', 2);
const kind = backends().at(-1)!;

interface Received {
  to: string;
  messageId: string;
}

/**
 * A real SMTP server that parses what it accepts; once it has accepted `failAfter` messages it
 * answers every further message 451 4.3.2 (the server decides, not a poll of the test: a fast worker
 * could otherwise deliver everything between two polls).
 */
async function parsingSink(failAfter = Infinity) {
  const mails: Received[] = [];
  let failing = false;
  let refused = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 50,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (mails.length >= failAfter) failing = true;
        if (failing) {
          refused++;
          return cb(Object.assign(new Error('4.3.2 Service busy, try again later'), { responseCode: 451 }));
        }
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            for (const r of session.envelope.rcptTo) mails.push({ to: r.address.toLowerCase(), messageId: parsed.messageId ?? '' });
            cb();
          },
          (err: Error) => cb(err),
        );
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    failing: () => failing,
    refused: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const bare = (id: string | null) => (id ?? '').replace(/^<|>$/g, '');

describe(`workers killed while mail fails over between two providers on ${kind}`, () => {
  let w: FaultWorld;
  let primary: Awaited<ReturnType<typeof parsingSink>>;
  let backup: Awaited<ReturnType<typeof parsingSink>>;
  const children: Child[] = [];
  beforeAll(async () => {
    w = await faultWorld(kind);
    primary = await parsingSink(Math.ceil(CONTACTS / 3));
    backup = await parsingSink();
    const smtp = (port: number) => ({ smtp: { host: '127.0.0.1', port, maxConnections: 4, timeoutSeconds: 5 } });
    await saveProviderList(
      w.deps,
      w.workspaceId,
      providerListInputSchema.parse({
        providers: [
          { id: 'primary', name: 'Relay A', kind: 'smtp', settings: smtp(primary.port) },
          { id: 'backup', name: 'Relay B', kind: 'smtp', settings: smtp(backup.port) },
        ],
        policy: { failures: 5, windowSeconds: 60, coolDownSeconds: 3600 },
      }),
    );
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await primary?.close();
    await backup?.close();
    await w?.close();
  });

  it(`${CONTACTS} emails, the primary failing after a third, a worker SIGKILLed ${KILLS} times: each sent once, with its recorded Message-ID, across both`, async () => {
    const ids = await addContacts(w, CONTACTS, 'f');
    await twoEmailJourney(w, 'failover', ids, { emails: 1 });
    const started = Date.now();
    const received = () => primary.mails.length + backup.mails.length;
    const steady = spawnWorker(w);
    children.push(steady);
    let victim = spawnWorker(w);
    children.push(victim);
    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await victim.waitFor(/worker running/, 300_000);
      const target = Math.floor(CONTACTS * randomBetween(0.1 + (0.75 * k) / KILLS, 0.1 + (0.75 * (k + 1)) / KILLS));
      await waitUntil(`${target} mails out`, async () => received() >= target, 300_000, 10).catch((err: Error) => {
        throw new Error(
          `${err.message}: ${primary.mails.length} by the primary (${primary.refused()} refused), ${backup.mails.length} by the backup; steady: ${steady.output().slice(-400)}; victim: ${victim.output().slice(-400)}`,
        );
      });
      if (received() >= CONTACTS) break;
      victim.proc.kill('SIGKILL');
      expect((await victim.exited()).signal).toBe('SIGKILL');
      killedAt.push(received());
      console.log(`killed the victim at ${received()} mails (${Math.round((Date.now() - started) / 1000)} s)`);
      victim = spawnWorker(w);
      children.push(victim);
    }
    await waitUntil('every run to end', async () => (await runCounts(w, 'failover')).open === 0, 300_000, 250);
    const seconds = (Date.now() - started) / 1000;
    // Stopped gracefully (SIGTERM): both exit 0. The last victim may still be starting on a loaded machine.
    expect((await stopChild(steady)).code).toBe(0);
    await victim.waitFor(/worker running/, 300_000);
    expect((await stopChild(victim)).code).toBe(0);

    expect(await runCounts(w, 'failover')).toEqual({ open: 0, completed: CONTACTS, other: 0 });
    const db = w.deps.store.db;
    const records = await db.selectFrom('messages').select(['contact_id', 'status', 'provider', 'header_message_id']).where('workspace_id', '=', w.workspaceId).execute();
    expect(records.length).toBe(CONTACTS);
    expect(records.filter((r) => r.status !== 'sent')).toEqual([]);
    const recorded = new Set(records.map((r) => bare(r.header_message_id)));
    expect(recorded.size).toBe(CONTACTS);

    // Across both sinks: one distinct Message-ID per recipient, the recorded one; nothing else.
    const all = [...primary.mails, ...backup.mails];
    const byRecipient = new Map<string, Set<string>>();
    for (const m of all) byRecipient.set(m.to, (byRecipient.get(m.to) ?? new Set()).add(bare(m.messageId)));
    expect(byRecipient.size).toBe(CONTACTS);
    for (const [to, set] of byRecipient) expect(set.size, to).toBe(1);
    const receivedIds = new Set(all.map((m) => bare(m.messageId)));
    expect([...receivedIds].filter((id) => !recorded.has(id))).toEqual([]);
    expect([...recorded].filter((id) => !receivedIds.has(id))).toEqual([]);

    // The failover happened: both carried mail, the primary's circuit is open, and a message only the backup received is recorded as the backup's.
    const inPrimary = new Set(primary.mails.map((m) => bare(m.messageId)));
    const onlyBackup = records.filter((r) => !inPrimary.has(bare(r.header_message_id)));
    expect(primary.failing()).toBe(true);
    expect(primary.mails.length).toBeGreaterThanOrEqual(Math.ceil(CONTACTS / 3)); // a few more: in flight on its 4 connections as it turned
    expect(onlyBackup.length).toBeGreaterThan(0);
    expect(onlyBackup.filter((r) => r.provider !== 'smtp:backup')).toEqual([]);
    const circuit = await db.selectFrom('email_circuits').select(['state']).where('workspace_id', '=', w.workspaceId).where('provider_id', '=', 'primary').executeTakeFirst();
    expect(circuit?.state).toBe('open');

    const repeated = all.length - receivedIds.size;
    // At a kill, at most a batch of sends (100) can be between the sink's 250 and the commit.
    expect(repeated).toBeLessThanOrEqual(killedAt.length * 100);
    console.log(
      JSON.stringify({
        test: 'failover-worker-killed',
        backend: kind,
        contacts: CONTACTS,
        kills: killedAt.length,
        killedAtMails: killedAt,
        primaryFailedAfterMails: Math.ceil(CONTACTS / 3),
        primaryAccepted: primary.mails.length,
        primaryRefused: primary.refused(),
        backupAccepted: backup.mails.length,
        repeatedTransmissions: repeated,
        seconds,
      }),
    );
  });
});
