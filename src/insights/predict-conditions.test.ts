import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { ValidationError } from '../core/errors.js';
import { compileCondition } from '../segments/compile.js';
import { parseConditions } from '../segments/definition.js';
import { seedContacts } from '../segments/test-seed.js';
import { evaluate as evaluateBranch } from '../conditions/conditions.js';
import { Condition as JourneyCondition } from '../journeys/definition/schema.js';
import { getContact } from '../contacts/contacts.js';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const predicted = (prediction: string, op: string, value: unknown) => ({ type: 'predicted', prediction, op, value });

describe('predicted.* conditions are validated with field paths', () => {
  it('a segment condition names the bad prediction and the out-of-range value', () => {
    try {
      parseConditions({ all: [predicted('conversion_30d', 'gt', 0.6), predicted('lifetime_value', 'gt', 1.5)] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path).sort()).toEqual(['conditions.all.1.prediction', 'conditions.all.1.value']);
    }
    expect(() => parseConditions(predicted('churn_30d', 'equals', 0.5))).toThrow(/conditions.op/);
  });

  it('a journey condition accepts predicted.conversion_30d and predicted.churn_30d, nothing else under predicted.', () => {
    expect(JourneyCondition.safeParse({ field: 'predicted.conversion_30d', op: 'gt', value: 0.6 }).success).toBe(true);
    expect(JourneyCondition.safeParse({ field: 'predicted.churn_30d', op: 'lte', value: 0.2 }).success).toBe(true);
    expect(JourneyCondition.safeParse({ field: 'predicted.conversion_30d.x', op: 'gt', value: 0.6 }).success).toBe(false);
    expect(JourneyCondition.safeParse({ field: 'predicted.ltv', op: 'gt', value: 0.6 }).success).toBe(false);
  });
});

describe.each(backends())('predicted.* in segments and journey branches (%s)', (kind) => {
  let h: Harness;
  let ws: string;
  let ids: Map<string, string>;

  beforeAll(async () => {
    h = await createHarness(kind);
    ws = (await h.tenant()).workspaceId;
    ids = await seedContacts(h.deps.store.db, ws, NOW);
    const other = (await h.tenant()).workspaceId;
    const otherIds = await seedContacts(h.deps.store.db, other, NOW, 'ot');
    const scores: Array<[string, string, number | null, number | null]> = [
      [ws, ids.get('ann')!, 0.7, 0.1],
      [ws, ids.get('bob')!, 0.3, 0.8],
      [ws, ids.get('cara')!, 0.61, null],
      // Another workspace's scores must never count.
      [other, otherIds.get('dan')!, 0.9, 0.9],
    ];
    for (const [workspace_id, contact_id, conversion_30d, churn_30d] of scores) {
      await h.deps.store.db.insertInto('contact_predictions').values({ workspace_id, contact_id, conversion_30d, churn_30d, explanation: '{}', scored_at: NOW }).execute();
    }
  });
  afterAll(() => h?.close());

  async function members(conditions: unknown, mode: 'full' | 'few'): Promise<string[]> {
    const names = new Map([...ids].map(([n, id]) => [id, n]));
    const pred = compileCondition(parseConditions(conditions), { dialect: kind, workspaceId: ws, now: NOW, mode });
    const rows = await sql<{ id: string }>`SELECT c.id FROM contacts c WHERE c.workspace_id = ${ws} AND ${pred}`.execute(h.deps.store.db);
    return rows.rows.map((r) => names.get(r.id)!).sort();
  }

  it.each([
    ['conversion above 0.6', predicted('conversion_30d', 'gt', 0.6), ['ann', 'cara']],
    ['conversion at most 0.5 (contacts without a score never match)', predicted('conversion_30d', 'lte', 0.5), ['bob']],
    ['churn above 0.5', predicted('churn_30d', 'gt', 0.5), ['bob']],
    ['not (conversion above 0.6) includes the unscored', { not: predicted('conversion_30d', 'gt', 0.6) }, ['bob', 'dan', 'eve']],
  ])('segment: %s', async (_name, conditions, expected) => {
    expect(await members(conditions, 'full')).toEqual(expected);
    expect(await members(conditions, 'few')).toEqual(expected);
  });

  it('journey branch: predicted.conversion_30d > 0.6 reads the stored score; a contact without one takes no branch', async () => {
    const branch = { field: 'predicted.conversion_30d', op: 'gt' as const, value: 0.6 };
    const scope = async (name: string) => ({
      contact: await getContact(h.deps, ws, ids.get(name)!),
      trigger: {},
      event: {},
      data: {},
      since: NOW,
      now: NOW,
      db: h.deps.store.db,
    });
    expect(await evaluateBranch(branch, await scope('ann'))).toBe(true);
    expect(await evaluateBranch(branch, await scope('bob'))).toBe(false);
    expect(await evaluateBranch(branch, await scope('dan'))).toBe(false);
    expect(await evaluateBranch({ field: 'predicted.churn_30d', op: 'gte', value: 0.8 }, await scope('bob'))).toBe(true);
  });
});
