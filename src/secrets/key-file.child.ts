/**
 * @module A child process for key.test.ts: waits until the given start time (so several children
 * race), reads or creates `<dataDir>/secret.key` and prints the key's id.
 */
import { keyFile } from './key.js';
import { keyIdOf } from './secret-box.js';

const [dataDir, startAt] = process.argv.slice(2) as [string, string];
while (Date.now() < Number(startAt)) {
  // spin: every child calls keyFile at the same moment
}
process.stdout.write(`${keyIdOf(keyFile(dataDir))}\n`);
