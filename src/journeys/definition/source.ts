/**
 * @module Journey documents read from files (YAML or JSON; JSON is parsed as YAML 1.2, which
 * contains it) keep their source positions, so a validation issue's path (`nodes.2.timeout`) can be
 * shown as `file.yaml:LINE:COL`. A path that does not exist in the file (a missing field) is shown
 * at its nearest existing parent.
 */
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { FieldIssue } from '../../core/errors.js';

export interface SourcePosition {
  line: number;
  col: number;
}

export interface SourceDocument {
  file: string;
  /** The parsed value, or undefined when the file has syntax errors (see `syntaxErrors`). */
  raw: unknown;
  syntaxErrors: Array<FieldIssue & SourcePosition>;
  positionOf(path: string): SourcePosition;
}

export function parseSource(file: string, text: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  const syntaxErrors = doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0]!, ...at(e.pos[0]) }));
  return {
    file,
    raw: syntaxErrors.length ? undefined : doc.toJS(),
    syntaxErrors,
    positionOf(path) {
      const keys = path ? path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)) : [];
      for (let n = keys.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
        if (isNode(node) && node.range) return at(node.range[0]);
      }
      return { line: 1, col: 1 };
    },
  };
}

/** `file.yaml:12:5: nodes[2] (id "x"): message` */
export function formatIssue(source: SourceDocument, issue: FieldIssue): string {
  const { line, col } = source.positionOf(issue.path);
  return `${source.file}:${line}:${col}: ${issue.message}`;
}
