import { describe, expect, it } from 'vitest';
import { createSignals } from './signal-bus.js';
import type { Signal, SignalSink } from './signals.js';
import type { Db } from '../store/store.js';

// The bus never touches the transaction itself; the sinks here only record what they were given.
const trx = {} as Db;
const created = (contactId: string): Signal => ({ kind: 'contact_created', workspaceId: 'ws', contactId });

describe('the signal bus', () => {
  it('calls every sink in order with the whole batch, and none for an empty batch', async () => {
    const calls: string[] = [];
    const sink = (name: string): SignalSink => ({ record: async (_t, signals, now) => void calls.push(`${name}:${signals.length}@${now}`) });
    const bus = createSignals([sink('a'), sink('b'), sink('c')]);
    await bus.emit(trx, [created('1'), created('2')], 5);
    await bus.emit(trx, [], 6);
    expect(calls).toEqual(['a:2@5', 'b:2@5', 'c:2@5']);
  });

  it('stops at a failing sink and rejects, so the emitting transaction rolls back', async () => {
    const calls: string[] = [];
    const bus = createSignals([{ record: async () => void calls.push('a') }, { record: async () => Promise.reject(new Error('sink down')) }, { record: async () => void calls.push('c') }]);
    await expect(bus.emit(trx, [created('1')], 1)).rejects.toThrow('sink down');
    expect(calls).toEqual(['a']);
  });

  it('forget reaches every sink that caches, and only those', () => {
    const forgotten: string[] = [];
    const bus = createSignals([
      { record: async () => {}, forget: (ws) => void forgotten.push(`a:${ws}`) },
      { record: async () => {} },
      { record: async () => {}, forget: (ws) => void forgotten.push(`c:${ws}`) },
    ]);
    bus.forget('ws_1');
    expect(forgotten).toEqual(['a:ws_1', 'c:ws_1']);
  });

  it('a sink built with the bus emits through it to every sink, itself included', async () => {
    const seen: string[] = [];
    const bus = createSignals((signals) => [
      {
        // Like scoring: reacts to a created contact by emitting an update in the same transaction.
        async record(t, batch, now) {
          for (const s of batch) if (s.kind === 'contact_created') await signals.emit(t, [{ kind: 'contact_updated', workspaceId: 'ws', contactId: s.contactId, changed: ['x'] }], now);
        },
      },
      { record: async (_t, batch) => void seen.push(...batch.map((s) => s.kind)) },
    ]);
    await bus.emit(trx, [created('1')], 1);
    expect(seen).toEqual(['contact_updated', 'contact_created']);
  });
});
