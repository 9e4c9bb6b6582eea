import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { acceptInvite, createInvite } from '../users/users.js';
import { createSession } from '../users/sessions.js';
import type { Role } from '../users/tables.js';
import { startChatServer, type ChatServer } from './chat-server.testkit.js';

const SETTINGS = '/api/assistant/settings';
const SUGGEST = '/api/assistant/suggest';

describe.each(backends())('the writing assistant over HTTP on %s', (kind) => {
  let h: Harness;
  let chat: ChatServer;
  beforeAll(async () => {
    // The local model server is on 127.0.0.1: the operator allows private outbound connections.
    h = await createHarness(kind, { allowPrivateOutbound: true });
    chat = await startChatServer();
  });
  afterAll(async () => {
    await chat?.close();
    await h?.close();
  });

  const browser = async (t: Tenant, role: Role) => {
    const invite = await createInvite(h.deps, { workspaceId: t.workspaceId, role, email: `${role}-${Math.random().toString(36).slice(2)}@example.com` });
    const done = await acceptInvite(h.deps, { token: invite.token, password: 'correct horse battery' });
    const s = await createSession(h.deps, done.user.id, t.workspaceId);
    return { cookie: `qatra_session=${s.token}`, 'x-csrf-token': s.csrfToken };
  };

  /** A workspace with the assistant on, pointing at the local server. */
  const configured = async (over: Record<string, unknown> = {}) => {
    const t = await h.tenant();
    const res = await h.app.inject({
      method: 'PUT',
      url: SETTINGS,
      headers: t.admin,
      payload: { enabled: true, baseUrl: chat.baseUrl, model: 'qwen2.5-7b', apiKey: 'sk-local-secret-1', allowPrivateEndpoint: true, timeoutMs: 2000, ...over },
    });
    expect(res.statusCode, res.body).toBe(200);
    return t;
  };

  const template = async (t: Tenant, body: Record<string, unknown>) => {
    const res = await h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload: { name: 'T', kind: 'transactional', ...body } });
    expect(res.statusCode, res.body).toBe(201);
  };

  it('is off by default: the settings say so and a suggestion is refused before anything is sent', async () => {
    const t = await h.tenant();
    const got = await h.app.inject({ method: 'GET', url: SETTINGS, headers: t.admin });
    expect(got.json()).toEqual({ enabled: false, timeoutMs: 30000, allowPrivateEndpoint: false, apiKeySet: false });
    const before = chat.calls.length;
    const res = await h.app.inject({ method: 'POST', url: SUGGEST, headers: t.admin, payload: { task: 'subject_variants', content: { subject: 'Hi', body: '<p>x</p>' } } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/off for this workspace/);
    expect(chat.calls.length).toBe(before);
  });

  it('stores the API key sealed and never returns it; only an admin configures, editors ask, viewers cannot', async () => {
    const t = await configured();
    const got = await h.app.inject({ method: 'GET', url: SETTINGS, headers: t.admin });
    expect(got.json()).toMatchObject({ enabled: true, model: 'qwen2.5-7b', apiKeySet: true });
    expect(got.body).not.toContain('sk-local-secret-1');
    const row = await h.deps.store.db.selectFrom('assistant_settings').select(['api_key', 'settings']).where('workspace_id', '=', t.workspaceId).executeTakeFirstOrThrow();
    expect(row.api_key).not.toContain('sk-local-secret-1');
    expect(h.deps.secretBox.open(row.api_key!)).toBe('sk-local-secret-1');
    expect(JSON.stringify(row.settings)).not.toContain('sk-local-secret-1');

    // A PUT without apiKey keeps it; null removes it.
    await h.app.inject({ method: 'PUT', url: SETTINGS, headers: t.admin, payload: { enabled: true, baseUrl: chat.baseUrl, model: 'other', allowPrivateEndpoint: true } });
    expect((await h.app.inject({ method: 'GET', url: SETTINGS, headers: t.admin })).json()).toMatchObject({ model: 'other', apiKeySet: true });

    const editor = await browser(t, 'editor');
    const viewer = await browser(t, 'viewer');
    expect((await h.app.inject({ method: 'PUT', url: SETTINGS, headers: editor, payload: { enabled: false } })).statusCode).toBe(403);
    chat.reply({ content: '{"suggestions": ["A", "B"]}' });
    const asked = await h.app.inject({ method: 'POST', url: SUGGEST, headers: editor, payload: { task: 'subject_variants', content: { subject: 'Hi', body: '<p>x</p>' }, count: 2 } });
    expect(asked.statusCode, asked.body).toBe(200);
    expect(chat.calls.at(-1)!.authorization).toBe('Bearer sk-local-secret-1');
    expect((await h.app.inject({ method: 'POST', url: SUGGEST, headers: viewer, payload: { task: 'subject_variants', content: { subject: 'Hi' } } })).statusCode).toBe(403);

    await h.app.inject({ method: 'PUT', url: SETTINGS, headers: t.admin, payload: { enabled: false, apiKey: null } });
    expect((await h.app.inject({ method: 'GET', url: SETTINGS, headers: t.admin })).json()).toMatchObject({ enabled: false, apiKeySet: false });
  });

  it('refuses bad settings with the field path and keeps the stored ones', async () => {
    const t = await configured();
    for (const payload of [
      { enabled: true },
      { enabled: true, baseUrl: 'ftp://x', model: 'm' },
      { enabled: true, baseUrl: 'http://u:p@host/v1', model: 'm' },
      { timeoutMs: 5 },
      { apiKey: 'a\nb' },
      { stray: 1 },
    ]) {
      const res = await h.app.inject({ method: 'PUT', url: SETTINGS, headers: t.admin, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.issues.length).toBeGreaterThan(0);
    }
    const res = await h.app.inject({ method: 'PUT', url: SETTINGS, headers: t.admin, payload: { enabled: true } });
    expect((res.json().error.issues as { path: string }[]).map((i) => i.path)).toEqual(expect.arrayContaining(['body.baseUrl', 'body.model']));
    expect((await h.app.inject({ method: 'GET', url: SETTINGS, headers: t.admin })).json()).toMatchObject({ enabled: true, model: 'qwen2.5-7b', apiKeySet: true });
  });

  it('returns subject variants of a saved template, flags the ones that break its Liquid, and saves nothing', async () => {
    const t = await configured();
    await template(t, { id: 'welcome', content: { subject: 'Welcome, {{ contact.first_name }}!', body: '<p>Hi {{ contact.first_name }}, your code is {{ event.code }}</p>' } });
    chat.reply({
      content: '```json\n{"suggestions": ["{{ contact.first_name }}, you\'re in", "Your code: {{ event.code }}", "Welcome {{ first_name }}", "Hello {{ contact.first_name ", "Welcome aboard"]}\n```',
    });
    const res = await h.app.inject({ method: 'POST', url: SUGGEST, headers: t.admin, payload: { templateId: 'welcome', task: 'subject_variants', count: 5 } });
    expect(res.statusCode, res.body).toBe(200);
    const { suggestions, model } = res.json();
    expect(model).toBe('qwen2.5-7b');
    expect(suggestions.map((s: { subject: string; usable: boolean }) => [s.subject, s.usable])).toEqual([
      ["{{ contact.first_name }}, you're in", true],
      ['Your code: {{ event.code }}', true],
      ['Welcome {{ first_name }}', false],
      ['Hello {{ contact.first_name ', false],
      ['Welcome aboard', true],
    ]);
    expect(suggestions[2].issues.join()).toMatch(/first_name/);
    expect(suggestions[3].issues.join()).toMatch(/does not parse as Liquid/);
    expect(suggestions[4].issues.join()).toMatch(/leaves out \{\{ contact.first_name \}\}/);

    // What went to the endpoint: the model, the task and the template's text, nothing else.
    const call = chat.calls.at(-1)!;
    expect(call.body.model).toBe('qwen2.5-7b');
    expect(call.body.messages!.map((m) => m.content).join('\n')).toContain('Welcome, {{ contact.first_name }}!');

    const view = (await h.app.inject({ method: 'GET', url: '/api/templates/welcome', headers: t.admin })).json();
    expect(view.currentVersion).toBe(1);
    expect(view.current.content.subject).toBe('Welcome, {{ contact.first_name }}!');
  });

  it('counts SMS suggestions in segments and encoding', async () => {
    const t = await configured();
    await template(t, { id: 'sms-promo', channel: 'sms', content: { body: 'Hi {{ contact.first_name }}, 20% off today only. Reply STOP to opt out' } });
    const arabic = 'مرحبا {{ contact.first_name }}، خصم ٢٠٪ اليوم فقط على كل المنتجات في متجرنا. للإلغاء أرسل STOP';
    chat.reply({ content: JSON.stringify({ suggestions: ['{{ contact.first_name }}: 20% off today!', arabic] }) });
    const res = await h.app.inject({ method: 'POST', url: SUGGEST, headers: t.admin, payload: { templateId: 'sms-promo', task: 'sms_variants', count: 2 } });
    expect(res.statusCode, res.body).toBe(200);
    const [short, long] = res.json().suggestions;
    expect(short).toMatchObject({ usable: true, sms: { encoding: 'gsm7', segments: 1 } });
    expect(long).toMatchObject({ usable: true, sms: { encoding: 'ucs2', segments: 2, units: arabic.length } });
  });

  it('drafts a Persian translation that keeps every variable, and flags one that translated a variable', async () => {
    const t = await configured();
    const body = '<p>سلام؟ Hello {{ contact.first_name | default: "there" }}</p><a href="{{ unsubscribe_url }}">Unsubscribe</a>';
    chat.reply({
      content: JSON.stringify({
        suggestions: [
          { subject: 'خوش آمدید {{ contact.first_name }}', body: '<p>سلام {{ contact.first_name | default: "دوست" }}</p><a href="{{ unsubscribe_url }}">لغو اشتراک</a>' },
          { subject: 'خوش آمدید {{ مخاطب.نام }}', body: '<p>سلام</p>' },
        ],
      }),
    });
    const res = await h.app.inject({
      method: 'POST',
      url: SUGGEST,
      headers: t.admin,
      payload: { task: 'translate', to: 'fa', count: 2, content: { subject: 'Welcome {{ contact.first_name }}', body } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const [good, bad] = res.json().suggestions;
    expect(good).toMatchObject({ usable: true, issues: [] });
    expect(bad.usable).toBe(false);
    expect(bad.issues.join('\n')).toMatch(/body: leaves out \{\{ contact.first_name \}\}, \{\{ unsubscribe_url \}\}/);
    expect(
      chat.calls
        .at(-1)!
        .body.messages!.map((m) => m.content)
        .join('\n'),
    ).toMatch(/Persian/);
  });

  it('maps the endpoint refusing the key to 502 "key refused" and rate limiting to a retryable 503', async () => {
    const t = await configured();
    const ask = () => h.app.inject({ method: 'POST', url: SUGGEST, headers: t.admin, payload: { task: 'subject_variants', content: { subject: 'Hi' } } });
    chat.reply({ status: 401, body: '{"error":{"message":"invalid key"}}' });
    const refused = await ask();
    expect(refused.statusCode).toBe(502);
    expect(refused.json().error).toMatchObject({ code: 'assistant_key_refused', message: expect.stringMatching(/refused the API key/) });
    chat.reply({ status: 429, body: '{"error":{"message":"slow down"}}' });
    const limited = await ask();
    expect(limited.statusCode).toBe(503);
    expect(limited.json().error).toMatchObject({ code: 'assistant_unavailable', message: expect.stringMatching(/try again/) });
    chat.reply({ status: 200, body: '{"choices":[{"message":{"content":""}}]}' });
    expect((await ask()).json().error.code).toBe('assistant_bad_answer');
  });

  it('refuses hostile and oversized input with 400 and a field path, without calling the endpoint', async () => {
    const t = await configured();
    const before = chat.calls.length;
    const cases: Array<[unknown, string]> = [
      [{ task: 'translate', content: { body: 'x' } }, 'body.to'],
      [{ task: 'subject_variants' }, 'body.templateId'],
      [{ task: 'subject_variants', templateId: 'a', content: { subject: 'x' } }, 'body.templateId'],
      [{ task: 'subject_variants', content: { subject: 'x' }, count: 50 }, 'body.count'],
      [{ task: 'shout', content: { subject: 'x' } }, 'body.task'],
      [{ task: 'sms_variants', content: { body: 'x'.repeat(40_000) } }, 'content.body'],
      [{ task: 'subject_variants', content: { body: 'no subject' } }, 'content.subject'],
      [{ task: 'sms_variants', content: { body: 'Hi {{ contact.first_name ' } }, 'content.body'],
    ];
    for (const [payload, path] of cases) {
      const res = await h.app.inject({ method: 'POST', url: SUGGEST, headers: t.admin, payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(
        (res.json().error.issues as { path: string }[]).map((i) => i.path),
        JSON.stringify(payload).slice(0, 80),
      ).toContain(path);
    }
    expect((await h.app.inject({ method: 'POST', url: SUGGEST, headers: t.admin, payload: { task: 'subject_variants', templateId: 'nope' } })).statusCode).toBe(404);
    expect(chat.calls.length).toBe(before);
  });

  it('does not reach a loopback endpoint the workspace did not allow', async () => {
    const t = await configured({ allowPrivateEndpoint: false });
    const before = chat.calls.length;
    const res = await h.app.inject({ method: 'POST', url: SUGGEST, headers: t.admin, payload: { task: 'subject_variants', content: { subject: 'Hi' } } });
    expect(res.statusCode).toBe(502);
    expect(res.json().error.code).toBe('assistant_private_endpoint');
    expect(chat.calls.length).toBe(before);
  });
});
