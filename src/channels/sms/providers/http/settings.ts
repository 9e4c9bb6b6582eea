/**
 * @module The generic HTTP provider's settings, for a local aggregator's API:
 *  - `url`: where to send; placeholders allowed in its path and query (percent-encoded), never in
 *    its scheme, host or port (a message's text must not choose where Qatra connects);
 *  - `method`: POST (default) or GET (no body: put the fields in the URL's query);
 *  - `headers`: sent as given (an API key, …), no placeholders;
 *  - `bodyTemplate` (POST): see ./template.ts; `contentType` `json` (default) or `form` says how it
 *    is encoded and escaped, and which Content-Type is sent;
 *  - `idPath`: where the aggregator's message id is in its JSON answer (`data.id`, `messages.0.id`);
 *    without it the message's own record id is the provider id;
 *  - `successStatuses`: the 2xx statuses that mean accepted (default 200, 201, 202);
 *  - `timeoutMs`: per request (default 10 s).
 * `parseHttpProviderSettings` refuses bad settings with a ValidationError naming the field.
 */
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../../../core/errors.js';
import { compileTemplate, HOSTILE_SAMPLE, PLACEHOLDERS, renderTemplate, type Template } from './template.js';

export const httpProviderSettingsSchema = z.object({
  url: z.string().min(1).max(2000),
  method: z.enum(['POST', 'GET']).default('POST'),
  headers: z.record(z.string().min(1).max(200), z.string().max(4000)).default({}),
  bodyTemplate: z.string().max(16_384).optional(),
  contentType: z.enum(['json', 'form']).default('json'),
  idPath: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted path such as data.id or messages.0.id')
    .optional(),
  successStatuses: z.array(z.number().int().min(200).max(299)).min(1).max(20).default([200, 201, 202]),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
});

export type HttpProviderSettingsInput = z.input<typeof httpProviderSettingsSchema>;

export interface HttpProviderSettings {
  method: 'POST' | 'GET';
  url: Template;
  /** The URL's scheme, host and port, fixed. */
  origin: string;
  headers: Readonly<Record<string, string>>;
  body: Template | null;
  contentType: 'json' | 'form';
  idPath: readonly string[] | null;
  successStatuses: ReadonlySet<number>;
  timeoutMs: number | undefined;
}

/** Forbidden header names: the transport sets these, or they change how the request is framed. */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);

const unknownPlaceholders = (names: readonly string[]) => `unknown placeholder ${names.map((n) => `{{${n}}}`).join(', ')} (known: ${PLACEHOLDERS.join(', ')})`;

export function parseHttpProviderSettings(input: unknown, path = 'settings'): HttpProviderSettings {
  const parsed = httpProviderSettingsSchema.safeParse(input);
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ path: [path, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message })));
  const s = parsed.data;
  const issues: FieldIssue[] = [];

  const origin = /^(https?:\/\/[^/?#{}]+)(?:[/?#]|$)/i.exec(s.url)?.[1];
  if (!origin) issues.push({ path: at('url'), message: 'must be an http(s) URL whose host has no placeholder' });
  const url = compileTemplate(s.url, 'url');
  if ('unknown' in url) issues.push({ path: at('url'), message: unknownPlaceholders(url.unknown) });
  else if (origin) {
    try {
      new URL(renderTemplate(url, HOSTILE_SAMPLE));
    } catch {
      issues.push({ path: at('url'), message: 'is not a valid URL' });
    }
  }

  for (const name of Object.keys(s.headers)) {
    if (RESERVED_HEADERS.has(name.toLowerCase()) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) issues.push({ path: at(`headers.${name}`), message: 'not a header name that can be set' });
    else if (/[\r\n\0]/.test(s.headers[name]!)) issues.push({ path: at(`headers.${name}`), message: 'a header value cannot contain line breaks' });
    // Node's own rule for header values (visible Latin-1, space, tab): it throws on anything else.
    else if (/[^\t\x20-\x7e\x80-\xff]/.test(s.headers[name]!)) issues.push({ path: at(`headers.${name}`), message: 'a header value can hold only Latin-1 text' });
  }

  let body: Template | null = null;
  if (s.method === 'POST') {
    if (s.bodyTemplate === undefined) issues.push({ path: at('bodyTemplate'), message: 'required when method is POST' });
    else {
      const compiled = compileTemplate(s.bodyTemplate, s.contentType);
      if ('unknown' in compiled) issues.push({ path: at('bodyTemplate'), message: unknownPlaceholders(compiled.unknown) });
      else {
        body = compiled;
        if (s.contentType === 'json') {
          try {
            JSON.parse(renderTemplate(compiled, HOSTILE_SAMPLE));
          } catch {
            issues.push({ path: at('bodyTemplate'), message: 'is not valid JSON once filled in (placeholders for text belong inside quotes: "{{body}}")' });
          }
        }
      }
    }
  } else if (s.bodyTemplate !== undefined) issues.push({ path: at('bodyTemplate'), message: 'a GET has no body: put the placeholders in the url' });

  if (issues.length > 0) throw new ValidationError(issues);
  const lowered: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.headers)) lowered[k.toLowerCase()] = v;
  return {
    method: s.method,
    url: url as Template,
    origin: origin!,
    headers: lowered,
    body,
    contentType: s.contentType,
    idPath: s.idPath ? s.idPath.split('.') : null,
    successStatuses: new Set(s.successStatuses),
    timeoutMs: s.timeoutMs,
  };
}
