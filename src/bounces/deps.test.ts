import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness } from '../../test/harness.js';
import { createContact } from '../contacts/contacts.js';
import { findMessage, recordOutcome, reserveMessage } from '../messages/records.js';
import { suppressionsOf } from '../suppression/suppressions.js';
import { startConfiguredBounceListener } from './deps.js';
import { dsnMail, sendRaw, verpOf } from './test-fixtures.js';

describe.each(backends())('the bounce listener as `qatra start` wires it on %s', (kind) => {
  it('is not started without QATRA_BOUNCE_SMTP_PORT; with it, it makes its STARTTLS certificate in the data directory, listens, applies the soft-bounce limit from the config and counts mails by result', async () => {
    const off = await createHarness(kind);
    expect((await startConfiguredBounceListener(off.deps)).port).toBeNull();
    await off.close();

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-bounce-deps-'));
    const h = await createHarness(kind, { bounceSmtpPort: 0, host: '127.0.0.1', softBounceLimit: 1, dataDir });
    const t = await h.tenant();
    const listener = await startConfiguredBounceListener(h.deps);
    try {
      expect(listener.port).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(dataDir, 'bounce-tls', 'cert.pem'))).toBe(true);
      const c = await createContact(h.deps, t.workspaceId, { email: 'once@example.org' });
      const { message } = await reserveMessage(
        h.deps.store.db,
        { workspaceId: t.workspaceId, contactId: c.id, channel: 'email', kind: 'marketing', idempotencyKey: 'k1', to: 'once@example.org' },
        h.clock.now(),
      );
      await recordOutcome(h.deps.store.db, message.id, { status: 'sent' }, h.clock.now());
      const verp = await verpOf(h.deps.store, message);
      await sendRaw(listener.port!, verp, dsnMail({ to: verp, recipient: 'once@example.org', status: '4.2.2' }));
      expect((await findMessage(h.deps.store.db, message.id))!.status).toBe('bounced');
      // softBounceLimit 1: the first soft bounce suppresses.
      expect((await suppressionsOf(h.deps.store.db, t.workspaceId, 'once@example.org')).map((s) => s.reason)).toEqual(['hard_bounce']);
      // A forged report (no signature) is only counted.
      const forged = `bounces+${message.id}@bounces.example.com`;
      await sendRaw(listener.port!, forged, dsnMail({ to: forged, recipient: 'once@example.org', status: '5.1.1' }));
      const metrics = await h.deps.metrics.registry.metrics();
      expect(metrics).toContain('qatra_bounce_mails_total{result="applied"} 1');
      expect(metrics).toContain('qatra_bounce_mails_total{result="refused"} 1');
    } finally {
      await listener.close();
      await h.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
