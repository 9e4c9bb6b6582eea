#!/usr/bin/env node
/**
 * Builds the server (tsc -> dist/) and the web app (vite -> dist-web/), each only when its inputs
 * changed since its last build: `npm start` runs this first and, with a current build, starts in
 * seconds instead of rebuilding for ~20 s. `--force` (what `npm run build` passes) builds both.
 *
 * "Changed" is a fingerprint of every input file's path, size and mtime, kept next to the output
 * (dist/.build-fingerprint, dist-web/.build-fingerprint) and written only after a build succeeded.
 * A fingerprint rather than "is any input newer than the output" so that a deleted or renamed file,
 * or a checkout that brings older mtimes, still counts as a change. Tests are left out: neither
 * build includes them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const SHARED = ['package.json', 'package-lock.json'];

const parts = [
  {
    name: 'server',
    out: 'dist',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', ...SHARED],
    command: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
  },
  {
    name: 'web app',
    out: 'dist-web',
    inputs: ['web', ...SHARED],
    command: ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
  },
];

const isTest = (file) => /\.test\.tsx?$/.test(file);

/** Every file under `inputs` (files or folders, relative to the repository), with size and mtime. */
function fingerprint(inputs) {
  const lines = [];
  for (const input of inputs) {
    const abs = path.join(root, input);
    if (!fs.existsSync(abs)) continue;
    const files = fs.statSync(abs).isDirectory() ? fs.readdirSync(abs, { recursive: true }).map((f) => path.join(input, String(f))) : [input];
    for (const file of files) {
      if (isTest(file) || file.split(path.sep).includes('node_modules')) continue;
      const st = fs.statSync(path.join(root, file));
      if (st.isFile()) lines.push(`${file}\t${st.size}\t${st.mtimeMs}`);
    }
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

let failed = false;
for (const part of parts) {
  const stampFile = path.join(root, part.out, '.build-fingerprint');
  const now = fingerprint(part.inputs);
  const before = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8') : '';
  if (!force && before === now) {
    process.stdout.write(`build: ${part.name} is current (${part.out}/)\n`);
    continue;
  }
  const started = Date.now();
  const run = spawnSync(process.execPath, part.command, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    failed = true;
    fs.rmSync(stampFile, { force: true });
    process.stderr.write(`build: ${part.name} failed\n`);
    continue;
  }
  fs.writeFileSync(stampFile, now);
  process.stdout.write(`build: ${part.name} built in ${((Date.now() - started) / 1000).toFixed(1)} s (${part.out}/)\n`);
}
process.exit(failed ? 1 : 0);
