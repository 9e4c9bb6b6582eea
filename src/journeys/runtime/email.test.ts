import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { emailKit, type EmailKit } from '../../channels/email/test-kit.js';
import type { EmailChannel } from '../../channels/email/index.js';
import { applyJourney } from '../journeys.js';
import { Worker } from '../../worker/worker.js';
import { createRuntime, type JourneyRuntime } from './runtime.js';
import { journeyTask } from './scheduler.js';

describe.each(backends())('journeys sending email on %s', (kind) => {
  let kit: EmailKit;
  let rt: JourneyRuntime;
  beforeAll(async () => {
    kit = await emailKit(kind);
    rt = createRuntime(kit.h.deps);
  });
  afterAll(async () => {
    await (rt?.channels.get('email') as EmailChannel | undefined)?.close();
    await kit?.close();
  });

  it('a message node on the email channel goes through the registry to real SMTP, once', async () => {
    await applyJourney(kit.h.deps, kit.t.workspaceId, {
      id: 'receipts',
      name: 'Receipts',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'receipt',
      nodes: [
        { id: 'receipt', type: 'message', channel: 'email', template: 'receipt', kind: 'transactional' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'receipt', to: 'done' }],
    });
    const contact = await kit.contact('buyer@example.com');
    const worker = new Worker([journeyTask(rt)], { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) });
    const enrolled = await kit.h.app.inject({ method: 'POST', url: '/api/journeys/receipts/enroll', headers: kit.t.admin, payload: { contactIds: [contact.id] } });
    expect(enrolled.statusCode).toBe(200);
    await worker.drain();
    const mails = await kit.sink.waitFor(1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.envelope.rcptTo).toEqual(['buyer@example.com']);
    expect(mails[0]!.parsed.subject).toMatch(/^Your receipt/);
    const [run] = await kit.h.deps.store.db.selectFrom('journey_runs').selectAll().where('journey_id', '=', 'receipts').execute();
    expect(run!.status).toBe('completed');
    const delivery = await kit.h.deps.store.db.selectFrom('deliveries').selectAll().where('run_id', '=', run!.id).executeTakeFirstOrThrow();
    expect(delivery.status).toBe('sent');
    await worker.drain();
    expect(kit.sink.mails).toHaveLength(1);
  });
});
