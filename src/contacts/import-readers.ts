/**
 * @module Contacts import, the readers: a CSV or NDJSON file streamed as rows, each a checked record
 * or a failure with its line in the file (./import-mapping.ts says what the columns mean). Nothing
 * holds the whole file.
 */
import type { Readable } from 'node:stream';
import readline from 'node:readline';
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';
import { unescapeCsvCell } from '../core/csv.js';
import { ValidationError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { type AddressPart, CONTACT_FIELDS, type ContactField, type ColumnTarget, type ColumnOptions, type RowResult, planColumns, toRecord, csvRowToRecord, setKey } from './import-mapping.js';

/**
 * Streams a CSV: the first non-empty record is the header. Line numbers are tracked in parse order
 * (`on_record` and `skip` run synchronously while parsing), since the consumer may lag behind.
 */
export async function* readCsv(input: Readable, options: ColumnOptions = {}): AsyncGenerator<RowResult> {
  let prevEnd = 0;
  const skipped: RowResult[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_record: (values: string[], ctx: InfoRecord) => {
      const line = prevEnd + 1;
      prevEnd = ctx.lines;
      // Empty lines are skipped here rather than by csv-parse so that every line passes through.
      return values.length === 1 && values[0] === '' ? null : { values, line };
    },
  } as Options);
  parser.on('skip', (err: CsvError & { lines?: number }) => {
    skipped.push({ ok: false, line: prevEnd + 1, reason: `malformed CSV: ${err.message.split(/ at line \d+/)[0]!.toLowerCase()}` });
    prevEnd = err.lines ?? prevEnd + 1;
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let targets: ColumnTarget[] | null = null;
  for await (const row of parser as AsyncIterable<{ values: string[]; line: number }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    // Our export escapes formula-like cells (../core/csv.ts); taking the escape off keeps the round trip.
    const values = row.values.map(unescapeCsvCell);
    if (targets === null) targets = planColumns(values, options);
    else yield csvRowToRecord(values, targets, row.line);
  }
  while (skipped.length > 0) yield skipped.shift()!;
  if (targets === null) throw ValidationError.at('header', 'the file is empty: the first line must name the columns');
}

/** Streams NDJSON: one contact object per line, in the shape `contacts export --format ndjson` writes. */
export async function* readNdjson(input: Readable): AsyncGenerator<RowResult> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (let text of lines) {
    line++;
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    if (text.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      yield { ok: false, line, reason: 'not valid JSON' };
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      yield { ok: false, line, reason: 'expected a JSON object' };
      continue;
    }
    const o = obj as Record<string, unknown>;
    const fields: Partial<Record<ContactField, string>> = {};
    let bad: string | null = null;
    for (const field of CONTACT_FIELDS) {
      const value = field === 'userId' ? (o.userId ?? o.user_id) : o[field];
      if (value === undefined || value === null || value === '') continue;
      if (typeof value === 'string') fields[field] = value;
      else bad ??= `${field} must be a string`;
    }
    const attrs = o.attributes ?? {};
    if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) bad ??= 'attributes must be an object';
    if (bad !== null) {
      yield { ok: false, line, reason: bad };
      continue;
    }
    const attributes: JsonObject = {};
    for (const [k, v] of Object.entries(attrs as JsonObject)) if (v !== null) setKey(attributes, k, v);
    yield toRecord(line, fields, attributes, addressParts(o.address));
  }
}

/** A JSON line's `address` object ({ name, lines, city, region, postcode, country }) as the parts toRecord checks. */
function addressParts(a: unknown): Partial<Record<AddressPart, string>> | undefined {
  if (typeof a !== 'object' || a === null) return a === undefined || a === null ? undefined : { name: '', country: String(a) };
  const o = a as Record<string, unknown>;
  const lines = Array.isArray(o.lines) ? o.lines : [];
  const parts: Partial<Record<AddressPart, unknown>> = { name: o.name, line1: lines[0], line2: lines[1], line3: lines[2], city: o.city, region: o.region, postcode: o.postcode, country: o.country };
  const out: Partial<Record<AddressPart, string>> = {};
  for (const [k, v] of Object.entries(parts)) if (v !== undefined && v !== null) out[k as AddressPart] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}
