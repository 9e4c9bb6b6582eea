/**
 * @module One SMPP 3.4 transceiver link to an SMSC, kept up: connect, bind_transceiver, keep alive,
 * and reconnect with back-off when it drops.
 *
 * States, in order:
 *  - connecting: a TCP connection is being opened, then bind_transceiver is sent;
 *  - bound: submits may go out. Any PDU from the SMSC counts as activity; after `enquireLinkMs`
 *    without one we send enquire_link, and an enquire_link unanswered for as long again means the
 *    link is dead (we drop it). The SMSC's enquire_link is answered at once, its unbind too (then the
 *    link drops);
 *  - waiting: the link dropped or the bind was refused (the reason is kept, logged, and given to
 *    sends as theirs); we reconnect after `reconnectMinMs`, doubling up to `reconnectMaxMs`, and the
 *    back-off starts over after a successful bind;
 *  - closed: close() unbinds (waiting briefly for unbind_resp) and ends the socket; nothing reconnects.
 *
 * When the link drops, every submit still waiting for its submit_sm_resp is answered `lost`: the
 * SMSC may or may not have accepted it, and no one can tell (see ./index.ts on at-least-once).
 */
import smpp from 'smpp';
import type { ResolvedSmppOptions } from './options.js';
import { describeStatus, statusName } from './status.js';

export type SubmitOutcome =
  | { kind: 'response'; status: number; messageId: string }
  /** It left, and no submit_sm_resp came (link dropped, or none within the timeout). */
  | { kind: 'lost'; reason: string }
  /** It never left (not bound, socket not writable). */
  | { kind: 'unsent'; reason: string };

export interface NotBound {
  reason: string;
  code?: string | undefined;
}

type State = 'connecting' | 'bound' | 'waiting' | 'closed';

export class SmppLink {
  private state: State = 'waiting';
  private session: smpp.Session | null = null;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private lastHeardAt = 0;
  private enquireSentAt: number | null = null;
  private lastProblem: NotBound | null = null;
  private readonly bindWaiters = new Set<() => void>();
  /** Submits waiting for their submit_sm_resp → when they stop waiting (performance.now() ms), in send order. */
  private readonly inFlight = new Map<(outcome: SubmitOutcome) => void, number>();
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: ResolvedSmppOptions,
    /** Handles a deliver_sm; answers the command_status of its deliver_sm_resp. */
    private readonly onDeliver: (pdu: smpp.PDU) => Promise<number>,
  ) {
    this.backoffMs = options.reconnectMinMs;
  }

  get bound(): boolean {
    return this.state === 'bound';
  }

  /** False once closed. */
  get open(): boolean {
    return this.state !== 'closed';
  }

  start(): void {
    if (this.state === 'waiting' && !this.reconnectTimer) this.connect();
  }

  /** Resolves null once bound, or why not when `timeoutMs` passes first (or the link is closed). */
  whenBound(timeoutMs: number): Promise<NotBound | null> {
    if (this.state === 'bound') return Promise.resolve(null);
    if (this.state === 'closed') return Promise.resolve({ reason: 'the SMPP provider is closed' });
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.bindWaiters.delete(wake);
        resolve(this.state === 'bound' ? null : (this.lastProblem ?? { reason: 'the SMPP provider is closed' }));
      };
      const timer = setTimeout(() => {
        this.bindWaiters.delete(wake);
        const problem = this.lastProblem;
        resolve({ reason: `not bound to the SMSC within ${timeoutMs} ms${problem ? ` (${problem.reason})` : ''}`, code: problem?.code });
      }, timeoutMs);
      this.bindWaiters.add(wake);
    });
  }

  /**
   * Sends one submit_sm and waits up to `submitTimeoutMs` for its submit_sm_resp. The timeouts are
   * swept by one timer (every tenth of the timeout) rather than one timer set and cleared per submit.
   */
  submit(params: Record<string, unknown>): Promise<SubmitOutcome> {
    const session = this.session;
    if (!session || this.state !== 'bound') return Promise.resolve({ kind: 'unsent', reason: 'not bound to the SMSC' });
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: SubmitOutcome): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(finish);
        resolve(outcome);
      };
      this.inFlight.set(finish, performance.now() + this.options.submitTimeoutMs);
      const written = session.submit_sm(params, (resp) => finish({ kind: 'response', status: resp.command_status, messageId: String(resp.message_id ?? '') }));
      if (!written) {
        // The socket is ending (its close is still to come): stop counting as bound at once, so that
        // sends wait for the next bind instead of trying this socket again in a loop.
        this.state = 'waiting';
        this.lastProblem = { reason: 'the SMPP link dropped' };
        session.destroy();
        finish({ kind: 'unsent', reason: 'the SMPP socket is not writable' });
      }
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const session = this.session;
    const wasBound = this.state === 'bound';
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopKeepAlive();
    for (const wake of [...this.bindWaiters]) wake();
    if (!session) return;
    if (wasBound) {
      // Unbind politely; an SMSC that does not answer within a second is not waited for.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        if (!session.unbind({}, () => (clearTimeout(timer), resolve()))) (clearTimeout(timer), resolve());
      });
    }
    await new Promise<void>((resolve) => {
      if (session.socket.destroyed) return resolve();
      session.destroy(() => resolve());
    });
  }

  private connect(): void {
    this.reconnectTimer = null;
    this.state = 'connecting';
    const session = smpp.connect({ host: this.options.host, port: this.options.port });
    this.session = session;
    session.on('connect', () => {
      session.bind_transceiver({ system_id: this.options.systemId, password: this.options.password, system_type: this.options.systemType, interface_version: 0x34 }, (resp) => {
        if (this.session !== session || this.state !== 'connecting') return;
        if (resp.command_status === 0) return this.onBound();
        this.lastProblem = { reason: `bind_transceiver refused: ${describeStatus(resp.command_status)}`, code: statusName(resp.command_status) };
        this.options.log?.warn({ status: resp.command_status, host: this.options.host, systemId: this.options.systemId }, `smpp: ${this.lastProblem.reason}`);
        session.destroy();
      });
    });
    session.on('error', (err: Error) => {
      if (this.session !== session) return;
      if (this.state === 'connecting') this.lastProblem = { reason: `connection failed: ${err.message}` };
      // A socket error closes the socket anyway; a PDU the package could not parse (too long, say)
      // leaves the stream out of step and the package stops reading it: start over on a new link.
      if (!session.socket.destroyed) session.destroy();
    });
    session.on('close', () => this.onDropped(session));
    session.on('pdu', (pdu: smpp.PDU) => this.onPdu(session, pdu));
  }

  private onBound(): void {
    this.state = 'bound';
    this.backoffMs = this.options.reconnectMinMs;
    this.lastProblem = null;
    this.lastHeardAt = performance.now();
    this.enquireSentAt = null;
    this.options.log?.info({ host: this.options.host, port: this.options.port }, 'smpp: bound (transceiver)');
    this.startKeepAlive();
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(1_000, Math.max(5, Math.floor(this.options.submitTimeoutMs / 10))));
    this.sweepTimer.unref();
    for (const wake of [...this.bindWaiters]) wake();
  }

  private onDropped(session: smpp.Session): void {
    if (this.session !== session) return;
    this.session = null;
    this.stopKeepAlive();
    for (const finish of [...this.inFlight.keys()]) finish({ kind: 'lost', reason: 'the SMPP link dropped before the submit_sm_resp came' });
    if (this.state === 'closed') return;
    if (this.state === 'bound') {
      this.lastProblem = { reason: 'the SMPP link dropped' };
      this.options.log?.warn({ host: this.options.host }, 'smpp: link dropped');
    }
    this.state = 'waiting';
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onPdu(session: smpp.Session, pdu: smpp.PDU): void {
    this.lastHeardAt = performance.now();
    switch (pdu.command) {
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'enquire_link_resp':
        this.enquireSentAt = null;
        return;
      case 'unbind':
        session.send(pdu.response(), () => session.destroy());
        return;
      case 'deliver_sm':
        void this.onDeliver(pdu).then((status) => {
          if (this.session === session) session.send(pdu.response({ command_status: status }));
        });
        return;
      default:
        // Responses are matched to their requests by the package; an unknown request gets generic_nack.
        if (!pdu.isResponse() && pdu.command !== 'alert_notification' && pdu.command !== 'outbind') session.send(pdu.response({ command_status: 0x03 }));
    }
  }

  private startKeepAlive(): void {
    const period = this.options.enquireLinkMs;
    this.keepAliveTimer = setInterval(() => this.keepAlive(), Math.max(10, Math.floor(period / 4)));
    this.keepAliveTimer.unref();
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  private sweep(): void {
    const now = performance.now();
    for (const [finish, until] of this.inFlight) {
      if (until > now) break; // one timeout for all, so insertion order is deadline order
      finish({ kind: 'lost', reason: `no submit_sm_resp within ${this.options.submitTimeoutMs} ms` });
    }
  }

  private keepAlive(): void {
    const session = this.session;
    if (!session || this.state !== 'bound') return;
    const now = performance.now();
    const period = this.options.enquireLinkMs;
    if (this.enquireSentAt !== null) {
      if (now - this.enquireSentAt >= period) {
        this.options.log?.warn({ host: this.options.host }, `smpp: enquire_link unanswered for ${period} ms; dropping the link`);
        session.destroy();
      }
      return;
    }
    if (now - this.lastHeardAt >= period) {
      this.enquireSentAt = now;
      session.enquire_link({});
    }
  }
}
