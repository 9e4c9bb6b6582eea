import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { exportContacts } from './export.js';
import { importContacts } from './import-writer.js';
import { readCsv, readNdjson } from './import-readers.js';

const HOSTILE = ['=HYPERLINK("http://evil.example","click")', '+cmd|" /C calc"!A0', '-2+3+cmd|x', '@SUM(A1)', '\t=1+1', '\r=1+1', "'=1", 'plain'];

async function csvOf(h: Harness, workspaceId: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportContacts(h.deps, { workspaceId, format: 'csv', out });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe.each(backends())('the contacts CSV export on %s', (kind) => {
  let h: Harness;
  let source: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    source = await h.tenant();
    const lines = HOSTILE.map((v, i) => JSON.stringify({ userId: `u${i}`, email: `p${i}@example.com`, phone: '+966501234567', attributes: { note: v, score: -i, [`=k${i}`]: 'x' } }));
    await importContacts(h.deps, { workspaceId: source.workspaceId, rows: readNdjson(Readable.from([lines.join('\n')])), onFailure: (line, reason) => expect.fail(`${line}: ${reason}`) });
  });
  afterAll(async () => h?.close());

  it('no cell starts with a formula character (OWASP CSV injection), and the import reads the values back unchanged', async () => {
    const csv = await csvOf(h, source.workspaceId);
    const rows = parse(csv) as string[][];
    const plainNumber = /^[+-]?\d+(\.\d+)?$/;
    for (const cell of rows.flat()) if (!plainNumber.test(cell)) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
    const header = rows[0]!;
    const body = rows.slice(1).sort((a, b) => Number(a[1]!.slice(1)) - Number(b[1]!.slice(1)));
    const note = header.indexOf('note');
    expect(body.map((r) => r[note])).toEqual(HOSTILE.map((v) => (v === 'plain' ? v : `'${v}`)));
    expect(header).toContain("'=k0");
    // Plain numbers stay numbers for the spreadsheet.
    expect(body.map((r) => r[header.indexOf('score:number')])).toEqual(HOSTILE.map((_, i) => String(-i)));
    expect(body[0]![header.indexOf('phone')]).toBe('+966501234567');

    const target = await h.tenant();
    await importContacts(h.deps, { workspaceId: target.workspaceId, rows: readCsv(Readable.from([csv])), onFailure: (line, reason) => expect.fail(`${line}: ${reason}`) });
    const people = async (ws: string) =>
      (await h.deps.store.db.selectFrom('contacts').select(['user_id', 'email', 'phone', 'attributes']).where('workspace_id', '=', ws).orderBy('user_id').execute()).map((r) => ({
        ...r,
        attributes: typeof r.attributes === 'string' ? JSON.parse(r.attributes) : r.attributes,
      }));
    expect(await people(target.workspaceId)).toEqual(await people(source.workspaceId));
  });
});
