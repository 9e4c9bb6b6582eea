/**
 * @module Validation of a /v1/batch body that stops early. A zod issue costs tens of µs to build
 * (a wrongly typed id in a union far more), and 500 KB holds 2,500 calls of nine wrong fields each:
 * validated as one document, a single request bought ~1 s of CPU with a public write key. Here the
 * envelope is checked first (at most MAX_BATCH_ITEMS calls, before any is looked at), then the
 * calls one by one, stopping after MAX_INVALID_CALLS invalid ones. A valid batch costs the same.
 *
 * The issues have the shape fastify-type-provider-zod gives (`instancePath` + `message`), so the
 * route reports them like any other schema failure.
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { batchEnvelope, batchItem, type BatchBody, type SegmentCall } from './segment.js';

export const MAX_INVALID_CALLS = 20;

export type SchemaIssue = FastifySchemaValidationError & { message: string };

const pointer = (path: readonly PropertyKey[]) => `/${path.map(String).join('/')}`;
const issue = (path: readonly PropertyKey[], keyword: string, message: string): SchemaIssue => ({ instancePath: pointer(path), schemaPath: '#', keyword, params: {}, message });

export function validateBatch(data: unknown): { value: BatchBody } | { error: SchemaIssue[] } {
  const envelope = batchEnvelope.safeParse(data);
  const issues: SchemaIssue[] = envelope.success ? [] : envelope.error.issues.map((i) => issue(i.path, i.code, i.message));
  const raw = (data as { batch?: unknown } | null)?.batch;
  // The calls are checked when the batch is an array of allowed length, whatever else is wrong.
  if (!Array.isArray(raw) || issues.some((i) => i.instancePath === '/batch')) return { error: issues };
  const calls: SegmentCall[] = [];
  let invalid = 0;
  for (let i = 0; i < raw.length; i++) {
    const result = batchItem.safeParse(raw[i]);
    if (result.success) {
      calls.push(result.data);
      continue;
    }
    for (const found of result.error.issues) issues.push(issue(['batch', i, ...found.path], found.code, found.message));
    if (++invalid === MAX_INVALID_CALLS && i < raw.length - 1) {
      // First, so that it is listed however many issues the invalid calls had.
      issues.unshift(issue(['batch'], 'stopped', `checking stopped at ${MAX_INVALID_CALLS} invalid calls; the ${raw.length - i - 1} after batch.${i} were not checked`));
      break;
    }
  }
  return issues.length || !envelope.success ? { error: issues } : { value: { ...envelope.data, batch: calls } };
}

/** A route-level validator compiler: the body schema stays for the OpenAPI document only. */
export const batchValidatorCompiler: FastifySchemaCompiler<unknown> = () => (data) => validateBatch(data);
