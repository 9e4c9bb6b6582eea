/**
 * @module Reads the model's answer into candidate texts. Models asked for JSON often wrap it in a
 * ```json fence, answer a bare list, or ignore the request and number lines; each of those is read.
 * What cannot be read at all is an `assistant_bad_answer` (the caller's UpstreamError).
 */
import { UpstreamError } from '../core/errors.js';

export type Candidate = Record<string, string>;

function unfence(text: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  return (fenced ? fenced[1]! : text).trim();
}

function fromJson(text: string): unknown[] | null {
  const start = text.search(/[[{]/);
  if (start < 0) return null;
  try {
    const parsed: unknown = JSON.parse(text.slice(start));
    if (Array.isArray(parsed)) return parsed;
    if (parsed && typeof parsed === 'object') {
      const list = (parsed as { suggestions?: unknown }).suggestions;
      if (Array.isArray(list)) return list;
      return [parsed];
    }
  } catch {
    // not JSON after all: the caller tries lines
  }
  return null;
}

/**
 * The candidates in an answer: each a map of field → text (`field` for a plain string). Objects keep
 * only the string values of `fields`; anything else in the answer is ignored.
 */
export function readCandidates(answer: string, fields: readonly string[], field: string): Candidate[] {
  const text = unfence(answer);
  const list = fromJson(text);
  if (list) {
    const out: Candidate[] = [];
    for (const item of list) {
      if (typeof item === 'string') out.push({ [field]: item });
      else if (item && typeof item === 'object') {
        const picked = Object.fromEntries(fields.flatMap((f) => (typeof (item as Record<string, unknown>)[f] === 'string' ? [[f, (item as Record<string, string>)[f]!]] : [])));
        if (Object.keys(picked).length) out.push(picked);
      }
    }
    if (out.length) return out;
  }
  if (fields.length === 1) {
    const lines = text
      .split('\n')
      .map((l) => l.replace(/^\s*(?:\d+[.)]|[-*•])\s+/, '').trim())
      .map((l) => l.replace(/^"(.*)"$/, '$1'))
      .filter(Boolean);
    if (lines.length) return lines.map((l) => ({ [field]: l }));
  }
  throw new UpstreamError('assistant_bad_answer', 'the assistant endpoint gave an answer Qatra cannot use: no suggestions could be read from it', false);
}
