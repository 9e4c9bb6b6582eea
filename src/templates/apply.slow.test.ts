import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { defaultSignals } from '../server/signal-sinks.js';

const run = promisify(execFile);
const MAIN = path.resolve(import.meta.dirname, '../cli/main.ts');

const LAYOUT = `id: base
kind: layout
name: Base layout
body: |
  <html><body>{{ content }}
  <p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
  </body></html>
`;
const WELCOME = `id: welcome
name: Welcome
kind: marketing
subject: "Welcome {{ contact.first_name | default: 'there' }}"
layout: base
bodyFile: welcome.html
locales:
  fa:
    subject: "خوش آمدید {{ contact.first_name }}"
    body: <p>سلام</p>
`;
const BROKEN = `id: broken
name: Broken
kind: transactional
subject: ok
body: |
  <p>line one</p>
  <p>{% iff contact.vip %}</p>
`;

describe.each(backends())('qatra templates apply on %s', (kind) => {
  let t: TestDatabase;
  let ws: string;
  let dir: string;
  const env = () =>
    kind === 'postgres' ? { ...process.env, DATABASE_URL: t.url, QATRA_LOG_LEVEL: 'silent' } : { ...process.env, DATABASE_URL: '', QATRA_DATA_DIR: path.dirname(t.url), QATRA_LOG_LEVEL: 'silent' };
  const apply = (target: string, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', MAIN, 'templates', 'apply', target, '--workspace', ws, ...args], { env: env() }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const versions = async () =>
    (await t.store.db.selectFrom('template_versions').select(['template_id', 'version']).where('workspace_id', '=', ws).orderBy('template_id').execute()).map((r) => `${r.template_id}@${r.version}`);

  beforeAll(async () => {
    t = await freshDatabase(kind);
    ws = (await createWorkspace({ store: t.store, signals: defaultSignals(t.store), clock: new ManualClock() }, { name: 'Acme', postalAddress: '1 Main St, Springfield' })).id;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-tpl-'));
    fs.writeFileSync(path.join(dir, 'base.yaml'), LAYOUT);
    fs.writeFileSync(path.join(dir, 'welcome.yaml'), WELCOME);
    fs.writeFileSync(path.join(dir, 'welcome.html'), '<h1>Hello {{ contact.first_name }}</h1>\n<p>{{ trigger.plan }}</p>\n');
  });

  afterAll(async () => {
    await t?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies a directory of YAML templates, layout first, and a second apply changes nothing', async () => {
    const first = await apply(dir);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toContain('base: version 1');
    expect(first.stdout).toContain('welcome: version 1');
    // welcome.html line 2 uses {{ trigger.plan }} (known); the fa subject is fine; no warnings for these.
    expect(first.stdout).not.toContain('warning');
    expect(await versions()).toEqual(['base@1', 'welcome@1']);
    const second = await apply(dir);
    expect(second.stdout).toContain('welcome: unchanged (version 1)');
    expect(await versions()).toEqual(['base@1', 'welcome@1']);
  }, 180_000);

  it('applies nothing when one file is broken, and points at file:line:col', async () => {
    fs.writeFileSync(path.join(dir, 'welcome.html'), '<h1>Hi {{ contact.first_name }}</h1>\n<p>{{ trigger.plan }}</p>\n<p>{% for %}</p>\n');
    fs.writeFileSync(path.join(dir, 'z-broken.yaml'), BROKEN);
    const res = await apply(dir);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(`${path.join(dir, 'z-broken.yaml')}:7:6: tag "iff" not found`);
    expect(res.stderr).toContain(`${path.join(dir, 'welcome.html')}:3:`);
    expect(res.stderr).toMatch(/nothing was applied/);
    expect(await versions()).toEqual(['base@1', 'welcome@1']);

    fs.writeFileSync(path.join(dir, 'z-broken.yaml'), 'id: x\nname: [unclosed\n');
    const yamlErr = await apply(dir);
    expect(yamlErr.code).toBe(2);
    expect(yamlErr.stderr).toMatch(/z-broken\.yaml:\d+:\d+: /);
    expect(await versions()).toEqual(['base@1', 'welcome@1']);
  }, 180_000);

  it('points warnings at the file, line and column', async () => {
    const one = path.join(dir, 'solo');
    fs.mkdirSync(one);
    fs.writeFileSync(path.join(one, 'note.yaml'), 'id: note\nkind: transactional\nsubject: Hi\nbody: |\n  <p>ok</p>\n  <p>{{ order.total }}</p>\n');
    const res = await apply(one);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`${path.join(one, 'note.yaml')}:6:9: warning: unknown variable "order"`);
    fs.rmSync(one, { recursive: true });
  }, 180_000);
});
