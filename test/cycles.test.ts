import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALLOWED_TYPE_CYCLES, importCycles } from '../scripts/cycles.js';

describe('import cycles (scripts/cycles.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qatra-cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a runtime cycle, and a cycle closed by a type-only import only among type cycles', () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'x'), { recursive: true });
    writeFileSync(join(src, 'a.ts'), "import { b } from './x/b.js';\nexport const a = () => b;\n");
    writeFileSync(join(src, 'x/b.ts'), "import { a } from '../a.js';\nexport const b = () => a;\n");
    writeFileSync(join(src, 'c.ts'), "import type { D } from './d.js';\nexport type C = D;\nexport const c = 1;\n");
    writeFileSync(join(src, 'd.ts'), "import { c, type C as _C } from './c.js';\nexport type D = number;\nexport const d = c;\n");
    writeFileSync(join(src, 'e.ts'), "import { type D } from './d.js';\nexport type E = D;\n");
    const found = importCycles(src);
    expect(found.runtime).toEqual([['src/a.ts', 'src/x/b.ts']]);
    expect(found.all.map((scc) => scc.join(' <-> ')).sort()).toEqual(['src/a.ts <-> src/x/b.ts', 'src/c.ts <-> src/d.ts']);
  });

  it('src/ has no runtime import cycle and no type-only cycle beyond the known ones', () => {
    const found = importCycles(resolve('src'));
    expect(found.runtime).toEqual([]);
    expect(found.all.map((scc) => scc.join(' <-> ')).filter((n) => !ALLOWED_TYPE_CYCLES[n])).toEqual([]);
  });
});
