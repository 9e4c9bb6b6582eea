/**
 * @module Journey documents from files, for `qatra journeys apply FILE|DIR`: a directory means every
 * *.yaml, *.yml and *.json directly in it. Every file is read and validated before anything is
 * applied, and problems come back as `file.yaml:LINE:COL: message` lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FieldIssue } from '../../core/errors.js';
import { ValidationError } from '../../core/errors.js';
import { formatIssue, parseSource, type SourceDocument } from './source.js';
import { validateJourney, type ValidateContext } from './validate.js';
import type { JourneyDocument } from './schema.js';

const JOURNEY_FILE = /\.(ya?ml|json)$/i;

/** The files `target` names, in name order; throws a ValidationError when there are none. */
export function journeyFiles(target: string): string[] {
  if (!fs.existsSync(target)) throw ValidationError.at('path', `${target}: no such file or directory`);
  if (!fs.statSync(target).isDirectory()) return [target];
  const files = fs
    .readdirSync(target)
    .filter((f) => JOURNEY_FILE.test(f))
    .sort()
    .map((f) => path.join(target, f));
  if (files.length === 0) throw ValidationError.at('path', `${target}: no *.yaml, *.yml or *.json files`);
  return files;
}

export interface CheckedFile {
  source: SourceDocument;
  raw: unknown;
  document: JourneyDocument | null;
  warnings: FieldIssue[];
}

export interface CheckedFiles {
  files: CheckedFile[];
  /** `file:line:col: message` for every problem in every file; empty when all can be applied. */
  errors: string[];
  warnings: string[];
}

export async function checkJourneyFiles(paths: string[], ctx: ValidateContext): Promise<CheckedFiles> {
  const out: CheckedFiles = { files: [], errors: [], warnings: [] };
  const byId = new Map<string, CheckedFile>();
  for (const file of paths) {
    const source = parseSource(file, fs.readFileSync(file, 'utf8'));
    if (source.syntaxErrors.length) {
      for (const e of source.syntaxErrors) out.errors.push(`${file}:${e.line}:${e.col}: ${e.message}`);
      continue;
    }
    const result = await validateJourney(source.raw, ctx);
    const checked: CheckedFile = { source, raw: source.raw, document: result.document, warnings: result.warnings };
    out.files.push(checked);
    for (const issue of result.errors) out.errors.push(formatIssue(source, issue));
    for (const issue of result.warnings) out.warnings.push(`${formatIssue(source, issue)} (warning)`);
    if (!result.document) continue;
    const other = byId.get(result.document.id);
    if (other) out.errors.push(formatIssue(source, { path: 'id', message: `journey "${result.document.id}" is also defined in ${other.source.file}` }));
    else byId.set(result.document.id, checked);
  }
  return out;
}
