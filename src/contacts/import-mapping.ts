/**
 * @module Contacts import, the mapping: what each column of a file becomes (a contact field, a typed
 * attribute, or nothing) and how one row becomes a checked record (src/contacts/import-readers.ts
 * reads the rows, src/contacts/import-writer.ts writes the records).
 *
 * - Columns (CSV): the headers `user_id`/`userId`, `email`, `phone`, `timezone`, `locale` are fields;
 *   `id`, `created_at`, `updated_at` (our own export's columns) are skipped; `attributes.NAME` and
 *   every other header is an attribute. A header may carry a type, `score:number`; so may a flag
 *   (`types`). Types: string (default), number, boolean, date (YYYY-MM-DD kept as written, an ISO
 *   8601 instant normalized to UTC), json. An empty cell leaves the field or attribute as it was.
 * - The postal address: the headers `address.name`, `address.line1` … `address.line3`, `address.city`,
 *   `address.region`, `address.postcode`, `address.country` (or `--map COLUMN=address.city`). A row
 *   with any of them replaces the contact's whole address, checked by its country's rules
 *   (./postal-address-validate.ts); a row with none leaves it as it was.
 */
import { parseIsoTime } from '../core/iso-time.js';
import { ValidationError, type FieldIssue } from '../core/errors.js';
import type { Json, JsonObject } from '../core/json.js';
import { contactCreateBody } from './schemas.js';
import { normalizeEmail } from './contact.js';
import { isValidTimeZone } from '../core/time-zone.js';
import type { PostalAddress } from './postal-address.js';
import { readPostalAddress } from './postal-address-validate.js';

export const CONTACT_FIELDS = ['userId', 'email', 'phone', 'timezone', 'locale'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'date', 'json'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const ADDRESS_PARTS = ['name', 'line1', 'line2', 'line3', 'city', 'region', 'postcode', 'country'] as const;
export type AddressPart = (typeof ADDRESS_PARTS)[number];
const ADDRESS_PREFIX = 'address.';

export type ColumnTarget = { kind: 'field'; field: ContactField } | { kind: 'address'; part: AddressPart } | { kind: 'attribute'; name: string; type: AttributeType } | { kind: 'ignore' };

function addressTarget(name: string): ColumnTarget | null {
  const part = name.toLowerCase().startsWith(ADDRESS_PREFIX) ? name.slice(ADDRESS_PREFIX.length).toLowerCase() : '';
  return (ADDRESS_PARTS as readonly string[]).includes(part) ? { kind: 'address', part: part as AddressPart } : null;
}

export interface ColumnOptions {
  /** column → `userId|email|phone|timezone|locale` or `attributes.NAME`. */
  map?: Record<string, string>;
  ignore?: string[];
  /** column → attribute type. */
  types?: Record<string, AttributeType>;
}

/** One good row, ready to upsert. `line` is where it starts in the file (1-based). */
export interface ImportRecord {
  line: number;
  userId?: string;
  email?: string;
  phone?: string;
  timezone?: string;
  locale?: string;
  address?: PostalAddress;
  attributes: JsonObject;
}

export type RowResult = { ok: true; record: ImportRecord } | { ok: false; line: number; reason: string };

const FIELD_ALIASES: Record<string, ContactField> = {
  user_id: 'userId',
  userid: 'userId',
  email: 'email',
  phone: 'phone',
  timezone: 'timezone',
  time_zone: 'timezone',
  locale: 'locale',
};
const EXPORT_ONLY = new Set(['id', 'created_at', 'updated_at', 'createdat', 'updatedat']);
export const ATTR_PREFIX = 'attributes.';

/** `score:number` → { name: 'score', type: 'number' }; a suffix that is not a type stays in the name. */
export function splitHeader(header: string): { name: string; type?: AttributeType } {
  const m = /^(.*):(string|number|boolean|date|json)$/.exec(header);
  return m ? { name: m[1]!, type: m[2] as AttributeType } : { name: header };
}

/** What a header means without flags. */
export function defaultTarget(name: string, type: AttributeType | undefined): ColumnTarget {
  if (name === '') return { kind: 'ignore' };
  if (name.startsWith(ATTR_PREFIX) && name.length > ATTR_PREFIX.length) return { kind: 'attribute', name: name.slice(ATTR_PREFIX.length), type: type ?? 'string' };
  const field = type === undefined ? FIELD_ALIASES[name.toLowerCase()] : undefined;
  if (field) return { kind: 'field', field };
  const address = type === undefined ? addressTarget(name) : null;
  if (address) return address;
  if (type === undefined && EXPORT_ONLY.has(name.toLowerCase())) return { kind: 'ignore' };
  return { kind: 'attribute', name, type: type ?? 'string' };
}

function parseTarget(to: string, type: AttributeType | undefined): ColumnTarget | null {
  if (to.startsWith(ATTR_PREFIX) && to.length > ATTR_PREFIX.length) return { kind: 'attribute', name: to.slice(ATTR_PREFIX.length), type: type ?? 'string' };
  const field = (CONTACT_FIELDS as readonly string[]).includes(to) ? (to as ContactField) : FIELD_ALIASES[to.toLowerCase()];
  return field ? { kind: 'field', field } : addressTarget(to);
}

/** Decides what each column of `header` becomes; throws one ValidationError listing every problem. */
export function planColumns(header: string[], options: ColumnOptions = {}): ColumnTarget[] {
  const issues: FieldIssue[] = [];
  const cols = header.map((h) => splitHeader(h.trim()));
  const targets = cols.map((c) => defaultTarget(c.name, c.type));
  const find = (col: string, flag: string): number => {
    let i = cols.findIndex((c) => c.name === col);
    if (i < 0) i = header.findIndex((h) => h.trim() === col);
    if (i < 0) issues.push({ path: flag, message: `no column "${col}" in the header (${header.join(',')})` });
    return i;
  };
  for (const [col, to] of Object.entries(options.map ?? {})) {
    const i = find(col, '--map');
    if (i < 0) continue;
    const target = parseTarget(to, cols[i]!.type);
    if (target) targets[i] = target;
    else issues.push({ path: '--map', message: `${col}=${to}: the target must be userId, email, phone, timezone, locale, address.PART or attributes.NAME` });
  }
  for (const col of options.ignore ?? []) {
    const i = find(col, '--ignore');
    if (i >= 0) targets[i] = { kind: 'ignore' };
  }
  for (const [col, type] of Object.entries(options.types ?? {})) {
    const i = find(col, `--${type}`);
    const t = targets[i];
    if (t === undefined) continue;
    if (t.kind === 'attribute') targets[i] = { ...t, type };
    else
      issues.push({ path: `--${type}`, message: `column "${col}" is ${t.kind === 'field' ? `the ${t.field} field` : t.kind === 'address' ? `the address ${t.part}` : 'ignored'}, not an attribute` });
  }
  const seen = new Map<string, string>();
  targets.forEach((t, i) => {
    const key = t.kind === 'field' ? t.field : t.kind === 'attribute' ? ATTR_PREFIX + t.name : t.kind === 'address' ? ADDRESS_PREFIX + t.part : null;
    if (key === null) return;
    const other = seen.get(key);
    if (other !== undefined) issues.push({ path: 'header', message: `columns "${other}" and "${header[i]}" both map to ${key}` });
    seen.set(key, header[i]!);
  });
  if (!seen.has('userId') && !seen.has('email')) issues.push({ path: 'header', message: 'no userId or email column (name one with --map COLUMN=email)' });
  if (issues.length > 0) throw new ValidationError(issues);
  return targets;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, y: true, n: false, '1': true, '0': false };

/** A cell as an attribute value of `type`, or an error message. */
export function convertCell(raw: string, type: AttributeType): { value: Json } | { error: string } {
  const text = raw.trim();
  switch (type) {
    case 'string':
      return { value: raw };
    case 'number':
      return NUMBER.test(text) && Number.isFinite(Number(text)) ? { value: Number(text) } : { error: `${JSON.stringify(raw)} is not a number` };
    case 'boolean': {
      const b = BOOLEANS[text.toLowerCase()];
      return b === undefined ? { error: `${JSON.stringify(raw)} is not a boolean (true/false, yes/no, 1/0)` } : { value: b };
    }
    case 'date': {
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (day) {
        const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
        if (d.getUTCMonth() === Number(day[2]) - 1 && d.getUTCDate() === Number(day[3])) return { value: text };
      } else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text) && parseIsoTime(text) !== null) {
        return { value: new Date(parseIsoTime(text)!).toISOString() };
      }
      return { error: `${JSON.stringify(raw)} is not a date (YYYY-MM-DD or ISO 8601)` };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) as Json };
      } catch {
        return { error: `${JSON.stringify(raw)} is not valid JSON` };
      }
  }
}

/** Checks the fields with the API's own rules (schemas.ts), so an import accepts what the API accepts. */
export function toRecord(line: number, fields: Partial<Record<ContactField, string>>, attributes: JsonObject, address?: Partial<Record<AddressPart, string>>): RowResult {
  // Time zones are checked first so the reason names them (isValidTimeZone is cached).
  const { timezone, ...rest } = fields;
  if (timezone !== undefined && !isValidTimeZone(timezone)) {
    return { ok: false, line, reason: `invalid timezone ${JSON.stringify(timezone)}: must be an IANA time zone such as Asia/Riyadh` };
  }
  const parsed = contactCreateBody.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const value = fields[field as ContactField];
    const shown = JSON.stringify(value ?? '');
    const reason = `invalid ${field} ${shown}: ${issue.message}`;
    return { ok: false, line, reason };
  }
  const f = parsed.data;
  if (f.userId === undefined && f.email === undefined) return { ok: false, line, reason: 'no userId or email' };
  const record: ImportRecord = { line, attributes };
  if (f.userId !== undefined) record.userId = f.userId;
  if (f.email !== undefined) record.email = normalizeEmail(f.email);
  if (f.phone !== undefined) record.phone = f.phone;
  if (timezone !== undefined) record.timezone = timezone;
  if (f.locale !== undefined) record.locale = f.locale;
  if (address !== undefined && Object.keys(address).length > 0) {
    const lines = [address.line1, address.line2, address.line3].filter((l): l is string => l !== undefined);
    const r = readPostalAddress({ name: address.name, lines, city: address.city, region: address.region, postcode: address.postcode, country: address.country }, 'address');
    if (!r.ok) return { ok: false, line, reason: `invalid address: ${r.issues.map((i) => `${i.path.replace('address.lines', 'address.line')} ${i.message}`).join('; ')}` };
    record.address = r.address;
  }
  return { ok: true, record };
}

export function csvRowToRecord(values: string[], targets: ColumnTarget[], line: number): RowResult {
  if (values.length !== targets.length) return { ok: false, line, reason: `expected ${targets.length} columns, got ${values.length}` };
  const fields: Partial<Record<ContactField, string>> = {};
  const attributes: JsonObject = {};
  const address: Partial<Record<AddressPart, string>> = {};
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const raw = values[i]!;
    if (t.kind === 'ignore' || raw.trim() === '') continue;
    if (t.kind === 'field') {
      fields[t.field] = raw.trim();
      continue;
    }
    if (t.kind === 'address') {
      address[t.part] = raw.trim();
      continue;
    }
    const cell = convertCell(raw, t.type);
    if ('error' in cell) return { ok: false, line, reason: `${t.name}: ${cell.error}` };
    setKey(attributes, t.name, cell.value);
  }
  return toRecord(line, fields, attributes, address);
}

/** Sets a key even when it is `__proto__`, which plain assignment would treat as the prototype. */
export function setKey(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
