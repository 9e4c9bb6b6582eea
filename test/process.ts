/**
 * @module Runs the real `qatra` CLI as a child process (through tsx, so no build is needed) and
 * waits for lines of its output: for tests of start-up, signals and crashes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET_KEY } from './secret-key.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(REPO, 'src/cli/main.ts');

export interface Child {
  proc: ChildProcessWithoutNullStreams;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Environment for a child: the parent's PATH and node options, plus `env`, nothing else leaking in. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // The tests' fixed secret key: PostgreSQL refuses to start without one (src/secrets/key.ts).
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', QATRA_SECRET_KEY: TEST_SECRET_KEY.toString('base64'), ...env };
}

export function spawnCli(args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env: childEnv(env) });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    output: () => out,
    exited: () => exit,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          const m = out.match(pattern);
          if (m) return resolve(m);
          if (proc.exitCode !== null || Date.now() - started > timeoutMs) {
            return reject(new Error(`did not see ${pattern} (exit ${proc.exitCode}); output:\n${out}`));
          }
          setTimeout(check, 25);
        };
        check();
      });
    },
  };
}
