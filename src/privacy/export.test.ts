import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { person, privacyKit, seedPerson, type PrivacyKit } from './test-seed.js';
import { EXPORT_SECTIONS } from './export.js';

describe.each(backends())('GET /api/contacts/:id/export on %s', (kind) => {
  let k: PrivacyKit;
  beforeAll(async () => {
    k = await privacyKit(kind);
  });
  afterAll(async () => k?.close());

  it("holds every kind of data kept about the contact, and nobody else's", async () => {
    const p = person('ex1');
    const id = await seedPerson(k, p);
    const other = await seedPerson(k, person('ex2'));
    const res = await k.api('GET', `/api/contacts/${id}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="contact-${id}.json"`);
    const doc = res.json();
    expect(Object.keys(doc)).toEqual(['exportedAt', 'contact', ...EXPORT_SECTIONS]);
    expect(doc.contact).toMatchObject({ id, userId: p.userId, email: p.email, phone: p.phone, attributes: { first_name: p.secrets[0], favourite_colour: p.secrets[1] } });
    expect(doc.anonymousIds).toEqual([{ anonymousId: p.anonymousId, createdAt: expect.any(Number) }]);
    expect(doc.events.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['Pricing', 'identify', 'Plan Chosen']));
    expect(doc.events.find((e: { name: string }) => e.name === 'Plan Chosen').properties).toEqual({ plan: p.secrets[2], note: `call ${p.phone}` });
    expect(doc.events.find((e: { name: string }) => e.name === 'identify').context).toMatchObject({ ip: p.secrets[5], userAgent: p.secrets[3] });
    // The grant, then the unsubscribe page (the message had no topic, so the whole channel).
    expect(doc.consent).toEqual([{ channel: 'email', topic: '', status: 'unsubscribed', source: 'unsubscribe-page', updatedAt: expect.any(Number) }]);
    expect(doc.consentHistory[0]).toMatchObject({ channel: 'email', status: 'subscribed', source: 'privacy-test', userAgent: p.secrets[3], textVersion: 'v1' });
    expect(doc.consentHistory.map((c: { status: string }) => c.status)).toEqual(['subscribed', 'unsubscribed']);
    expect(doc.listMemberships).toEqual([expect.objectContaining({ listName: `News ${p.tag}`, status: 'subscribed' })]);
    expect(doc.segmentMemberships).toEqual([expect.objectContaining({ segmentName: `Fans ${p.tag}` })]);
    expect(doc.messages).toEqual([expect.objectContaining({ channel: 'email', kind: 'marketing', status: 'sent', toAddress: p.email, subject: `Welcome, ${p.secrets[0]}!`, journeyId: 'welcome' })]);
    expect(doc.outbox).toEqual([expect.objectContaining({ messageId: doc.messages[0].id, toAddress: p.email, subject: `Welcome, ${p.secrets[0]}!` })]);
    expect(doc.outbox[0].htmlBody).toContain(p.secrets[0]);
    expect(doc.journeyRuns).toEqual([expect.objectContaining({ journeyId: 'welcome', status: 'active', triggerProps: expect.objectContaining({ plan: p.secrets[2] }) })]);
    expect(doc.journeySteps.map((s: { nodeId: string }) => s.nodeId)).toContain('hello');
    expect(doc.deliveries).toEqual([expect.objectContaining({ channel: 'email', status: 'sent', runId: doc.journeyRuns[0].id })]);
    expect(doc.unsubscribeFeedback).toEqual([expect.objectContaining({ answer: p.secrets[4], messageId: doc.messages[0].id })]);
    expect(doc.suppressions).toEqual([]);
    expect(res.body).not.toContain(other);
    expect(res.body).not.toContain('zenobia.ex2');
  });

  it('streams a contact with thousands of events in pages, every event once and in order', async () => {
    const p = person('ex3');
    const id = await seedPerson(k, p);
    const total = 3000;
    for (let b = 0; b < total / 500; b++) {
      const batch = Array.from({ length: 500 }, (_, i) => ({ type: 'track', userId: p.userId, event: 'Viewed', messageId: `m-${b}-${i}`, properties: { n: b * 500 + i } }));
      const res = await k.ingest('batch', { batch });
      expect(res.statusCode).toBe(200);
    }
    const res = await k.api('GET', `/api/contacts/${id}/export`);
    expect(res.statusCode).toBe(200);
    const viewed = (res.json().events as Array<{ id: number; name: string; properties: { n: number } }>).filter((e) => e.name === 'Viewed');
    expect(viewed).toHaveLength(total);
    expect(viewed.map((e) => e.properties.n)).toEqual(Array.from({ length: total }, (_, i) => i));
    const ids = viewed.map((e) => e.id);
    expect(new Set(ids).size).toBe(total);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it("answers 404 for an unknown contact or another workspace's, and records each export in the audit log", async () => {
    const id = await seedPerson(k, person('ex4'));
    expect((await k.api('GET', '/api/contacts/ct_nope/export')).statusCode).toBe(404);
    const stranger = await k.h.tenant();
    const foreign = await k.h.app.inject({ method: 'GET', url: `/api/contacts/${id}/export`, headers: stranger.admin });
    expect(foreign.statusCode).toBe(404);
    expect((await k.h.app.inject({ method: 'GET', url: `/api/contacts/${id}/export`, headers: k.t.write })).statusCode).toBe(403);
    expect((await k.h.app.inject({ method: 'GET', url: `/api/contacts/${id}/export` })).statusCode).toBe(401);
    await k.api('GET', `/api/contacts/${id}/export`);
    const audit = (await k.api('GET', `/api/audit?action=contact.exported&subject=${id}`)).json();
    expect(audit.data).toEqual([{ id: expect.any(Number), actor: expect.stringMatching(/^key_|^k/), action: 'contact.exported', subject: id, details: {}, at: expect.any(Number) }]);
    expect((await k.h.app.inject({ method: 'GET', url: `/api/audit?subject=${id}`, headers: stranger.admin })).json().data).toEqual([]);
  });
});
