/**
 * @module Runs the real `qatra` CLI to completion as a child process (through tsx, so no build is
 * needed) against a test database, and returns its exit code and output.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { DialectName } from '../src/store/store.js';
import type { TestDatabase } from './backends.js';
import { CLI, REPO, childEnv } from './process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment that points the CLI at `database`: QATRA_DATA_DIR for SQLite, DATABASE_URL for PostgreSQL. */
export function databaseEnv(kind: DialectName, database: TestDatabase): Record<string, string> {
  return kind === 'sqlite' ? { QATRA_DATA_DIR: path.dirname(database.url) } : { DATABASE_URL: database.url };
}

export interface RunOptions {
  /** Extra node flags, e.g. `--max-old-space-size=96`. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

export function runCli(args: string[], env: Record<string, string>, options: RunOptions = {}): Promise<CliResult> {
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', CLI, ...args], { cwd: REPO, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
