/**
 * @module A test SMSC: a real SMPP 3.4 server (the `smpp` package's) on 127.0.0.1 for the provider's
 * tests and measurement. It checks bind credentials, answers submit_sm with ids and records each one
 * (addresses, data_coding, esm_class, UDH and short_message octets), and can be told to misbehave:
 * throttle the next N submits, drop the connection after N submits or before answering the next one,
 * refuse binds, stay silent to enquire_link; and to send delivery receipts and (concatenated) MO messages.
 */
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import type { SmsInbound, SmsProviderEvents, SmsReceipt } from '../../provider.js';
import { encodeText } from './parts.js';
import { ESME_RTHROTTLED } from './status.js';

export interface RecordedSubmit {
  sourceAddr: string;
  sourceTon: number;
  sourceNpi: number;
  destinationAddr: string;
  destTon: number;
  destNpi: number;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** The whole UDH (its length octet first), or null. */
  udh: Buffer | null;
  /** The short_message octets after the UDH. */
  body: Buffer;
  /** The body decoded by data_coding. */
  text: string;
  /** The command_status answered (or null: the connection was dropped instead). */
  status: number | null;
  messageId: string | null;
}

export interface TestSmscOptions {
  systemId?: string;
  password?: string;
}

export interface MoOptions {
  from: string;
  to: string;
  text: string;
  encoding: 'gsm7' | 'ucs2';
  /** Split into concatenated parts of this many characters (with an 8-bit reference UDH). */
  partChars?: number;
  /** The order the parts go in (1-based), default in order. */
  order?: number[];
}

export interface TestSmsc {
  readonly port: number;
  readonly submits: RecordedSubmit[];
  readonly binds: { accepted: number; refused: number };
  /** performance.now() of each bind_transceiver received. */
  readonly bindTimes: number[];
  /** unbind PDUs received from the client. */
  readonly unbinds: number;
  /** enquire_link PDUs received from the client. */
  readonly enquireLinks: number;
  /** deliver_sm_resp command_status values, in order. */
  readonly deliverResponses: number[];
  throttleNext(n: number, status?: number): void;
  /** Answer the next submits with these command_status values, in order (0 accepts). */
  answerNext(statuses: number[]): void;
  /** Answer the next `n` submits, then destroy the connection. */
  dropAfterSubmits(n: number): void;
  /** Destroy the connection when the next submit arrives, without answering it. */
  dropOnNextSubmit(): void;
  /** Destroy every open connection now. */
  dropAll(): void;
  /** Refuse binds with this status (e.g. ESME_RBINDFAIL) until `acceptBinds()`. */
  refuseBinds(status: number): void;
  acceptBinds(): void;
  /** Hold submit_sm_resp back until `release()` (answers then go in order). */
  holdResponses(): { release(): void };
  ignoreEnquireLink(ignore: boolean): void;
  sendReceipt(receipt: { messageId: string; stat: string; err?: string; doneDate?: string; tlvs?: boolean; text?: string }): Promise<number>;
  sendMo(mo: MoOptions): Promise<number[]>;
  sendEnquireLink(): Promise<void>;
  /** Send unbind on the bound session; resolves with the unbind_resp's command_status. */
  sendUnbind(): Promise<number>;
  /** Write raw octets on the bound session (a malformed PDU). */
  sendRaw(bytes: Buffer): void;
  /** Resolves when `predicate` holds (polled every 5 ms), or rejects after `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Decoded {
  udh?: Buffer[];
  message?: string | Buffer;
}

/** The octets the package decoded, back again: GSM 03.38 and UCS-2 round-trip exactly. */
function record(pdu: smpp.PDU): RecordedSubmit {
  const sm = pdu.short_message as Decoded;
  const dataCoding = Number(pdu.data_coding);
  const text = typeof sm.message === 'string' ? sm.message : (sm.message ?? Buffer.alloc(0)).toString('latin1');
  const body = typeof sm.message === 'string' ? encodeText(sm.message, dataCoding === 8 ? 'ucs2' : 'gsm7') : (sm.message ?? Buffer.alloc(0));
  const ies = sm.udh ?? [];
  const udh = ies.length > 0 ? Buffer.concat([Buffer.from([ies.reduce((n, ie) => n + ie.length, 0)]), ...ies]) : null;
  return {
    sourceAddr: String(pdu.source_addr),
    sourceTon: Number(pdu.source_addr_ton),
    sourceNpi: Number(pdu.source_addr_npi),
    destinationAddr: String(pdu.destination_addr),
    destTon: Number(pdu.dest_addr_ton),
    destNpi: Number(pdu.dest_addr_npi),
    dataCoding,
    esmClass: Number(pdu.esm_class),
    registeredDelivery: Number(pdu.registered_delivery),
    udh,
    body,
    text,
    status: null,
    messageId: null,
  };
}

export async function startTestSmsc(options: TestSmscOptions = {}): Promise<TestSmsc> {
  const systemId = options.systemId ?? 'qatra';
  const password = options.password ?? 'secret';
  const submits: RecordedSubmit[] = [];
  const binds = { accepted: 0, refused: 0 };
  const bindTimes: number[] = [];
  const deliverResponses: number[] = [];
  let enquireLinks = 0;
  let unbinds = 0;
  const scripted: number[] = [];
  let dropAfter: number | null = null;
  let dropNext = false;
  let refuseStatus: number | null = null;
  let ignoreEnquire = false;
  let held: Array<() => void> | null = null;
  let nextId = 1;
  let moReference = 0;
  const bound = new Set<smpp.Session>();

  const server = smpp.createServer({}, (session) => {
    session.on('error', () => {});
    session.socket.on('close', () => bound.delete(session));
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      bindTimes.push(performance.now());
      const status = refuseStatus ?? (pdu.system_id === systemId && pdu.password === password ? 0 : smpp.errors.ESME_RINVPASWD!);
      if (status === 0) {
        binds.accepted++;
        bound.add(session);
      } else binds.refused++;
      session.send(pdu.response({ command_status: status, system_id: 'testsmsc' }));
    });
    session.on('enquire_link', (pdu: smpp.PDU) => {
      enquireLinks++;
      if (!ignoreEnquire) session.send(pdu.response());
    });
    session.on('unbind', (pdu: smpp.PDU) => {
      unbinds++;
      session.send(pdu.response(), () => session.close());
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      const entry = record(pdu);
      submits.push(entry);
      if (dropNext) {
        dropNext = false;
        session.destroy();
        return;
      }
      const status = scripted.shift() ?? 0;
      const messageId = status === 0 ? `m${(nextId++).toString(16).padStart(8, '0')}` : null;
      entry.status = status;
      entry.messageId = messageId;
      const answer = (): void => {
        if (session.socket.destroyed) {
          entry.status = null;
          entry.messageId = null;
          return;
        }
        session.send(status === 0 ? pdu.response({ message_id: messageId }) : pdu.response({ command_status: status }));
        if (dropAfter !== null && --dropAfter <= 0) {
          dropAfter = null;
          session.destroy();
        }
      };
      if (held) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  function aSession(): smpp.Session {
    const session = [...bound].find((s) => !s.socket.destroyed);
    if (!session) throw new Error('test SMSC: no bound session');
    return session;
  }

  function deliver(params: Record<string, unknown>): Promise<number> {
    return new Promise((resolve, reject) => {
      const ok = aSession().deliver_sm(params, (resp) => {
        deliverResponses.push(resp.command_status);
        resolve(resp.command_status);
      });
      if (!ok) reject(new Error('test SMSC: session not writable'));
    });
  }

  return {
    port,
    submits,
    binds,
    bindTimes,
    get enquireLinks() {
      return enquireLinks;
    },
    get unbinds() {
      return unbinds;
    },
    deliverResponses,
    throttleNext(n, status = ESME_RTHROTTLED) {
      for (let i = 0; i < n; i++) scripted.push(status);
    },
    answerNext(statuses) {
      scripted.push(...statuses);
    },
    dropAfterSubmits(n) {
      dropAfter = n;
    },
    dropOnNextSubmit() {
      dropNext = true;
    },
    dropAll() {
      for (const session of [...server.sessions]) session.destroy();
    },
    refuseBinds(status) {
      refuseStatus = status;
    },
    acceptBinds() {
      refuseStatus = null;
    },
    holdResponses() {
      held = [];
      return {
        release() {
          const answers = held ?? [];
          held = null;
          for (const answer of answers) answer();
        },
      };
    },
    ignoreEnquireLink(ignore) {
      ignoreEnquire = ignore;
    },
    sendReceipt({ messageId, stat, err = '000', doneDate = '2601051230', tlvs = false, text }) {
      const body = text ?? `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2601051229 done date:${doneDate} stat:${stat} err:${err} text:hello`;
      const state: Record<string, number> = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };
      return deliver({
        source_addr: '966501234567',
        source_addr_ton: 1,
        source_addr_npi: 1,
        destination_addr: 'Qatra',
        esm_class: 0x04,
        data_coding: 0,
        short_message: Buffer.from(body, 'latin1'),
        ...(tlvs ? { receipted_message_id: messageId, message_state: state[stat] ?? 7 } : {}),
      });
    },
    async sendMo({ from, to, text, encoding, partChars, order }) {
      const common = { source_addr: from.replace(/^\+/, ''), source_addr_ton: from.startsWith('+') ? 1 : 0, source_addr_npi: 1, destination_addr: to, data_coding: encoding === 'ucs2' ? 8 : 0 };
      if (!partChars || text.length <= partChars) return [await deliver({ ...common, esm_class: 0, short_message: encodeText(text, encoding) })];
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += partChars) chunks.push(text.slice(i, i + partChars));
      const reference = moReference++ & 0xff;
      const statuses: number[] = [];
      for (const seq of order ?? chunks.map((_, i) => i + 1)) {
        const udh = Buffer.from([0x05, 0x00, 0x03, reference, chunks.length, seq]);
        statuses.push(await deliver({ ...common, esm_class: 0x40, short_message: Buffer.concat([udh, encodeText(chunks[seq - 1]!, encoding)]) }));
      }
      return statuses;
    },
    sendRaw(bytes) {
      aSession().socket.write(bytes);
    },
    sendUnbind() {
      return new Promise((resolve, reject) => {
        if (!aSession().unbind({}, (resp) => resolve(resp.command_status))) reject(new Error('test SMSC: session not writable'));
      });
    },
    sendEnquireLink() {
      return new Promise((resolve, reject) => {
        if (!aSession().enquire_link({}, () => resolve())) reject(new Error('test SMSC: session not writable'));
      });
    },
    async until(predicate, timeoutMs = 5_000) {
      const start = performance.now();
      while (!predicate()) {
        if (performance.now() - start > timeoutMs) throw new Error(`test SMSC: condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      for (const session of [...server.sessions]) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Provider events that record what arrives. */
export function recordingEvents(): SmsProviderEvents & { receipts: SmsReceipt[]; inbound: SmsInbound[] } {
  const receipts: SmsReceipt[] = [];
  const inbound: SmsInbound[] = [];
  return {
    receipts,
    inbound,
    onReceipt: (receipt) => void receipts.push(receipt),
    onInbound: (message) => void inbound.push(message),
  };
}

/** A logger that keeps its messages (the provider's `log` option). */
export function recordingLog(): { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (_obj, msg) => void lines.push(`info ${msg}`),
    warn: (_obj, msg) => void lines.push(`warn ${msg}`),
  };
}
