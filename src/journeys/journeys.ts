/**
 * @module The journeys service: validate, apply (create or new version), change state, read.
 * Applying is all-or-nothing: every document is validated before anything is written, and all
 * writes of one apply (one or many journeys) happen in one transaction.
 *
 * States: draft → live, live → paused, paused → live, and any state → archived. Archived is final:
 * its content can no longer change. Changing to the current state is a no-op.
 *
 * Drafts save in any state (./definition/draft.ts): a document the full validator refuses is still
 * stored while the journey stays a draft, as long as it has an id, a name and lists of nodes and
 * edges; the validator's errors come back as `problems`, and block only going live (the same
 * messages, as a 400 with their paths). A live or paused journey's content is always complete.
 *
 * Publishing (a journey going live, or a live journey getting new content) with a marketing email
 * message node needs the workspace's postal address (CAN-SPAM): without one it is a 409 saying how
 * to set it (src/workspaces/postal-address.ts), and nothing of the apply is written.
 */
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../core/errors.js';
import type { ServiceDeps } from '../core/deps.js';
import type { Db, Store } from '../store/store.js';
import type { JourneyDocument } from './definition/schema.js';
import { validateJourney, type TemplateExists, type ValidationResult } from './definition/validate.js';
import { draftIssues } from './definition/draft.js';
import { templatesInStore } from './definition/templates.js';
import type { JourneyStatus } from './tables.js';
import { contentOf, getStoredDocument, getVersion, insertVersion, listVersions, readContent, sameContent } from './versions.js';
import { requirePostalAddress, sendsMarketingEmail } from '../workspaces/postal-address.js';

export { getVersion } from './versions.js';
export type { JourneyStatus } from './tables.js';

export interface JourneyDeps extends ServiceDeps {
  /** Defaults to looking the id up in the `templates` table. */
  templateExists?: TemplateExists;
}

export interface JourneyRecord {
  id: string;
  name: string;
  status: JourneyStatus;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface ApplyResult {
  id: string;
  outcome: ApplyOutcome;
  version: number;
  status: JourneyStatus;
  warnings: FieldIssue[];
  /** Only for an incomplete draft: what the full validator refused, to fix before going live. */
  problems?: FieldIssue[];
}

/** A validated document and the state its author asked for (the document's `status`, if given). */
export interface ValidDocument {
  document: JourneyDocument;
  requestedStatus?: JourneyStatus | undefined;
  warnings?: FieldIssue[];
  /**
   * Set for an incomplete draft: the full validator's errors. `document` is then the raw document
   * (only its draft envelope is checked) and may be stored only while the journey stays a draft.
   */
  problems?: FieldIssue[];
}

const TRANSITIONS: Record<JourneyStatus, readonly JourneyStatus[]> = {
  draft: ['live', 'archived'],
  live: ['paused', 'archived'],
  paused: ['live', 'archived'],
  archived: [],
};

export function assertTransition(id: string, from: JourneyStatus, to: JourneyStatus): void {
  if (from === to || TRANSITIONS[from].includes(to)) return;
  const allowed = TRANSITIONS[from].length ? `from ${from} it can go to ${TRANSITIONS[from].join(' or ')}` : 'archived journeys are final';
  throw new ConflictError(`journey ${id} cannot go from ${from} to ${to}: ${allowed}`, 'status');
}

export function validate(deps: JourneyDeps, workspaceId: string, raw: unknown): Promise<ValidationResult> {
  return validateJourney(raw, { workspaceId, templateExists: deps.templateExists ?? templatesInStore(deps.store) });
}

/** Validates `raw` and returns it ready to apply, or throws a ValidationError with every issue. */
export async function validOrThrow(deps: JourneyDeps, workspaceId: string, raw: unknown): Promise<ValidDocument> {
  const result = await validate(deps, workspaceId, raw);
  if (!result.ok) throw new ValidationError(result.errors);
  return { document: result.document, requestedStatus: requestedStatus(raw), warnings: result.warnings };
}

/** The status the raw document names explicitly (absent means "leave the state as it is"). */
export function requestedStatus(raw: unknown): JourneyStatus | undefined {
  const status = (raw as { status?: unknown } | null)?.status;
  return typeof status === 'string' ? (status as JourneyStatus) : undefined;
}

/**
 * Creates a journey or, when `mode` is upsert, appends a version if its content changed. A document
 * with errors is stored only as a draft (see the header); otherwise the errors are thrown.
 */
export async function applyJourney(deps: JourneyDeps, workspaceId: string, raw: unknown, mode: 'create' | 'upsert' = 'upsert'): Promise<ApplyResult> {
  const [result] = await applyValidated(deps, workspaceId, [await validOrDraft(deps, workspaceId, raw)], mode);
  return result!;
}

/** The document ready to apply, or as an incomplete draft when it may be one; throws otherwise. */
export async function validOrDraft(deps: JourneyDeps, workspaceId: string, raw: unknown): Promise<ValidDocument> {
  const result = await validate(deps, workspaceId, raw);
  if (result.ok) return { document: result.document, requestedStatus: requestedStatus(raw), warnings: result.warnings };
  const asked = requestedStatus(raw);
  if ((asked !== undefined && asked !== 'draft') || draftIssues(raw).length > 0) throw new ValidationError(result.errors);
  // Whether the journey is (still) a draft is checked under its row lock, in applyOne.
  return { document: raw as JourneyDocument, requestedStatus: asked, warnings: result.warnings, problems: result.errors };
}

/** Applies already validated documents in one transaction (all or none). */
export async function applyValidated(deps: ServiceDeps, workspaceId: string, docs: ValidDocument[], mode: 'create' | 'upsert' = 'upsert'): Promise<ApplyResult[]> {
  const seen = new Set<string>();
  for (const { document } of docs) {
    if (seen.has(document.id)) throw ValidationError.at('id', `journey ${document.id} is given twice`);
    seen.add(document.id);
  }
  const now = deps.clock.now();
  return deps.store.transaction(async (trx) => {
    const results: ApplyResult[] = [];
    for (const doc of docs) results.push(await applyOne(deps.store, trx, workspaceId, doc, mode, now));
    return results;
  });
}

function lockRow(store: Store, trx: Db, workspaceId: string, id: string) {
  return store.adapter.lockRows(trx.selectFrom('journeys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id)).executeTakeFirst();
}

async function applyOne(store: Store, trx: Db, workspaceId: string, valid: ValidDocument, mode: 'create' | 'upsert', now: number): Promise<ApplyResult> {
  const { document, requestedStatus } = valid;
  const warnings = valid.warnings ?? [];
  const problems = valid.problems?.length ? { problems: valid.problems } : {};
  const content = contentOf(document);
  let row = await lockRow(store, trx, workspaceId, document.id);
  if (!row) {
    const status: JourneyStatus = requestedStatus ?? 'draft';
    assertTransition(document.id, 'draft', status);
    if (status === 'live') await assertPublishable(trx, workspaceId, document.id, document);
    const inserted = await trx
      .insertInto('journeys')
      .values({ workspace_id: workspaceId, id: document.id, name: document.name, status, current_version: 1, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      await insertVersion(trx, workspaceId, content, 1, now);
      return { id: document.id, outcome: 'created', version: 1, status, warnings, ...problems };
    }
    row = await lockRow(store, trx, workspaceId, document.id); // created concurrently: treat as existing
    if (!row) throw new ConflictError(`journey ${document.id} was deleted concurrently; retry`, 'id');
  }
  if (mode === 'create') throw new ConflictError(`journey ${document.id} already exists; use PUT /api/journeys/${document.id} to change it`, 'id');

  // An incomplete document may only replace a draft's content (it is never live or paused).
  if (valid.problems?.length && row.status !== 'draft') throw new ValidationError(valid.problems);
  const current = await readContent(trx, workspaceId, document.id, row.current_version);
  const changed = !current || !sameContent(current, content);
  const status = requestedStatus ?? row.status;
  assertTransition(document.id, row.status, status);
  if (changed && row.status === 'archived') throw new ConflictError(`journey ${document.id} is archived; its content can no longer change`, 'status');
  if (!changed && status === row.status) return { id: document.id, outcome: 'unchanged', version: row.current_version, status, warnings, ...problems };
  if (status === 'live') await assertPublishable(trx, workspaceId, document.id, document);

  const version = changed ? row.current_version + 1 : row.current_version;
  if (changed) await insertVersion(trx, workspaceId, content, version, now);
  await trx.updateTable('journeys').set({ name: document.name, status, current_version: version, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', document.id).execute();
  return { id: document.id, outcome: 'updated', version, status, warnings, ...problems };
}

export async function setStatus(deps: JourneyDeps, workspaceId: string, id: string, status: JourneyStatus): Promise<JourneyRecord> {
  // Going live checks the stored content with the full validator first (a draft may be incomplete),
  // outside the transaction (template look-ups); the transaction then makes sure it is still that version.
  const checked = status === 'live' ? await assertComplete(deps, workspaceId, id) : null;
  return deps.store.transaction(async (trx) => {
    const row = await lockRow(deps.store, trx, workspaceId, id);
    if (!row) throw new NotFoundError('journey', id);
    assertTransition(id, row.status, status);
    if (row.status === status) return record(row);
    if (checked !== null && checked !== row.current_version) throw new ConflictError(`journey ${id} changed while going live; retry`, 'status');
    if (status === 'live') {
      const document = await getVersion(trx, workspaceId, id, row.current_version);
      if (document) await assertPublishable(trx, workspaceId, id, document);
    }
    const updated = { ...row, status, updated_at: deps.clock.now() };
    await trx.updateTable('journeys').set({ status, updated_at: updated.updated_at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    return record(updated);
  });
}

/** The current version of a journey, once the full validator accepts its stored document (else a 400 listing every problem). */
async function assertComplete(deps: JourneyDeps, workspaceId: string, id: string): Promise<number | null> {
  const journey = await getJourney(deps.store.db, workspaceId, id);
  if (!journey) return null; // reported as not found under the lock
  const stored = await getStoredDocument(deps.store.db, workspaceId, id, journey.version);
  if (!stored) return journey.version;
  const result = await validate(deps, workspaceId, { ...stored, status: 'live' });
  if (!result.ok) throw new ValidationError(result.errors);
  return journey.version;
}

/** A journey sending marketing email may go live only once the workspace has a postal address (409). */
async function assertPublishable(db: Db, workspaceId: string, id: string, document: Pick<JourneyDocument, 'nodes'>): Promise<void> {
  if (sendsMarketingEmail(document)) await requirePostalAddress(db, workspaceId, `journey ${id} cannot go live`);
}

function record(r: { id: string; name: string; status: JourneyStatus; current_version: number; created_at: number; updated_at: number }): JourneyRecord {
  return { id: r.id, name: r.name, status: r.status, version: r.current_version, createdAt: r.created_at, updatedAt: r.updated_at };
}

export async function getJourney(db: Db, workspaceId: string, id: string): Promise<JourneyRecord | undefined> {
  const row = await db.selectFrom('journeys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? record(row) : undefined;
}

export async function listJourneys(db: Db, workspaceId: string, status?: JourneyStatus): Promise<JourneyRecord[]> {
  let q = db.selectFrom('journeys').selectAll().where('workspace_id', '=', workspaceId);
  if (status) q = q.where('status', '=', status);
  return (await q.orderBy('id').execute()).map(record);
}

/** Live journeys with their current documents, for the runtime (trigger matching). */
export async function liveJourneys(db: Db, workspaceId: string): Promise<Array<{ journey: JourneyRecord; document: JourneyDocument }>> {
  const out: Array<{ journey: JourneyRecord; document: JourneyDocument }> = [];
  for (const journey of await listJourneys(db, workspaceId, 'live')) {
    const document = await getVersion(db, workspaceId, journey.id, journey.version);
    if (document) out.push({ journey, document });
  }
  return out;
}

export interface JourneyDetail extends JourneyRecord {
  document: JourneyDocument;
  versions: Array<{ version: number; createdAt: number }>;
}

export async function journeyDetail(deps: ServiceDeps, workspaceId: string, id: string): Promise<JourneyDetail> {
  const journey = await getJourney(deps.store.db, workspaceId, id);
  if (!journey) throw new NotFoundError('journey', id);
  const document = await getStoredDocument(deps.store.db, workspaceId, id, journey.version);
  if (!document) throw new NotFoundError('journey version', `${id}@${journey.version}`);
  return { ...journey, document, versions: await listVersions(deps.store.db, workspaceId, id) };
}

export async function versionDocument(deps: ServiceDeps, workspaceId: string, id: string, version: number): Promise<JourneyDocument> {
  const document = await getStoredDocument(deps.store.db, workspaceId, id, version);
  if (!document) throw new NotFoundError('journey version', `${id}@${version}`);
  return document;
}
