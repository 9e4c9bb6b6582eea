/**
 * @module Templates as files, for `qatra templates apply`: YAML documents with the template's fields
 * at the top level (`id`, `name`, `kind`, `subject`, `body` or `bodyFile: welcome.mjml`, `layout`,
 * `locales: { fa: { subject, bodyFile } }` …), paths relative to the YAML file. Every input keeps
 * a map back to its source so that errors read `file:line:col: message`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isScalar, type Document, type Node } from 'yaml';
import { ValidationError } from '../core/errors.js';
import type { TemplateInput } from './template.js';

const TOP = ['id', 'name', 'channel', 'kind'];
const CONTENT = ['subject', 'preheader', 'format', 'body', 'bodyFile', 'text', 'textFile', 'from', 'replyTo', 'layout', 'layoutId', 'defaultLocale', 'direction', 'locales'];
const VARIANT = ['subject', 'preheader', 'body', 'bodyFile', 'text', 'textFile'];

export interface LoadedTemplate {
  input: TemplateInput;
  /** `file:line:col` for a field (`body`, `locales.fa.subject`, …) and a position inside its value. */
  locate(field: string, line?: number, column?: number): string;
}

export function listTemplateFiles(target: string): string[] {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) throw ValidationError.at('path', `${target}: no such file or directory`);
  if (stat.isFile()) return [target];
  return fs
    .readdirSync(target, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => path.join(target, f));
}

type Where = { file: string; line: number; column: number; block: boolean; indent: number };

export function loadTemplateFile(file: string, errors: string[]): LoadedTemplate[] {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const counter = new LineCounter();
  const out: LoadedTemplate[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: counter })) {
    if (doc.errors.length) {
      for (const e of doc.errors) errors.push(`${file}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}: ${e.message.split('\n')[0]}`);
      continue;
    }
    if (doc.contents === null) continue;
    const at = (node: Node | null | undefined): Where => {
      const pos = counter.linePos(node?.range?.[0] ?? 0);
      const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
      const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      const indent = block ? (/^ */.exec(lines[pos.line] ?? '')?.[0].length ?? 0) : 0;
      return { file, line: pos.line, column: pos.col + (quoted ? 1 : 0), block, indent };
    };
    const where = new Map<string, Where>();
    const raw = doc.toJS() as Record<string, unknown>;
    if (!isMap(doc.contents) || !raw || typeof raw !== 'object') {
      errors.push(`${file}:${at(doc.contents).line}:1: a template file holds a mapping of fields (id, name, kind, subject, body …)`);
      continue;
    }
    const docStart = at(doc.contents);
    const node = (p: (string | number)[]) => doc.getIn(p, true) as Node | undefined;
    const readFile = (field: string, rel: unknown, p: (string | number)[]): string | undefined => {
      const full = path.resolve(path.dirname(file), String(rel));
      if (!fs.existsSync(full)) {
        const w = at(node(p));
        errors.push(`${file}:${w.line}:${w.column}: ${field}: ${String(rel)} not found`);
        return undefined;
      }
      where.set(field.replace(/File$/, ''), { file: full, line: 1, column: 1, block: false, indent: 0 });
      return fs.readFileSync(full, 'utf8');
    };
    for (const key of Object.keys(raw)) {
      if (!TOP.includes(key) && !CONTENT.includes(key)) errors.push(`${file}:${at(keyNode(doc, [key])).line}:1: unknown field "${key}"`);
    }
    const content: Record<string, unknown> = {};
    for (const key of CONTENT) {
      if (raw[key] === undefined || key === 'locales') continue;
      if (key === 'bodyFile' || key === 'textFile') {
        const v = readFile(key, raw[key], [key]);
        if (v !== undefined) content[key.replace(/File$/, '')] = v;
      } else {
        content[key === 'layout' ? 'layoutId' : key] = raw[key];
        where.set(key === 'layout' ? 'layoutId' : key, at(node([key])));
      }
    }
    if (raw.locales && typeof raw.locales === 'object') {
      const locales: Record<string, Record<string, unknown>> = {};
      for (const [locale, v] of Object.entries(raw.locales as Record<string, Record<string, unknown>>)) {
        const variant: Record<string, unknown> = {};
        for (const [k, value] of Object.entries(v ?? {})) {
          const field = `locales.${locale}.${k}`;
          if (!VARIANT.includes(k)) errors.push(`${file}:${at(keyNode(doc, ['locales', locale, k])).line}:1: unknown field "${field}"`);
          else if (k.endsWith('File')) {
            const textValue = readFile(field, value, ['locales', locale, k]);
            if (textValue !== undefined) variant[k.replace(/File$/, '')] = textValue;
          } else {
            variant[k] = value;
            where.set(field, at(node(['locales', locale, k])));
          }
        }
        locales[locale] = variant;
      }
      content.locales = locales;
    } else if (raw.locales !== undefined) content.locales = raw.locales;
    const input = { id: raw.id, name: raw.name ?? raw.id, channel: raw.channel ?? 'email', kind: raw.kind, content } as TemplateInput;
    out.push({
      input,
      locate(field, line, column) {
        const w = where.get(field.replace(/^content\./, '')) ?? where.get(field.split('.')[0]!);
        if (!w) {
          const top = keyNode(doc, [field.split('.')[0]!]);
          return `${file}:${top ? at(top).line : docStart.line}:1`;
        }
        if (!line) return `${w.file}:${w.line}:${w.column}`;
        if (w.file !== file) return `${w.file}:${line}:${column ?? 1}`;
        if (w.block) return `${file}:${w.line + line}:${w.indent + (column ?? 1)}`;
        return `${file}:${w.line + line - 1}:${line === 1 ? w.column + (column ?? 1) - 1 : (column ?? 1)}`;
      },
    });
  }
  return out;
}

/** The key node of a mapping entry, for pointing at a field that has no usable value. */
function keyNode(doc: Document, p: string[]): Node | undefined {
  const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((i) => isScalar(i.key) && i.key.value === p.at(-1));
  return (pair?.key as Node | undefined) ?? undefined;
}
