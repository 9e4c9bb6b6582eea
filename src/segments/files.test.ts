import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { applySegmentFiles } from '../cli/commands/segments.js';
import { seedContacts } from './test-seed.js';

const GOOD = `id: pros
name: Pro plan
conditions:
  type: attribute
  attribute: plan
  op: equals
  value: pro
`;

const BAD = `id: buyers
name: Big buyers
conditions:
  all:
    - type: event
      event: Order Completed
    - any:
        - type: event_aggregate
          event: Order Completed
          fn: sum
          property: revenue
          op: gt
          value: lots
`;

describe.each(backends())('qatra segments apply on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let dir: string;
  const lines = { out: [] as string[], err: [] as string[] };
  const io = { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) };

  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await seedContacts(h.deps.store.db, t.workspaceId, h.clock.now());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-segments-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  it('applies nothing when one file is invalid, and names file:line:col of the bad value', async () => {
    fs.writeFileSync(path.join(dir, 'a-pros.yaml'), GOOD);
    fs.writeFileSync(path.join(dir, 'b-buyers.yaml'), BAD);
    expect(await applySegmentFiles(h.deps, t.workspaceId, dir, io)).toBe(1);
    expect(lines.err[0]).toBe(`${path.join(dir, 'b-buyers.yaml')}:13:18: conditions.all.1.any.0.value: Invalid input: expected number, received string`);
    expect(await h.deps.store.db.selectFrom('segments').selectAll().execute()).toEqual([]);
  });

  it('applies every file in one go and again updates the same segments', async () => {
    fs.writeFileSync(path.join(dir, 'b-buyers.yaml'), BAD.replace('value: lots', 'value: 100'));
    expect(await applySegmentFiles(h.deps, t.workspaceId, dir, io)).toBe(0);
    expect(lines.out).toEqual([`created   pros (+2 -0) ${path.join(dir, 'a-pros.yaml')}`, `created   buyers (+2 -0) ${path.join(dir, 'b-buyers.yaml')}`]);
    fs.writeFileSync(path.join(dir, 'a-pros.yaml'), GOOD.replace('value: pro', 'value: free'));
    expect(await applySegmentFiles(h.deps, t.workspaceId, dir, io)).toBe(0);
    expect(lines.out.slice(2)).toEqual([`updated   pros (+1 -2) ${path.join(dir, 'a-pros.yaml')}`, `unchanged buyers (+0 -0) ${path.join(dir, 'b-buyers.yaml')}`]);
  });
  it('rolls everything back when saving one segment fails (a name another segment has)', async () => {
    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'a.yaml'), GOOD.replace('id: pros', 'id: fresh').replace('name: Pro plan', 'name: Fresh'));
    fs.writeFileSync(path.join(other, 'b.yaml'), GOOD.replace('id: pros', 'id: clash').replace('name: Pro plan', 'name: Big buyers'));
    lines.err.length = 0;
    expect(await applySegmentFiles(h.deps, t.workspaceId, other, io)).toBe(1);
    expect(lines.err[0]).toMatch(/a segment named "Big buyers" already exists \(buyers\); nothing applied/);
    const ids = (await h.deps.store.db.selectFrom('segments').select('id').execute()).map((r) => r.id).sort();
    expect(ids).toEqual(['buyers', 'pros']);
  });
});
