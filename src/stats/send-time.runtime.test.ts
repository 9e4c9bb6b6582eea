import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { runtimeFixture, type RuntimeFixture } from '../journeys/runtime/runtime.testkit.js';
import { toJson } from '../core/json.js';
import { hourOfWeek } from './send-time.js';
import { refreshWorkspaceProfile } from './send-time-lookup.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TZ = 'Asia/Tehran';

/** The next whole hour after `now` whose local hour of week is `how`. */
function nextHourOfWeek(now: number, how: number, tz: string): number {
  for (let t = Math.ceil(now / HOUR) * HOUR; ; t += HOUR) if (hourOfWeek(t, tz) === how) return t;
}

describe.each(backends())('a message node with sendTime best on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
    await f.live({
      id: 'sto',
      name: 'sto',
      trigger: { type: 'event', event: 'go' },
      start: 'm1',
      nodes: [
        { id: 'm1', type: 'message', channel: 'counting', sendTime: { mode: 'best', within: '7d' } },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'm1', to: 'done' }],
    });
  });
  afterAll(async () => f?.close());

  async function history(contactId: string, at: number[], machine: boolean) {
    await f.h.deps.store.db
      .insertInto('events')
      .values(
        at.map((t, i) => ({
          workspace_id: f.t.workspaceId,
          contact_id: contactId,
          type: 'track',
          name: 'email.opened',
          properties: toJson({ machine }),
          context: null,
          message_id: `h-${contactId}-${i}`,
          timestamp: t,
          received_at: t,
        })),
      )
      .execute();
  }

  it("holds the message until the contact's usual hour, then sends it once, at that hour", async () => {
    const now = f.h.clock.now();
    const c = await f.contact({ userId: 'reader', timezone: TZ });
    // Human opens at the same local hour of week as 3 days 5 hours from now, for the last 5 weeks.
    const target = Math.floor((now + 3 * DAY + 5 * HOUR) / HOUR) * HOUR;
    await history(
      c.id,
      [1, 2, 3, 4, 5].map((w) => target - w * 7 * DAY + 10 * 60_000),
      false,
    );
    await f.track('reader', 'go');
    await f.worker.drain();
    const [run] = (await f.runs('sto')).filter((r) => r.contactId === c.id);
    const expected = nextHourOfWeek(now, hourOfWeek(target, TZ), TZ);
    expect(expected).toBe(target);
    expect(run!.status).toBe('active');
    expect(run!.dueAt).toBe(expected);
    expect(run!.lastError).toBe('deferred: send time (contact)');
    const sends = () => f.h.deps.store.db.selectFrom('channel_counting_sends').selectAll().where('contact_id', '=', c.id).execute();
    expect(await sends()).toHaveLength(0);
    await f.advance(expected - f.h.clock.now());
    const sent = await sends();
    expect(sent).toHaveLength(1);
    expect(Number(sent[0]!.sent_at)).toBe(expected);
    expect((await f.runs('sto')).find((r) => r.contactId === c.id)!.status).toBe('completed');
  });

  it('machine opens are ignored: with no human history the workspace profile, else Tuesday 10:00 local, decides', async () => {
    const c = await f.contact({ userId: 'proxy', timezone: TZ });
    const now = f.h.clock.now();
    await history(
      c.id,
      [1, 2, 3, 4, 5].map((w) => now - w * 7 * DAY + 7 * HOUR),
      true,
    );
    // The workspace profile: the human opens of the first test are only events, not messages, so it is empty.
    expect(await refreshWorkspaceProfile(f.h.deps)).toBe(1);
    await f.track('proxy', 'go');
    await f.worker.drain();
    const run = (await f.runs('sto')).find((r) => r.contactId === c.id)!;
    expect(run.lastError).toBe('deferred: send time (default)');
    expect(run.dueAt).toBe(nextHourOfWeek(now, 24 + 10, TZ));
  });
});
