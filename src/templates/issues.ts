/**
 * @module What validation finds in a template: errors (the save is refused) and warnings (saved,
 * and shown). Positions are in the author's source of that field, so an editor or the CLI can
 * point at `body:12:5`.
 */
import { ValidationError, type FieldIssue } from '../core/errors.js';

export interface TemplateIssue {
  /** `subject`, `body`, `text`, `locales.fa.body`, `layout(base).body`, … */
  field: string;
  line?: number;
  column?: number;
  message: string;
  severity: 'error' | 'warning';
}

export function formatIssue(i: Pick<TemplateIssue, 'field' | 'line' | 'column' | 'message'>): string {
  const at = i.line ? `${i.field}:${i.line}:${i.column ?? 1}` : i.field;
  return `${at}: ${i.message}`;
}

/** The save was refused; `problems` keeps each issue's template and position (the CLI maps them to files). */
export class TemplateValidationError extends ValidationError {
  constructor(
    readonly problems: Array<TemplateIssue & { templateId: string; index: number }>,
    prefixTemplateId = false,
  ) {
    const issues: FieldIssue[] = problems.map((p) => ({
      path: prefixTemplateId ? `${p.templateId}.${p.field}` : p.field,
      message: p.line ? `${p.line}:${p.column ?? 1}: ${p.message}` : p.message,
    }));
    super(issues, problems.map((p) => (prefixTemplateId ? `${p.templateId}: ` : '') + formatIssue(p)).join('; '));
  }
}

/** A template failed while rendering (a missing partial, a time or size limit, a bad filter argument). */
export class TemplateRenderError extends ValidationError {
  constructor(
    readonly templateId: string,
    readonly part: string,
    detail: { line?: number; column?: number; message: string },
  ) {
    const message = detail.line ? `${detail.line}:${detail.column ?? 1}: ${detail.message}` : detail.message;
    super([{ path: part, message }], `template ${templateId} ${formatIssue({ field: part, ...detail })}`);
  }
}
