/**
 * @module Import cycles in src/: builds the graph of relative imports with the TypeScript compiler
 * API and prints every strongly connected component of more than one file (or a file importing
 * itself), once for runtime imports and once counting type-only imports too. Exits 1 on any cycle.
 * Usage: `npm run cycles` (node --import tsx scripts/cycles.ts [root=src]). Dynamic `import()` is not
 * counted: it loads after the importing module has finished, so it cannot see a half-initialised one.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

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

/**
 * Type-only cycles we know of, each with its reason; any other cycle fails the check. A runtime cycle
 * is never allowed: it can hand a module a half-initialised import.
 */
export const ALLOWED_TYPE_CYCLES: Record<string, string> = {};

/** Every relative import among the files under `root`, as paths from root's parent (`src/…`). */
export function importEdges(root: string): { from: string; to: string; typeOnly: boolean }[] {
  const name = (f: string) => relative(dirname(root), f);
  return walk(root)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .flatMap((f) => edges(f).map((e) => ({ from: name(f), to: name(e.to), typeOnly: e.typeOnly })));
}

/** The cycles among the files under `root` (paths from root's parent: `src/…`): of runtime imports, and of runtime and type imports together. */
export function importCycles(root: string): { runtime: string[][]; all: string[][] } {
  const named = (sccs: string[][]) => sccs.map((scc) => scc.map((f) => relative(dirname(root), f)));
  const files = walk(root).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const all = new Map(files.map((f) => [f, edges(f)]));
  const graph = (keep: (e: { typeOnly: boolean }) => boolean) => new Map([...all].map(([f, es]) => [f, es.filter(keep).map((e) => e.to)]));
  return { runtime: named(cycles(graph((e) => !e.typeOnly))), all: named(cycles(graph(() => true))) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const found = importCycles(resolve(process.argv[2] ?? 'src'));
  const name = (scc: string[]) => scc.join(' <-> ');
  console.log(`runtime imports: ${found.runtime.length} cycle(s)`);
  for (const scc of found.runtime) console.log(`  ${name(scc)}`);
  const typeOnly = found.all.map(name).filter((n) => !found.runtime.some((scc) => name(scc) === n));
  console.log(`runtime and type imports: ${found.all.length} cycle(s)`);
  for (const n of found.all.map(name)) console.log(`  ${n}${ALLOWED_TYPE_CYCLES[n] ? ` (known: ${ALLOWED_TYPE_CYCLES[n]})` : ''}`);
  const failing = found.runtime.length + typeOnly.filter((n) => !ALLOWED_TYPE_CYCLES[n]).length;
  process.exit(failing > 0 ? 1 : 0);
}
