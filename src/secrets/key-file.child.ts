/**
 * @module A child process for key.test.ts: for each of `rounds` data directories under `baseDir`,
 * waits until that round's start time (so several children race on every round), reads or creates
 * `<dir>/secret.key` and prints the key's id, one line per round.
 */
import path from 'node:path';
import { keyFile } from './key.js';
import { keyIdOf } from './secret-box.js';

const [baseDir, startAt, rounds] = process.argv.slice(2) as [string, string, string];
const ids: string[] = [];
for (let i = 0; i < Number(rounds); i++) {
  while (Date.now() < Number(startAt) + i * 50) {
    // spin: every child calls keyFile at the same moment
  }
  ids.push(keyIdOf(keyFile(path.join(baseDir, String(i)))));
}
process.stdout.write(`${ids.join('\n')}\n`);
