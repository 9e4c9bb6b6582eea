import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { getProvider } from '../providers/providers.js';
import { buildBatch } from './batch.js';
import { deliverBatch, type DeliverDeps } from './deliver.js';
import { testAddress, testPiece } from './pieces.testkit.js';
import { startSftpServer, type TestSftpServer } from './print-drop/sftp-server.testkit.js';

describe.each(backends())('delivering print batches to print houses on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let dataDir: string;
  let printDir: string;
  let sftpRoot: string;
  let sftp: TestSftpServer;
  let deps: DeliverDeps;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-deliver-'));
    printDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-printhouse-'));
    sftpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-sftp-'));
    sftp = await startSftpServer(sftpRoot);
    deps = { store: h.deps.store, clock: h.clock, dataDir, allowPrivateOutbound: true };
  });
  afterAll(async () => {
    await sftp?.close();
    await h?.close();
    for (const d of [dataDir, printDir, sftpRoot]) fs.rmSync(d, { recursive: true, force: true });
  });

  const createViaApi = (payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/api/channels/mail/providers', headers: t.admin, payload });
  const batch = async () => {
    const now = h.clock.now();
    return buildBatch(deps, {
      workspaceId: t.workspaceId,
      sendKey: `broadcast:deliver-${n++}`,
      pieces: [
        await testPiece({ contactId: 'c1', postcode: '75002', now, address: testAddress('75002', { country: 'FR', region: undefined }) }),
        await testPiece({ contactId: 'c2', postcode: '10001', now }),
      ],
    });
  };

  it('print_dir: the batch PDF and manifests land in the directory with a .done marker; pieces get the expected delivery date', async () => {
    const res = await createViaApi({ kind: 'print_dir', name: 'Local printer', settings: { directory: printDir, costPerLetter: 0.85, deliveryDays: { US: 3, '*': 6 } } });
    expect(res.statusCode).toBe(201);
    const provider = await getProvider(h.deps.store.db, h.deps.secretBox, t.workspaceId, 'mail', res.json().id);
    const b = await batch();
    const r = await deliverBatch(deps, t.workspaceId, b.id, provider);
    expect(r).toEqual({ status: 'delivered', location: path.join(printDir, b.id), submitted: 2, failed: 0 });
    expect(fs.readdirSync(path.join(printDir, b.id)).sort()).toEqual(['batch.pdf', 'manifest.csv', 'manifest.json']);
    expect(fs.existsSync(path.join(printDir, `${b.id}.done`))).toBe(true);
    const pieces = await h.deps.store.db.selectFrom('mail_pieces').select(['country', 'status', 'expected_delivery_date']).where('batch_id', '=', b.id).orderBy('country').execute();
    expect(pieces).toEqual([
      { country: 'FR', status: 'submitted', expected_delivery_date: '2026-01-11' },
      { country: 'US', status: 'submitted', expected_delivery_date: '2026-01-08' },
    ]);
    const row = await h.deps.store.db.selectFrom('mail_batches').select(['status', 'delivered_to']).where('id', '=', b.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'delivered', delivered_to: path.join(printDir, b.id) });
    expect(await deliverBatch(deps, t.workspaceId, b.id, provider)).toMatchObject({ status: 'delivered', submitted: 0 });
  });

  it('print_sftp: a password kept sealed, a dead server is retryable, then the batch arrives once', async () => {
    const res = await createViaApi({
      kind: 'print_sftp',
      name: 'Print house',
      settings: { host: '127.0.0.1', port: sftp.port, username: sftp.username, directory: '/', hostKeyFingerprint: sftp.fingerprint },
      secrets: { password: sftp.password },
    });
    expect(res.statusCode).toBe(201);
    expect(JSON.stringify(res.json())).not.toContain(sftp.password);
    const stored = await h.deps.store.db.selectFrom('channel_providers').select('secrets').where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(stored.secrets).not.toContain(sftp.password);
    const provider = await getProvider(h.deps.store.db, h.deps.secretBox, t.workspaceId, 'mail', res.json().id);
    const b = await batch();
    sftp.failAfterWrites = 1;
    const first = await deliverBatch(deps, t.workspaceId, b.id, provider);
    expect(first).toMatchObject({ status: 'retryable', error: expect.stringMatching(/^print drop failed/) as string });
    expect(fs.existsSync(path.join(sftpRoot, `${b.id}.done`))).toBe(false);
    expect((await h.deps.store.db.selectFrom('mail_batches').select('status').where('id', '=', b.id).executeTakeFirstOrThrow()).status).toBe('ready');
    expect(await deliverBatch(deps, t.workspaceId, b.id, provider)).toMatchObject({ status: 'delivered', location: `sftp://printhouse@127.0.0.1:${sftp.port}/${b.id}` });
    expect(fs.readFileSync(path.join(sftpRoot, b.id, 'batch.pdf')).equals(fs.readFileSync(path.join(dataDir, 'mail', t.workspaceId, b.id, 'batch.pdf')))).toBe(true);
    expect(sftp.renames.filter((r) => r.to === `/${b.id}.done`)).toHaveLength(1);
  });

  it('refuses provider settings that do not fit, with the field path', async () => {
    const bad = await createViaApi({ kind: 'print_sftp', name: 'x', settings: { host: 'h', username: 'u', hostKeyFingerprint: 'MD5:aa:bb' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('body.settings.hostKeyFingerprint');
    const rel = await createViaApi({ kind: 'print_dir', name: 'x', settings: { directory: 'relative/dir' } });
    expect(rel.statusCode).toBe(400);
    expect(JSON.stringify(rel.json())).toContain('body.settings.directory');
    const lob = await createViaApi({ kind: 'lob', name: 'x', settings: { from: { name: 'Shop', lines: [], city: 'SF', country: 'usa' } }, secrets: { apiKey: 'k' } });
    expect(lob.statusCode).toBe(400);
    expect(JSON.stringify(lob.json())).toContain('body.settings.from.lines');
  });
});
