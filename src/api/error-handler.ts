/**
 * @module The one place where errors become HTTP responses. Every error body has the same shape:
 * `{ error: { code, message, issues?: [{ path, message }], issueCount? } }`.
 *
 * Every error body is small, whatever the request: at most MAX_LISTED_ISSUES issues are listed and
 * `issueCount` tells how many there were; the message names the first few and counts the rest
 * (never repeats them all); paths and messages are clipped, and the whole body stays under
 * MAX_ERROR_BODY_BYTES. A 480 KB batch of 240,000 bad items once answered with a 35 MB body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './deps.js';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  AuthError,
  BodyTooLargeError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  QatraError,
  UnavailableError,
  TooManyRequestsError,
  UpstreamError,
  ValidationError,
  summarizeIssues,
  type FieldIssue,
} from '../core/errors.js';
import { isDatabaseUnavailable, isRejectedValue } from '../store/unavailable.js';
import type { Metrics } from '../metrics/metrics.js';

interface ErrorBody {
  error: { code: string; message: string; issues?: FieldIssue[]; issueCount?: number };
}

export const MAX_LISTED_ISSUES = 20;
export const MAX_ERROR_BODY_BYTES = 8 * 1024;
const MAX_MESSAGE_CHARS = 500;
const MAX_ISSUE_PATH_CHARS = 200;
const MAX_ISSUE_MESSAGE_CHARS = 300;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function body(code: string, message: string, issues?: readonly FieldIssue[]): ErrorBody {
  const clipped = clip(message, MAX_MESSAGE_CHARS);
  if (!issues) return { error: { code, message: clipped } };
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => ({ path: clip(i.path, MAX_ISSUE_PATH_CHARS), message: clip(i.message, MAX_ISSUE_MESSAGE_CHARS) }));
  const out = { error: { code, message: clipped, issues: listed, issueCount: issues.length } };
  // JSON escapes (a control character takes six bytes) can still swell a body: list fewer issues.
  while (listed.length > 1 && Buffer.byteLength(JSON.stringify(out)) > MAX_ERROR_BODY_BYTES) listed.pop();
  return out;
}

function fromPointer(context: string | undefined, pointer: string): string {
  const parts = pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [context, ...parts].filter(Boolean).join('.');
}

export function toHttp(err: unknown): { status: number; body: ErrorBody } {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: fromPointer(err.validationContext, v.instancePath),
      message: v.message ?? 'invalid',
    }));
    return { status: 400, body: body('validation_failed', summarizeIssues(issues), issues) };
  }
  if (err instanceof QatraError) {
    if (err instanceof ValidationError) return { status: 400, body: body(err.code, err.message, err.issues) };
    if (err instanceof NotFoundError) return { status: 404, body: body(err.code, err.message) };
    if (err instanceof ConflictError) {
      return { status: 409, body: body(err.code, err.message, err.path ? [{ path: err.path, message: err.message }] : undefined) };
    }
    if (err instanceof AuthError) return { status: 401, body: body(err.code, err.message) };
    if (err instanceof ForbiddenError) return { status: 403, body: body(err.code, err.message) };
    // Segment answers oversize calls with 400 (docs/standards.md §16); we keep that for every endpoint.
    if (err instanceof PayloadTooLargeError) {
      return { status: 400, body: body(err.code, err.message, err.path ? [{ path: err.path, message: err.message }] : undefined) };
    }
    if (err instanceof BodyTooLargeError) return { status: 413, body: body(err.code, err.message, [{ path: 'body', message: err.message }]) };
    if (err instanceof UnavailableError) return { status: 503, body: body(err.code, err.message) };
    if (err instanceof TooManyRequestsError) return { status: 429, body: body(err.code, err.message) };
    if (err instanceof UpstreamError) return { status: err.retryable ? 503 : 502, body: body(err.code, err.message) };
    return { status: 500, body: body(err.code, err.message) };
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: body('unavailable', 'the database is unavailable; nothing was stored, retry later') };
  }
  if (isRejectedValue(err)) {
    const detail = (err as Error).message;
    return { status: 400, body: body('invalid_value', `the database refused a value: ${detail}`, [{ path: 'body', message: detail }]) };
  }
  const fe = err as FastifyError;
  if (fe && typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 400, body: body('payload_too_large', fe.message, [{ path: 'body', message: fe.message }]) };
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: body('unsupported_media_type', fe.message) };
    const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 400;
    return { status, body: body('bad_request', fe.message, [{ path: 'body', message: fe.message }]) };
  }
  if (err instanceof SyntaxError || (fe && fe.statusCode === 400)) {
    return { status: 400, body: body('bad_request', fe.message, [{ path: 'body', message: fe.message }]) };
  }
  return { status: 500, body: body('internal', 'internal error') };
}

export function installErrorHandler(app: App, metrics: Metrics): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body: payload } = toHttp(err);
    metrics.errors.inc({ code: payload.error.code });
    if (status >= 500) request.log.error({ err }, 'request failed');
    if (status === 503) reply.header('Retry-After', '5');
    if (err instanceof TooManyRequestsError) reply.header('Retry-After', String(err.retryAfterSeconds));
    return reply.status(status).send(payload);
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.errors.inc({ code: 'not_found' });
    return reply.status(404).send(body('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
