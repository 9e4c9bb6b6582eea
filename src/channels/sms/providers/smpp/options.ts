/**
 * @module The SMPP provider's options and their defaults (one function). Times are in ms; the
 * timers they drive (enquire_link, reconnect back-off, submit timeout, throttle slow-down) are real
 * socket timers, so tests pass small values; the clock dependency only dates what outlives a timer
 * (incomplete concatenated MO parts, multi-part receipt bookkeeping).
 */
import { systemClock, type Clock } from '../../../../core/clock.js';

/** What the provider logs through (a pino logger fits). */
export interface SmppLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SmppOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string | undefined;
  /** Sender address type: 5/0 for an alphanumeric sender id, 1/1 for an international number. Default: derived from `from`. */
  sourceTon?: number | undefined;
  sourceNpi?: number | undefined;
  destTon?: number | undefined;
  destNpi?: number | undefined;
  /** Idle time after which an enquire_link is sent; no answer within as long again drops the link. */
  enquireLinkMs?: number | undefined;
  /** Most submit_sm waiting for their submit_sm_resp at once. */
  windowSize?: number | undefined;
  reconnectMinMs?: number | undefined;
  reconnectMaxMs?: number | undefined;
  /** How long one send waits, for a bind and then for each submit_sm_resp, before answering retryable. */
  submitTimeoutMs?: number | undefined;
  /** After ESME_RTHROTTLED / ESME_RMSGQFUL: the window is 1 for this long, and the answer's retryAfterMs. */
  throttleBackoffMs?: number | undefined;
  /** Incomplete concatenated MO messages are dropped after this long. */
  moPartsTtlMs?: number | undefined;
  log?: SmppLog | undefined;
  clock?: Clock | undefined;
}

export type ResolvedSmppOptions = Readonly<
  Required<Omit<SmppOptions, 'sourceTon' | 'sourceNpi' | 'log' | 'systemType'>> & Pick<SmppOptions, 'sourceTon' | 'sourceNpi' | 'log'> & { systemType: string }
>;

export function resolveSmppOptions(options: SmppOptions): ResolvedSmppOptions {
  const windowSize = options.windowSize ?? 10;
  if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError(`windowSize must be a positive integer, got ${windowSize}`);
  return Object.freeze({
    host: options.host,
    port: options.port,
    systemId: options.systemId,
    password: options.password,
    systemType: options.systemType ?? '',
    sourceTon: options.sourceTon,
    sourceNpi: options.sourceNpi,
    destTon: options.destTon ?? 1,
    destNpi: options.destNpi ?? 1,
    enquireLinkMs: options.enquireLinkMs ?? 30_000,
    windowSize,
    reconnectMinMs: options.reconnectMinMs ?? 1_000,
    reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
    submitTimeoutMs: options.submitTimeoutMs ?? 30_000,
    throttleBackoffMs: options.throttleBackoffMs ?? 1_000,
    moPartsTtlMs: options.moPartsTtlMs ?? 10 * 60_000,
    log: options.log,
    clock: options.clock ?? systemClock,
  });
}
