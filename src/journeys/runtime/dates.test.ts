import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { countedSends } from '../../channels/counting/counting.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';
import { scanDateTriggers } from './date-trigger.js';

describe.each(backends())('date triggers and local times on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
  });
  afterAll(async () => f?.close());

  const scan = async (iso: string) => {
    f.h.clock.set(Date.parse(iso));
    await scanDateTriggers(f.rt);
    await f.worker.drain();
  };

  it('a yearly birthday trigger fires once per contact per year, in the contact zone, across the year boundary', async () => {
    await f.live({
      id: 'birthday',
      name: 'Birthday',
      trigger: { type: 'date_attribute', attribute: 'birthday', mode: 'yearly', offsetDays: -3, time: '09:00' },
      entry: { reentry: { mode: 'after_exit' } },
      start: 'card',
      nodes: [
        { id: 'card', type: 'message', channel: 'counting' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'card', to: 'done' }],
    });
    const tehran = await f.contact({ userId: 'tehran', timezone: 'Asia/Tehran', attributes: { birthday: '1990-01-02' } });
    const ny = await f.contact({ userId: 'ny', timezone: 'America/New_York', attributes: { birthday: '1985-01-03' } });
    await f.contact({ userId: 'nobday' });
    const sends = () => countedSends(f.h.deps.store.db, f.t.workspaceId);

    await scan('2026-12-30T05:29:00Z'); // 08:59 in Tehran
    expect(await sends()).toBe(0);
    await scan('2026-12-30T05:30:00Z'); // 09:00 in Tehran, three days before 2 January 2027
    expect(await sends()).toBe(1);
    await scan('2026-12-30T20:00:00Z'); // scanning again does not fire again
    expect(await sends()).toBe(1);
    await scan('2026-12-31T14:00:00Z'); // 09:00 in New York, three days before 3 January
    expect(await sends()).toBe(2);
    await scan('2027-01-05T00:00:00Z');
    expect(await sends()).toBe(2);
    await scan('2027-12-30T05:30:00Z'); // next year
    expect(await sends()).toBe(3);
    const fires = await f.h.deps.store.db.selectFrom('journey_date_fires').select(['contact_id', 'occurrence']).where('workspace_id', '=', f.t.workspaceId).orderBy('fired_at').execute();
    expect(fires).toEqual([
      { contact_id: tehran.id, occurrence: '2027' },
      { contact_id: ny.id, occurrence: '2027' },
      { contact_id: tehran.id, occurrence: '2028' },
    ]);
  });

  it('a calendar-day delay resumes at 09:00 local in New York across the DST change', async () => {
    f.h.clock.set(Date.parse('2026-03-07T14:00:00Z')); // Saturday 09:00 EST
    await f.live({
      id: 'next-morning',
      name: 'Next morning',
      trigger: { type: 'event', event: 'asked' },
      start: 'wait',
      nodes: [
        { id: 'wait', type: 'delay', calendarDays: 1, at: '09:00' },
        { id: 'm', type: 'message', channel: 'counting' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'wait', to: 'm' },
        { from: 'm', to: 'done' },
      ],
    });
    const c = await f.contact({ userId: 'dst', timezone: 'America/New_York' });
    await f.track('dst', 'asked');
    await f.worker.drain();
    const [run] = (await f.runs('next-morning')).filter((r) => r.contactId === c.id);
    expect(new Date(run!.dueAt!).toISOString()).toBe('2026-03-08T13:00:00.000Z'); // Sunday 09:00 EDT: 23 hours later
  });

  it('a delay until a date already past runs now, and the step log says so', async () => {
    await f.live({
      id: 'renewal',
      name: 'Renewal',
      trigger: { type: 'event', event: 'renew-check' },
      start: 'wait',
      nodes: [
        { id: 'wait', type: 'delay', untilDate: { attribute: 'renewsOn', offset: '-7d' } },
        { id: 'm', type: 'message', channel: 'counting' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'wait', to: 'm' },
        { from: 'm', to: 'done' },
      ],
    });
    const c = await f.contact({ userId: 'late', attributes: { renewsOn: '2020-01-01' } });
    await f.track('late', 'renew-check');
    await f.worker.drain();
    const [run] = (await f.runs('renewal')).filter((r) => r.contactId === c.id);
    expect(run!.status).toBe('completed');
    const steps = await f.steps(run!.id);
    expect(steps[0]).toMatchObject({ node: 'wait', outcome: 'delayed', detail: { past: true, until: Date.parse('2019-12-25T00:00:00Z') } });
    expect(steps[1]).toMatchObject({ node: 'm', outcome: 'sent' });
  });
});
