/**
 * @module The `qatra` command line. Each command group lives in ./commands/ and is listed in
 * ./commands/index.ts. Errors are printed as one clear message (with file and line where the
 * input was a file) and a non-zero exit code; never a stack trace for bad input.
 */
import { Command, CommanderError } from 'commander';
import { QatraError } from '../core/errors.js';
import { commandGroups } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('qatra').description('Qatra: self-hosted drip marketing and marketing automation').version('0.1.0').showHelpAfterError().exitOverride();
  for (const add of commandGroups) add(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof QatraError) {
      process.stderr.write(`qatra: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`qatra: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(?:qatra(?:\.js)?|cli[\\/]main\.[jt]s)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv).then((code) => {
    // Long-running commands (start, worker) keep the process alive through their own handles.
    if (code !== 0) process.exit(code);
  });
}
