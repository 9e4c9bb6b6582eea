/**
 * @module The service layer's error model. Services throw these; the HTTP layer maps them to
 * responses in exactly one place (src/api/error-handler.ts) and the CLI prints them.
 */

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `batch.3.userId`; empty for the whole input. */
  path: string;
  message: string;
}

export abstract class QatraError extends Error {
  abstract readonly code: string;
}

/** How many issues a ValidationError's message names; the rest are counted, not repeated. */
export const MESSAGE_ISSUES = 3;

/** `path: message` of the first issues, then how many more: bounded however many issues there are. */
export function summarizeIssues(issues: readonly FieldIssue[]): string {
  const named = issues.slice(0, MESSAGE_ISSUES).map((i) => {
    const text = i.path ? `${i.path}: ${i.message}` : i.message;
    return text.length > 120 ? `${text.slice(0, 120)}…` : text; // so that the count at the end survives any clipping
  });
  const more = issues.length - named.length;
  return more > 0 ? `${named.join('; ')}; and ${more} more issue${more === 1 ? '' : 's'}` : named.join('; ');
}

export class ValidationError extends QatraError {
  readonly code = 'validation_failed';
  constructor(
    readonly issues: FieldIssue[],
    message?: string,
  ) {
    super(message ?? summarizeIssues(issues));
  }
  static at(path: string, message: string): ValidationError {
    return new ValidationError([{ path, message }]);
  }
}

export class NotFoundError extends QatraError {
  readonly code = 'not_found';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export class ConflictError extends QatraError {
  readonly code = 'conflict';
  constructor(
    message: string,
    readonly path = '',
  ) {
    super(message);
  }
}

export class AuthError extends QatraError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends QatraError {
  readonly code = 'forbidden';
}

export class PayloadTooLargeError extends QatraError {
  readonly code = 'payload_too_large';
  constructor(
    message: string,
    readonly path = '',
  ) {
    super(message);
  }
}

/**
 * A request body longer than its route takes, refused with HTTP 413 before it is read to the end.
 * Browser bodies (`text/plain`, sendBeacon) use it; Segment's JSON calls keep their documented 400
 * (PayloadTooLargeError).
 */
export class BodyTooLargeError extends QatraError {
  readonly code = 'payload_too_large';
  constructor(readonly limitBytes: number) {
    super(`request body over ${limitBytes} bytes`);
  }
}

/** Too much work of this kind is already running or waiting for the caller (e.g. previews per workspace): retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends QatraError {
  readonly code = 'too_many_requests';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/** The database could not be reached or refused the work; nothing was acknowledged. */
export class UnavailableError extends QatraError {
  readonly code = 'unavailable';
}

/**
 * A service Qatra called for the user (the writing assistant's endpoint, …) failed. `retryable`:
 * it may work in a moment (HTTP 503 with Retry-After); otherwise its answer or configuration is
 * wrong (HTTP 502). `code` names the case for the client (e.g. `assistant_key_refused`).
 */
export class UpstreamError extends QatraError {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
