/**
 * @module The served OpenAPI document checked by tools we did not write: @apidevtools/swagger-parser
 * validates it (every `$ref` resolves, the document follows the OpenAPI 3.0 schema), and
 * openapi-typescript generates types from it that a small client compiles against under strict
 * TypeScript. The document does not depend on the storage backend, so one backend (SQLite) serves it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { createHarness, type Harness } from '../../test/harness.js';
import { jsonValue } from './schemas.js';

/** A client written against the generated types: request and response bodies, the shared components. */
const CLIENT = `
import type { components, paths } from './api.js';

type Contact = paths['/api/contacts/{id}']['get']['responses'][200]['content']['application/json'];
type NewContact = NonNullable<paths['/api/contacts']['post']['requestBody']>['content']['application/json'];
type JourneyList = paths['/api/journeys']['get']['responses'][200]['content']['application/json'];
export type Send = (method: 'GET' | 'POST', url: string, body?: unknown) => Promise<unknown>;

export async function createContact(send: Send, contact: NewContact): Promise<Contact> {
  return (await send('POST', '/api/contacts', contact)) as Contact;
}
export async function getContact(send: Send, id: string): Promise<Contact> {
  return (await send('GET', '/api/contacts/' + encodeURIComponent(id))) as Contact;
}
export async function importStatus(send: Send, id: string): Promise<components['schemas']['ContactImport']['status']> {
  const found = (await send('GET', '/api/contacts/imports/' + id)) as components['schemas']['ContactImport'];
  return found.status;
}
export const sara: NewContact = { email: 'sara@example.com', attributes: { plan: 'pro', tags: ['a', { nested: null }], score: 3 } };
export const proOnly: components['schemas']['ConditionInput'] = { all: [{ not: { field: 'contact.plan', op: 'eq', value: 'free' } }] };
export function firstJourney(list: JourneyList): string | undefined {
  return list.journeys[0]?.id;
}
export function created(contact: Contact): number {
  return contact.createdAt;
}
`;

/** Type errors of `files` (name -> text) compiled together under strict options, by file name. */
function compile(dir: string, files: Record<string, string>): Record<string, string[]> {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const program = ts.createProgram(
    Object.keys(files)
      .filter((n) => n.endsWith('.ts'))
      .map((n) => path.join(dir, n)),
    { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] },
  );
  const errors: Record<string, string[]> = {};
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file ? path.basename(d.file.fileName) : '(global)';
    (errors[name] ??= []).push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  return errors;
}

describe('the OpenAPI document at /api/openapi.json', () => {
  let h: Harness;
  let doc: Record<string, any>;
  let dir: string;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    const res = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-openapi-'));
  });
  afterAll(async () => {
    await h?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('defines every schema it refers to', () => {
    const refs = new Set(
      JSON.stringify(doc)
        .match(/"\$ref":"[^"]*"/g)
        ?.map((r) => r.slice(8, -1)),
    );
    expect(refs.size).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/[A-Za-z0-9_]+$/);
      expect(doc.components.schemas, ref).toHaveProperty([ref.split('/').pop()!]);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['JsonValue', 'JsonValueInput', 'ContactImport', 'Condition', 'ConditionInput']));
  });

  it('documents JsonValue arrays as any items, yet validates every item as JSON', () => {
    expect(doc.components.schemas.JsonValue.anyOf).toContainEqual({ type: 'array', items: {} });
    expect(jsonValue.safeParse({ a: [1, ['x', { b: null }]] }).success).toBe(true);
    expect(jsonValue.safeParse({ a: [1, [undefined]] }).success).toBe(false);
    expect(jsonValue.safeParse([Number.NaN]).success).toBe(false);
  });

  it('is a valid OpenAPI 3 document for swagger-parser', async () => {
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('generates TypeScript types that a typed client compiles against, and that reject a wrong type', async () => {
    const types = astToString(await openapiTS(structuredClone(doc) as never));
    expect(types).toContain('ContactImport');
    // One program (checking the generated file is the slow part): the client, and beside it a file
    // that shows the check can fail, a date string where the document says epoch milliseconds.
    const wrong = `import type { paths } from './api.js';\ntype Contact = paths['/api/contacts/{id}']['get']['responses'][200]['content']['application/json'];\nexport const when: Contact['createdAt'] = '2026-01-01';\n`;
    const errors = compile(dir, { 'api.ts': types, 'client.ts': CLIENT, 'wrong.ts': wrong, 'package.json': '{"type":"module"}' });
    const { 'wrong.ts': expected = [], ...unexpected } = errors;
    expect(unexpected).toEqual({});
    expect(expected.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
  }, 120_000);
});
