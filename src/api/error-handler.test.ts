import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { MAX_ERROR_BODY_BYTES, MAX_LISTED_ISSUES, toHttp } from './error-handler.js';

describe('error bodies', () => {
  it('list 20 issues and count them all, name three in the message, and stay under 8 KB however many and however long', () => {
    const hostile = '\u0001'.repeat(5_000);
    const issues = Array.from({ length: 100_000 }, (_, i) => ({ path: `batch.${i}.${hostile}`, message: `bad ${hostile}` }));
    const { status, body } = toHttp(new ValidationError(issues));
    expect(status).toBe(400);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
    expect(body.error.issueCount).toBe(100_000);
    expect(body.error.issues!.length).toBeGreaterThan(0);
    expect(body.error.issues!.length).toBeLessThanOrEqual(MAX_LISTED_ISSUES);
    expect(body.error.message).toMatch(/; and 99997 more issues$/);
  });

  it('keep a short refusal as it was: every issue listed and named', () => {
    const { body } = toHttp(
      new ValidationError([
        { path: 'a', message: 'x' },
        { path: 'b', message: 'y' },
      ]),
    );
    expect(body).toEqual({
      error: {
        code: 'validation_failed',
        message: 'a: x; b: y',
        issues: [
          { path: 'a', message: 'x' },
          { path: 'b', message: 'y' },
        ],
        issueCount: 2,
      },
    });
  });
});
