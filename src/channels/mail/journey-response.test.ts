/**
 * A journey waits for a piece's response: `wait_for_event mail.responded` resumes along `event`
 * when the contact visits the pURL printed on their piece (the real `/m/:token` route), with the
 * piece and promo code as `event.*`; a contact who never responds times out along `timeout`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { runtimeFixture, type RuntimeFixture } from '../../journeys/runtime/runtime.testkit.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { buildBatch } from './batch.js';
import { newPieceIdentity } from './piece-identity.js';
import { testPiece } from './pieces.testkit.js';

const DAY = 86_400_000;
const count = (id: string) => ({ id, type: 'message', channel: 'counting' });

const journey = {
  id: 'postcard-followup',
  name: 'Postcard follow-up',
  trigger: { type: 'event', event: 'postcard_planned' },
  start: 'wait-response',
  nodes: [
    { id: 'wait-response', type: 'wait_for_event', event: 'mail.responded', where: [{ property: 'channel', op: 'eq', value: 'mail' }], timeout: '14d' },
    count('thank-you'),
    count('reminder'),
    { id: 'responded', type: 'exit' },
    { id: 'silent', type: 'exit' },
  ],
  edges: [
    { from: 'wait-response', output: 'event', to: 'thank-you' },
    { from: 'wait-response', output: 'timeout', to: 'reminder' },
    { from: 'thank-you', to: 'responded' },
    { from: 'reminder', to: 'silent' },
  ],
};

describe.each(backends())('journeys branch on mail.responded on %s', (kind) => {
  let f: RuntimeFixture;
  let dataDir: string;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
    await f.live(journey);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-journey-'));
  });
  afterAll(async () => {
    await f?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const pieceFor = async (contactId: string) => {
    const piece = await testPiece({ contactId, postcode: '10001', now: f.h.clock.now() });
    piece.identity = newPieceIdentity({ trackingSecret: await workspaceSecret(f.h.deps.store, f.t.workspaceId), promoPrefix: 'BACK', now: f.h.clock.now() });
    await buildBatch({ store: f.h.deps.store, clock: f.h.clock, dataDir }, { workspaceId: f.t.workspaceId, sendKey: `broadcast:${piece.identity.id}`, pieces: [piece] });
    return piece;
  };
  const stepsOf = async (runId: string) => (await f.steps(runId)).map((s) => `${s.node}:${s.outcome}`);

  it('a pURL visit resumes the wait along `event`; no visit times out along `timeout`', async () => {
    const responder = await f.contact({ userId: 'mail-responder' });
    const silent = await f.contact({ userId: 'mail-silent' });
    await f.track('mail-responder', 'postcard_planned');
    await f.track('mail-silent', 'postcard_planned');
    await f.worker.drain();
    const piece = await pieceFor(responder.id);
    await pieceFor(silent.id);

    await f.advance(5 * DAY);
    expect((await f.h.app.inject({ method: 'GET', url: `/m/${piece.identity.token}` })).statusCode).toBe(302);
    await f.worker.drain();
    const [run] = (await f.runs('postcard-followup')).filter((r) => r.contactId === responder.id);
    expect(run!.status).toBe('completed');
    expect(run!.event).toMatchObject({ channel: 'mail', pieceId: piece.identity.id, promoCode: piece.identity.promoCode });
    expect(await stepsOf(run!.id)).toEqual(['wait-response:waiting', 'wait-response:event', 'thank-you:sent', 'responded:completed']);

    await f.advance(9 * DAY);
    const [other] = (await f.runs('postcard-followup')).filter((r) => r.contactId === silent.id);
    expect(await stepsOf(other!.id)).toEqual(['wait-response:waiting', 'wait-response:timeout', 'reminder:sent', 'silent:completed']);
  });
});
