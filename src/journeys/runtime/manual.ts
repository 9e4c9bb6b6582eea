/**
 * @module Manual (API) enrolment of one contact or a list of them, by contact id or userId, all in
 * one transaction; the entry rules apply as for any trigger. Reading runs for the API: a journey's
 * runs by page, and a contact's runs with their step history ("where is this contact and why").
 */
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { ServiceDeps } from '../../core/deps.js';
import { fromJson, type JsonObject } from '../../core/json.js';
import type { JourneyCatalog } from './catalog.js';
import { enrollMany } from './enroll.js';
import { toContact } from '../../contacts/contact.js';
import { runView, toRun } from './run.js';
import type { RunStatus } from './tables.js';

export interface EnrollRequest {
  contactIds?: string[] | undefined;
  userIds?: string[] | undefined;
}

export interface EnrollReport {
  enrolled: { contactId: string; runId: string }[];
  skipped: { contactId?: string; userId?: string; reason: string }[];
}

export async function enrollContacts(deps: ServiceDeps, catalog: JourneyCatalog, workspaceId: string, journeyId: string, input: EnrollRequest): Promise<EnrollReport> {
  const byId = input.contactIds ?? [];
  const byUser = input.userIds ?? [];
  if (byId.length + byUser.length === 0) throw ValidationError.at('contactIds', 'give contactIds or userIds (at least one)');
  const now = deps.clock.now();
  return deps.store.transaction(async (trx) => {
    const state = await catalog.state(trx, workspaceId, journeyId);
    if (!state) throw new NotFoundError('journey', journeyId);
    if (state.status !== 'live') throw new ConflictError(`journey ${journeyId} is ${state.status}; only live journeys enrol contacts`, 'status');
    const doc = await catalog.version(trx, workspaceId, journeyId, state.currentVersion);
    if (!doc) throw new NotFoundError('journey version', `${journeyId}@${state.currentVersion}`);
    const report: EnrollReport = { enrolled: [], skipped: [] };
    const targets: { key: { contactId?: string; userId?: string }; contact: ReturnType<typeof toContact> | undefined }[] = [];
    for (let i = 0; i < byId.length; i += 500) {
      const chunk = byId.slice(i, i + 500);
      const rows = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', chunk).execute();
      const found = new Map(rows.map((r) => [r.id, toContact(r)]));
      for (const id of chunk) targets.push({ key: { contactId: id }, contact: found.get(id) });
    }
    for (let i = 0; i < byUser.length; i += 500) {
      const chunk = byUser.slice(i, i + 500);
      const rows = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('user_id', 'in', chunk).execute();
      const found = new Map(rows.map((r) => [r.user_id, toContact(r)]));
      for (const userId of chunk) targets.push({ key: { userId }, contact: found.get(userId) });
    }
    const found = targets.filter((t) => t.contact !== undefined);
    const results = await enrollMany(trx, { journeyId, version: state.currentVersion, doc, contacts: found.map((t) => t.contact!), trigger: {}, now });
    const resultOf = new Map(found.map((t, k) => [t, results[k]!]));
    for (const t of targets) {
      const r = resultOf.get(t);
      if (!t.contact || !r) report.skipped.push({ ...t.key, reason: 'contact_not_found' });
      else if (r.status === 'enrolled') report.enrolled.push({ contactId: t.contact.id, runId: r.runId });
      else report.skipped.push({ contactId: t.contact.id, ...(t.key.userId ? { userId: t.key.userId } : {}), reason: r.reason });
    }
    return report;
  });
}

export async function listRuns(deps: ServiceDeps, workspaceId: string, journeyId: string, page: { status?: RunStatus | undefined; limit: number; after?: string | undefined }) {
  const journey = await deps.store.db.selectFrom('journeys').select('id').where('workspace_id', '=', workspaceId).where('id', '=', journeyId).executeTakeFirst();
  if (!journey) throw new NotFoundError('journey', journeyId);
  let q = deps.store.db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId);
  if (page.status) q = q.where('status', '=', page.status);
  if (page.after) q = q.where('id', '>', page.after);
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  const runs = rows.slice(0, page.limit).map((r) => runView(toRun(r)));
  return { runs, next: rows.length > page.limit ? runs[runs.length - 1]!.id : null };
}

export async function contactJourneys(deps: ServiceDeps, workspaceId: string, contactId: string) {
  const db = deps.store.db;
  const rows = await db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('entered_at').orderBy('id').execute();
  if (rows.length === 0) {
    const contact = await db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
    if (!contact) throw new NotFoundError('contact', contactId);
  }
  const ids = rows.map((r) => r.id);
  const steps = ids.length === 0 ? [] : await db.selectFrom('journey_steps').selectAll().where('run_id', 'in', ids).orderBy('visit').orderBy('id').execute();
  return {
    contactId,
    runs: rows.map((r) => ({
      ...runView(toRun(r)),
      steps: steps
        .filter((s) => s.run_id === r.id)
        .map((s) => ({
          node: s.node_id,
          visit: Number(s.visit),
          outcome: s.outcome,
          dueAt: s.due_at === null ? null : Number(s.due_at),
          executedAt: Number(s.executed_at),
          detail: fromJson<JsonObject | null>(s.detail),
        })),
    })),
  };
}
