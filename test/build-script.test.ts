/**
 * @module scripts/build.mjs (what `npm start` runs first) on a copy of the repository's layout whose
 * tsc and vite are stand-ins that record each run: building takes minutes here, and what is under
 * test is the decision to build, not the compilers.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO } from './process.js';

const RECORDER = (name: string, out: string) => `
const fs = require('node:fs');
fs.appendFileSync('builds.log', '${name}\\n');
if (fs.existsSync('fail-${name}')) process.exit(2);
fs.mkdirSync('${out}', { recursive: true });
fs.writeFileSync('${out}/built', String(Date.now()));
`;

describe('scripts/build.mjs builds only what changed', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  /** Runs the script; answers which builds ran, in order. */
  const build = (...args: string[]) => {
    fs.rmSync(path.join(dir, 'builds.log'), { force: true });
    const run = spawnSync(process.execPath, ['scripts/build.mjs', ...args], { cwd: dir, encoding: 'utf8' });
    const log = fs.existsSync(path.join(dir, 'builds.log')) ? fs.readFileSync(path.join(dir, 'builds.log'), 'utf8') : '';
    return { status: run.status, ran: log.split('\n').filter(Boolean), stdout: run.stdout };
  };
  const later = (file: string) => {
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, file), t, t);
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-build-'));
    write('scripts/build.mjs', fs.readFileSync(path.join(REPO, 'scripts/build.mjs'), 'utf8'));
    write('node_modules/typescript/bin/tsc', RECORDER('tsc', 'dist'));
    write('node_modules/vite/bin/vite.js', RECORDER('vite', 'dist-web'));
    write('package.json', '{}');
    write('package-lock.json', '{}');
    write('tsconfig.json', '{}');
    write('tsconfig.build.json', '{}');
    write('src/a.ts', 'export const a = 1;');
    write('src/a.test.ts', 'test');
    write('src/deep/b.ts', 'export const b = 2;');
    write('web/index.html', '<html>');
    write('web/src/app.tsx', 'export {}');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds both at first, then nothing while the inputs stay as they were', () => {
    expect(build().ran).toEqual(['tsc', 'vite']);
    const again = build();
    expect(again).toMatchObject({ status: 0, ran: [] });
    expect(again.stdout).toContain('server is current');
  });

  it('rebuilds the server for a changed source file, the web app for a deleted one, both for a new lockfile', () => {
    build();
    write('src/deep/b.ts', 'export const b = 3;');
    expect(build().ran).toEqual(['tsc']);
    later('src/a.ts'); // same content, newer mtime: still a change
    expect(build().ran).toEqual(['tsc']);
    fs.rmSync(path.join(dir, 'web/src/app.tsx'));
    expect(build().ran).toEqual(['vite']);
    write('package-lock.json', '{"lockfileVersion":3}');
    expect(build().ran).toEqual(['tsc', 'vite']);
  });

  it('ignores test files, which neither build includes', () => {
    build();
    write('src/a.test.ts', 'another test');
    expect(build().ran).toEqual([]);
  });

  it('--force (npm run build) builds both even when current', () => {
    build();
    expect(build('--force').ran).toEqual(['tsc', 'vite']);
  });

  it('a failed build exits non-zero and is retried at the next start', () => {
    build();
    write('src/a.ts', 'broken');
    write('fail-tsc', '');
    expect(build()).toMatchObject({ status: 1, ran: ['tsc'] });
    expect(build()).toMatchObject({ status: 1, ran: ['tsc'] });
    fs.rmSync(path.join(dir, 'fail-tsc'));
    expect(build()).toMatchObject({ status: 0, ran: ['tsc'] });
    expect(build().ran).toEqual([]);
  });
});
