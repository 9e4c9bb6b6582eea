/**
 * @module Converts a zod failure from a service-level parse into our ValidationError, with each
 * issue's field path. In core/ because services parse too, and services do not import the HTTP layer.
 */
import type { z } from 'zod';
import { ValidationError } from './errors.js';

/** Converts a zod failure from a service-level parse into our ValidationError. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, prefix = ''): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message })));
}
