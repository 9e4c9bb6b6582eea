import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../../test/backends.js';
import { ManualClock } from '../../core/clock.js';
import { createWorkspace } from '../../workspaces/workspaces.js';
import { getJourney, listJourneys, type JourneyDeps } from '../../journeys/journeys.js';
import { EXAMPLE_TEMPLATES, EXAMPLES_DIR } from '../../journeys/definition/examples.js';
import { applyJourneyFiles } from './journeys.js';
import { defaultSignals } from '../../server/signal-sinks.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

const BROKEN = `id: broken
name: Broken
trigger: { type: manual }
start: ping
nodes:
  - id: ping
    type: message
    channel: webhook
    config: { url: "http://127.0.0.1:9/" }
  - id: wait-1
    type: wait_for_event
    event: clicked
    timeout: 4 hours
  - id: done
    type: exit
edges:
  - { from: ping, to: wait-1 }
  - { from: wait-1, output: event, to: done }
  - { from: wait-1, output: timeout, to: nowhere }
`;

/** A webhook-only journey as JSON (no templates needed, so the real CLI can apply it). */
const PING = JSON.stringify(
  {
    id: 'ping',
    name: 'Ping',
    status: 'live',
    trigger: { type: 'contact_created' },
    start: 'ping',
    nodes: [
      { id: 'ping', type: 'message', channel: 'webhook', config: { url: 'http://127.0.0.1:9/' } },
      { id: 'done', type: 'exit' },
    ],
    edges: [{ from: 'ping', to: 'done' }],
  },
  null,
  2,
);

function position(text: string, lineNo: number, needle: string): string {
  return `${lineNo}:${text.split('\n')[lineNo - 1]!.indexOf(needle) + 1}`;
}

function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-journeys-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe.each(backends())('qatra journeys apply on %s', (kind) => {
  let t: TestDatabase;
  let deps: JourneyDeps;
  let ws: string;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    const templates = new Set(EXAMPLE_TEMPLATES);
    deps = { store: t.store, signals: defaultSignals(t.store), clock: new ManualClock(), templateExists: async (_ws, id) => templates.has(id) };
    ws = (await createWorkspace(deps, { name: 'cli', postalAddress: '1 Main St, Springfield' })).id;
  });
  afterAll(async () => t?.drop());

  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
  };

  it('a directory with one broken file applies nothing and prints file:line:col for each problem', async () => {
    const dir = tempDir({
      'a-welcome.yaml': fs.readFileSync(path.join(EXAMPLES_DIR, 'welcome-series.yaml'), 'utf8'),
      'b-cart.yml': fs.readFileSync(path.join(EXAMPLES_DIR, 'abandoned-cart.yaml'), 'utf8'),
      'c-broken.yaml': BROKEN,
      'd-ping.json': PING,
      'notes.txt': 'not a journey',
    });
    const c = capture();
    expect(await applyJourneyFiles(deps, ws, dir, c.io)).toBe(1);
    const file = path.join(dir, 'c-broken.yaml');
    expect(c.err).toEqual([
      `${file}:${position(BROKEN, 13, '4 hours')}: nodes[1] (id "wait-1"): a duration like 30m, 4h, 3d or 2w`,
      `${file}:${position(BROKEN, 19, 'nowhere')}: edges[2] (from "wait-1" to "nowhere"): edge to unknown node "nowhere"`,
      'nothing applied: 2 problems',
    ]);
    expect(c.out).toEqual([]);
    expect(await listJourneys(t.store.db, ws)).toEqual([]);
  });

  it('applies every file in one go, then reports them unchanged', async () => {
    const dir = tempDir({
      'a-welcome.yaml': fs.readFileSync(path.join(EXAMPLES_DIR, 'welcome-series.yaml'), 'utf8'),
      'b-cart.yml': fs.readFileSync(path.join(EXAMPLES_DIR, 'abandoned-cart.yaml'), 'utf8'),
      'd-ping.json': PING,
    });
    const first = capture();
    expect(await applyJourneyFiles(deps, ws, dir, first.io)).toBe(0);
    expect(first.out).toEqual([
      `created   welcome-series (version 1, live) ${path.join(dir, 'a-welcome.yaml')}`,
      `created   abandoned-cart (version 1, live) ${path.join(dir, 'b-cart.yml')}`,
      `created   ping (version 1, live) ${path.join(dir, 'd-ping.json')}`,
    ]);
    const again = capture();
    expect(await applyJourneyFiles(deps, ws, dir, again.io)).toBe(0);
    expect(again.out.map((l) => l.split(' ')[0])).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('points at the JSON line too, and at a duplicate id across files', async () => {
    const broken = PING.replace('"id": "ping"', '"id": "pong"').replace('"start": "ping"', '"start": "pong"');
    const dir = tempDir({ 'one.json': PING, 'two.json': PING.replace('"Ping"', '"Ping again"'), 'three.json': broken });
    const c = capture();
    expect(await applyJourneyFiles(deps, ws, dir, c.io)).toBe(1);
    expect(c.err.slice(0, 2)).toEqual([
      `${path.join(dir, 'three.json')}:${position(broken, 8, '"pong"')}: start "pong" is not the id of a node`,
      `${path.join(dir, 'two.json')}:${position(PING, 2, '"ping"')}: journey "ping" is also defined in ${path.join(dir, 'one.json')}`,
    ]);
  });

  it('the real qatra command exits non-zero on a broken directory and applies a good one', async () => {
    const env = {
      ...process.env,
      ...(kind === 'postgres' ? { DATABASE_URL: t.url } : { DATABASE_URL: '', QATRA_DATA_DIR: path.dirname(t.url) }),
      LOG_LEVEL: 'silent',
    };
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'journeys', ...args, '--workspace', ws], { cwd: ROOT, env });
    const bad = tempDir({ 'ok.json': PING.replace('"id": "ping"', '"id": "ping-2"'), 'broken.yaml': BROKEN });
    const failed = await cli('apply', bad).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain(`${path.join(bad, 'broken.yaml')}:${position(BROKEN, 13, '4 hours')}: nodes[1] (id "wait-1")`);
    expect(await getJourney(t.store.db, ws, 'ping-2')).toBeUndefined();

    const good = tempDir({ 'ok.json': PING.replace('"id": "ping"', '"id": "ping-2"') });
    const applied = await cli('apply', good);
    expect(applied.stdout).toContain('created   ping-2 (version 1, live)');
    expect(await getJourney(t.store.db, ws, 'ping-2')).toMatchObject({ status: 'live', version: 1 });
    expect((await cli('list')).stdout).toContain('ping-2\tlive\tv1\tPing');
    const got = await cli('get', 'ping-2');
    expect(got.stdout).toContain('# ping-2: live, version 1 (versions 1)');
    expect(got.stdout).toContain('channel: webhook');
  }, 120_000);
});
