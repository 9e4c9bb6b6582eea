/**
 * @module Runs a CLI action on the database the environment names (like `qatra start`: DATABASE_URL
 * or SQLite in QATRA_DATA_DIR, migrated), sets the exit code the action returns, and always closes
 * the store.
 */
import { parseConfig } from '../config/config.js';
import { openRuntime } from '../server/runtime.js';
import type { AppDeps } from '../core/app-deps.js';

export async function withRuntime(fn: (deps: AppDeps) => Promise<number | void>): Promise<void> {
  const deps = await openRuntime(parseConfig(process.env));
  try {
    const code = await fn(deps);
    if (code) process.exitCode = code;
  } finally {
    await deps.store.close();
  }
}
