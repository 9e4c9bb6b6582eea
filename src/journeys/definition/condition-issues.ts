/**
 * @module Where a condition is wrong. Zod reports a condition that matches no member of the
 * Condition union as one "Invalid input" at the condition itself, which tells an author (or the web
 * app's condition editor, which shows each message beside its row) nothing. A condition says which
 * member it means by its one key (`all`, `any`, `not`, `field`, `performed`), so we report that
 * member's own issues instead, at their full paths (`…condition.all.1.performed.within`), and
 * recurse into nested conditions.
 */
import type { z } from 'zod';
import { Condition } from './schema.js';
import { dotted } from './report.js';
import type { FieldIssue } from '../../core/errors.js';

type Issue = z.core.$ZodIssue;

/** The key each member of the union is recognised by, in the union's order (its first key). */
const MEMBER_KEYS: string[] = (Condition as unknown as z.ZodLazy<z.ZodUnion<z.ZodObject[]>>).unwrap().options.map((o) => Object.keys(o.shape)[0]!);

function at(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = value;
  for (const key of path) cur = cur && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
  return cur;
}

/**
 * The issues of one zod issue over `raw`, with a failed Condition union replaced by the issues of
 * the member the condition names. `base` is the path of the value the issue's path is relative to.
 */
export function conditionIssues(issue: Issue, raw: unknown, base: PropertyKey[] = []): FieldIssue[] {
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length !== MEMBER_KEYS.length) return [{ path: dotted(path), message: issue.message }];
  const value = at(raw, path);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [{ path: dotted(path), message: `a condition is an object with one of ${MEMBER_KEYS.join(', ')}` }];
  const keys = MEMBER_KEYS.filter((k) => k in value);
  if (keys.length !== 1) {
    const message = keys.length ? `a condition has exactly one of ${MEMBER_KEYS.join(', ')} (this one has ${keys.join(' and ')})` : `a condition needs one of ${MEMBER_KEYS.join(', ')}`;
    return [{ path: dotted(path), message }];
  }
  return issue.errors[MEMBER_KEYS.indexOf(keys[0]!)]!.flatMap((inner) => conditionIssues(inner, raw, path));
}
