/**
 * @module Collects validation issues. Every issue has a dotted field path (`nodes.3.timeout`) and a
 * message that names the node or edge it is about (`nodes[3] (id "wait-1"): …`), so an author can
 * find it in a long document; the CLI maps the path back to a line of the source file.
 */
import type { FieldIssue } from '../../core/errors.js';

export class Report {
  readonly errors: FieldIssue[] = [];
  readonly warnings: FieldIssue[] = [];

  constructor(private readonly raw: unknown) {}

  error(path: string, message: string): void {
    this.errors.push({ path, message: this.label(path) + message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message: this.label(path) + message });
  }

  /** `nodes[3] (id "wait-1"): ` or `edges[2] (from "a" to "b"): ` for paths inside a node or edge. */
  private label(path: string): string {
    const m = /^(nodes|edges)\.(\d+)(?:\.|$)/.exec(path);
    if (!m) return '';
    const list = (this.raw as Record<string, unknown> | null)?.[m[1]!];
    const item = Array.isArray(list) ? (list[Number(m[2])] as Record<string, unknown> | undefined) : undefined;
    const str = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : null);
    if (m[1] === 'nodes') {
      const id = str(item?.id);
      return `nodes[${m[2]}]${id ? ` (id ${id})` : ''}: `;
    }
    const from = str(item?.from);
    const to = str(item?.to);
    return `edges[${m[2]}]${from && to ? ` (from ${from} to ${to})` : ''}: `;
  }
}

/** Dotted path of a zod issue path. */
export function dotted(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}
