/**
 * @module Recognises "the database cannot do this now" failures (connection refused or lost, server
 * shutting down, SQLite busy past its timeout), which the API answers with 503 and the worker retries.
 */

const PG_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300', '40001', '40P01']);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (PG_CODES.has(code) || NET_CODES.has(code)) return true;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_IOERR' || code === 'SQLITE_FULL') return true;
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message);
}

/**
 * PostgreSQL's class 22 "data exception" (e.g. 22P05: a \u0000 inside a JSON string, 22003: a number
 * out of range) means the database refused a value the client sent: the request's fault, not ours.
 */
export function isRejectedValue(err: unknown): boolean {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
