/**
 * @module Import cycles in src/: builds the graph of relative imports with the TypeScript compiler
 * API and prints every strongly connected component of more than one file (or a file importing
 * itself), once for runtime imports and once counting type-only imports too. Exits 1 on any cycle.
 * Usage: node --import tsx scripts/cycles.ts [root=src]
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? 'src');
const files = walk(root).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function target(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  return [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
}

/** Edges of one file: `runtime` for imports/exports that load the module, `type` for `import type` and all-type specifiers. */
function edges(file: string): { to: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: { to: string; typeOnly: boolean }[] = [];
  for (const s of source.statements) {
    if ((!ts.isImportDeclaration(s) && !ts.isExportDeclaration(s)) || !s.moduleSpecifier || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const to = target(file, s.moduleSpecifier.text);
    if (!to) continue;
    let typeOnly: boolean;
    if (ts.isImportDeclaration(s)) {
      const c = s.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else {
      const named = s.exportClause && ts.isNamedExports(s.exportClause) ? s.exportClause.elements : undefined;
      typeOnly = s.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
    }
    out.push({ to, typeOnly });
  }
  return out;
}

/** Tarjan's strongly connected components, keeping those that are cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(),
    low = new Map<string, number>(),
    stack: string[] = [],
    on = new Set<string>(),
    found: string[][] = [];
  const visit = (v: string): void => {
    (idx.set(v, index), low.set(v, index++), stack.push(v), on.add(v));
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) (visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!)));
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      (on.delete(w), scc.push(w));
      if (w === v) break;
    }
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const all = new Map(files.map((f) => [f, edges(f)]));
let failed = false;
for (const [label, keep] of [
  ['runtime imports', (e: { typeOnly: boolean }) => !e.typeOnly],
  ['runtime and type imports', () => true],
] as const) {
  const graph = new Map([...all].map(([f, es]) => [f, es.filter(keep).map((e) => e.to)]));
  const found = cycles(graph);
  console.log(`${label}: ${found.length} cycle(s)`);
  for (const scc of found) console.log(`  ${scc.map((f) => relative(process.cwd(), f)).join(' <-> ')}`);
  failed ||= found.length > 0;
}
process.exit(failed ? 1 : 0);
