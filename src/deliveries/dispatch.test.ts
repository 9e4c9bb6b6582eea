import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import type { Channel, SendRequest, SendResult } from '../channels/channel.js';
import type { Contact } from '../contacts/contact.js';
import { newId } from '../core/ids.js';
import { dispatch, type Dispatch } from './dispatch.js';
import { insertDeliveryRows, settleDeliveries } from './rows.js';
import { settlement } from './statuses.js';

/** A channel that records every batch it was handed, and answers `sent` (or throws when asked). */
function recordingChannel(name: string, options: { throws?: boolean } = {}): Channel & { batches: string[][] } {
  const batches: string[][] = [];
  return {
    name,
    batches,
    async send(): Promise<SendResult> {
      throw new Error('send() must not be used when sendBatch exists');
    },
    async sendBatch(requests: readonly SendRequest[]): Promise<SendResult[]> {
      batches.push(requests.map((r) => r.idempotencyKey));
      if (options.throws) throw new Error('provider exploded');
      return requests.map((r) => ({ status: 'sent', providerMessageId: `${name}:${r.idempotencyKey}` }));
    },
  };
}

describe.each(backends())('the one send-once dispatch on %s', (kind) => {
  let h: Harness;
  let ws: string;
  const contact = (id: string): Contact => ({ id, workspaceId: ws, userId: null, email: `${id}@example.com`, phone: null, timezone: null, locale: null, attributes: {}, createdAt: 0, updatedAt: 0 });
  const send = (channel: string, key: string): Dispatch => ({
    channel,
    request: { workspaceId: ws, contact: contact(`ct_${key}`), idempotencyKey: key, config: {}, context: {}, kind: 'marketing' },
  });
  const pending = async (keys: string[]) => {
    const now = h.clock.now();
    const rows = keys.map((key) => ({
      id: newId('dlv', now),
      workspace_id: ws,
      idempotency_key: key,
      run_id: null,
      journey_id: null,
      node_id: null,
      contact_id: `ct_${key}`,
      channel: 'a',
      kind: 'marketing',
      now,
    }));
    return h.deps.store.transaction((trx) => insertDeliveryRows(trx, h.deps.store.dialect, rows));
  };

  beforeAll(async () => {
    h = await createHarness(kind);
    ws = (await h.tenant()).workspaceId;
  });
  afterAll(async () => h?.close());

  it('hands each channel one batch, in order, and answers unknown channels permanent', async () => {
    const a = recordingChannel('a');
    const b = recordingChannel('b');
    const fresh = await pending(['k1', 'k2', 'k3', 'k4']);
    const results = await dispatch(
      h.deps.store.db,
      new Map([
        ['a', a],
        ['b', b],
      ]),
      [send('a', 'k1'), send('b', 'k2'), send('nope', 'k3'), send('a', 'k4')],
      fresh,
    );
    expect(a.batches).toEqual([['k1', 'k4']]);
    expect(b.batches).toEqual([['k2']]);
    expect(results).toEqual([
      { status: 'sent', providerMessageId: 'a:k1' },
      { status: 'sent', providerMessageId: 'b:k2' },
      { status: 'permanent', reason: 'unknown channel nope' },
      { status: 'sent', providerMessageId: 'a:k4' },
    ]);
  });

  it('never sends again a delivery an earlier attempt recorded as sent (its worker died before moving on)', async () => {
    await pending(['s1', 's2']);
    // The first attempt sent s1 and settled it, then died; s2 was never attempted.
    await h.deps.store.transaction((trx) => settleDeliveries(trx, h.deps.store.dialect, h.clock.now(), [settlement(ws, 's1', { status: 'sent', providerMessageId: 'first' }, true, h.clock.now())]));
    const a = recordingChannel('a');
    // The retry inserted nothing new (fresh is empty), so both keys are looked up.
    const results = await dispatch(h.deps.store.db, new Map([['a', a]]), [send('a', 's1'), send('a', 's2')], new Set());
    expect(a.batches).toEqual([['s2']]);
    expect(results).toEqual([
      { status: 'sent', providerMessageId: 'first' },
      { status: 'sent', providerMessageId: 'a:s2' },
    ]);
  });

  it('turns a channel that throws into retryable answers for its batch only', async () => {
    const fresh = await pending(['t1', 't2']);
    const results = await dispatch(
      h.deps.store.db,
      new Map([
        ['a', recordingChannel('a', { throws: true })],
        ['b', recordingChannel('b')],
      ]),
      [send('a', 't1'), send('b', 't2')],
      fresh,
    );
    expect(results).toEqual([
      { status: 'retryable', reason: 'channel threw: provider exploded' },
      { status: 'sent', providerMessageId: 'b:t2' },
    ]);
  });
});
