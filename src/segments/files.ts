/**
 * @module Segment documents from files, for `qatra segments apply FILE|DIR`: one segment per YAML or
 * JSON file (a directory means every *.yaml, *.yml and *.json directly in it). Every file is read
 * and validated before anything is applied; problems come back as `file:LINE:COL: message`, using
 * the journeys' source positions (src/journeys/definition/source.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../core/errors.js';
import { formatIssue, parseSource } from '../journeys/definition/source.js';
import { parseSegmentInput, type SegmentInput } from './segments.js';

const SEGMENT_FILE = /\.(ya?ml|json)$/i;

export function segmentFiles(target: string): string[] {
  if (!fs.existsSync(target)) throw ValidationError.at('path', `${target}: no such file or directory`);
  if (!fs.statSync(target).isDirectory()) return [target];
  const files = fs
    .readdirSync(target)
    .filter((f) => SEGMENT_FILE.test(f))
    .sort()
    .map((f) => path.join(target, f));
  if (files.length === 0) throw ValidationError.at('path', `${target}: no *.yaml, *.yml or *.json files`);
  return files;
}

export interface CheckedSegments {
  inputs: Array<SegmentInput & { file: string }>;
  /** `file:line:col: message` for every problem; empty when all can be applied. */
  errors: string[];
}

export function checkSegmentFiles(paths: string[]): CheckedSegments {
  const out: CheckedSegments = { inputs: [], errors: [] };
  const seen = new Map<string, string>();
  for (const file of paths) {
    const source = parseSource(file, fs.readFileSync(file, 'utf8'));
    if (source.syntaxErrors.length) {
      for (const e of source.syntaxErrors) out.errors.push(`${file}:${e.line}:${e.col}: ${e.message}`);
      continue;
    }
    let input: SegmentInput;
    try {
      input = parseSegmentInput(source.raw);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const issue of err.issues) out.errors.push(formatIssue(source, { ...issue, message: issue.path ? `${issue.path}: ${issue.message}` : issue.message }));
      continue;
    }
    if (!input.id) {
      out.errors.push(formatIssue(source, { path: '', message: 'id: a segment file needs an id (lowercase slug), so applying it again updates the same segment' }));
      continue;
    }
    const other = seen.get(input.id);
    if (other) out.errors.push(formatIssue(source, { path: 'id', message: `segment "${input.id}" is also defined in ${other}` }));
    seen.set(input.id, file);
    out.inputs.push({ ...input, file });
  }
  return out;
}
