import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { createContact } from '../contacts/contacts.js';
import { newId } from '../core/ids.js';
import type { RunStatus } from '../journeys/runtime/tables.js';

describe.each(backends())('the journeys list figures on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let other: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    other = await h.tenant();
  });
  afterAll(async () => h?.close());

  async function plant(tenant: Tenant, journeyId: string, statuses: RunStatus[]) {
    const now = h.clock.now();
    for (const status of statuses) {
      const contact = await createContact(h.deps, tenant.workspaceId, { email: `${newId('req', now)}@example.com` });
      const ended = status === 'active' || status === 'waiting' ? null : now;
      await h.deps.store.db
        .insertInto('journey_runs')
        .values({
          id: newId('run', now),
          workspace_id: tenant.workspaceId,
          journey_id: journeyId,
          version: 1,
          contact_id: contact.id,
          status,
          current_node: null,
          visit: 1,
          due_at: null,
          wait_event: null,
          wait_filters: null,
          wait_started_at: null,
          claimed_by: null,
          lease_until: null,
          attempts: 0,
          last_error: null,
          trigger_props: '{}',
          event_props: '{}',
          data: '{}',
          entered_at: now,
          updated_at: now,
          ended_at: ended,
          exit_reason: null,
          goal_value: null,
        })
        .execute();
    }
  }

  it('answers every journey’s active and waiting runs in one request, exact, without other workspaces or ended runs', async () => {
    await plant(t, 'welcome', ['active', 'active', 'waiting', 'completed', 'exited']);
    await plant(t, 'winback', ['waiting', 'converted']);
    await plant(t, 'birthday', ['completed']);
    await plant(other, 'welcome', ['active', 'active', 'active']);
    const res = await h.app.inject({ method: 'GET', url: '/api/stats/journeys', headers: t.admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      data: [
        { journeyId: 'welcome', active: 2, waiting: 1 },
        { journeyId: 'winback', active: 0, waiting: 1 },
      ],
    });
    const write = await h.app.inject({ method: 'GET', url: '/api/stats/journeys', headers: t.write });
    expect([401, 403]).toContain(write.statusCode);
  });
});
