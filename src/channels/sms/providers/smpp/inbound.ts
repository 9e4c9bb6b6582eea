/**
 * @module Mobile-originated messages: the text of a deliver_sm (decoded by its data_coding), and the
 * reassembly of concatenated ones from their UDH (IE 00: 8-bit reference, IE 08: 16-bit), keyed by
 * sender, recipient and reference. Parts may arrive in any order and more than once; an incomplete
 * message is dropped after `ttlMs` (by the injected clock), and at most `maxPending` are kept.
 */
import type { Clock } from '../../../../core/clock.js';

export interface Concatenation {
  reference: number;
  total: number;
  seq: number;
}

/** The concatenation IE among a UDH's information elements, if any. */
export function concatenationOf(udh: readonly Buffer[] | undefined): Concatenation | null {
  for (const ie of udh ?? []) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return { reference: ie[2]!, total: ie[3]!, seq: ie[4]! };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return { reference: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
  }
  return null;
}

interface Pending {
  firstAt: number;
  total: number;
  parts: Map<number, string>;
}

export interface Assembled {
  text: string;
  /** Forget the parts: call once the message was handed on (so a redelivered last part can complete it again if that failed). */
  done(): void;
}

export class MoAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxPending = 10_000,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** The whole text once every part is in; null while parts are missing. */
  add(from: string, to: string, concat: Concatenation | null, text: string): Assembled | null {
    if (!concat || concat.total <= 1) return { text, done: () => {} };
    if (concat.seq < 1 || concat.seq > concat.total) return null;
    const now = this.clock.now();
    this.expire(now);
    const key = `${from}\u0000${to}\u0000${concat.reference}\u0000${concat.total}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxPending) this.pending.delete(this.pending.keys().next().value!);
      entry = { firstAt: now, total: concat.total, parts: new Map() };
      this.pending.set(key, entry);
    }
    entry.parts.set(concat.seq, text);
    if (entry.parts.size < entry.total) return null;
    const whole = Array.from({ length: entry.total }, (_, i) => entry.parts.get(i + 1) ?? '').join('');
    return { text: whole, done: () => this.pending.delete(key) };
  }

  private expire(now: number): void {
    for (const [key, entry] of this.pending) {
      if (now - entry.firstAt < this.ttlMs) break; // insertion order is age order
      this.pending.delete(key);
    }
  }
}
