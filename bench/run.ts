/**
 * @module Benchmark runner: `npm run bench -- [name…] [--size small|large] [--option value…]`. Dispatches by name to
 * the registered bench modules (all of them when no name is given). Every bench prints one JSON line
 * per figure, so runs can be compared and collected by scripts:
 * {"bench":"ingest","backend":"sqlite","figure":"events_per_s","value":…,"unit":"events/s","baseline":…,"ratio":…}
 *
 * To add a bench: write bench/<name>.ts exporting `run: Bench`, and add one line to `registry`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DialectName } from '../src/store/store.js';

export type BenchSize = 'small' | 'large';

export interface Figure {
  bench: string;
  backend: string;
  figure: string;
  value: number;
  unit: string;
  /** The same work done the simplest possible way, measured in the same run. */
  baseline?: number;
  /** value / baseline. */
  ratio?: number;
  /** For figures taken repeatedly over a run (the soak): which minute. */
  minute?: number;
}

export interface BenchContext {
  size: BenchSize;
  /** Options after the names other than --size, e.g. `--minutes 2` → { minutes: '2' }. */
  options: Record<string, string>;
  /** True when the bench was named on the command line (not just part of "all"). */
  named: boolean;
  emit(figure: Figure): void;
}

export type Bench = (ctx: BenchContext) => Promise<void>;

const registry: Record<string, () => Promise<{ run: Bench }>> = {
  ingest: () => import('./ingest.js'),
  email: () => import('./email.js'),
  journeys: () => import('./journeys.js'),
  segments: () => import('./segments.js'),
  store: () => import('./store.js'),
  scoring: () => import('./scoring.js'),
  stats: () => import('./stats.js'),
  broadcast: () => import('./broadcast.js'),
  soak: () => import('./soak.js'),
  sms: () => import('./sms.js'),
  insights: () => import('./insights.js'),
  mail: () => import('./mail.js'),
  failover: () => import('./failover.js'),
  social: () => import('./social.js'),
  workers: () => import('./workers.js'),
  retention: () => import('./retention.js'),
  'contacts-search': () => import('./contacts-search.js'),
};

/**
 * The backends a bench runs on: SQLite unless QATRA_BENCH_SKIP_SQLITE=1 (to profile PostgreSQL
 * alone), and PostgreSQL when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set.
 */
export function benchBackends(): DialectName[] {
  const kinds: DialectName[] = process.env.QATRA_BENCH_SKIP_SQLITE ? [] : ['sqlite'];
  if (process.env.QATRA_BENCH_DATABASE_URL || process.env.QATRA_TEST_DATABASE_URL) kinds.push('postgres');
  return kinds;
}

export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const rounded = { ...f, value: round(f.value) };
  if (f.baseline === undefined || f.baseline === 0) return rounded;
  return { ...rounded, baseline: round(f.baseline), ratio: Math.round((f.value / f.baseline) * 1000) / 1000 };
}

function round(n: number): number {
  return n >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

function parseArgs(argv: string[]): { names: string[]; size: BenchSize; options: Record<string, string> } {
  const names: string[] = [];
  const options: Record<string, string> = {};
  let size: BenchSize = 'small';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--size' || arg.startsWith('--size=')) {
      const value = arg.includes('=') ? arg.slice('--size='.length) : argv[++i];
      if (value !== 'small' && value !== 'large') throw new Error(`--size must be small or large, got ${value}`);
      size = value;
    } else if (/^--[a-z][a-z-]*(=.*)?$/.test(arg)) {
      const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`option --${key} needs a value`);
      options[key] = value;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      names.push(arg);
    }
  }
  return { names, size, options };
}

async function main(): Promise<void> {
  const { names, size, options } = parseArgs(process.argv.slice(2));
  const selected = names.length > 0 ? names : Object.keys(registry);
  for (const name of selected) {
    if (!registry[name]) throw new Error(`unknown bench "${name}"; known: ${Object.keys(registry).join(', ')}`);
  }
  for (const name of selected) {
    const { run } = await registry[name]!();
    await run({ size, options, named: names.includes(name), emit: (f) => console.log(JSON.stringify(f)) });
  }
}

// Bench modules import helpers from this file; only run when it is the program itself.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}
