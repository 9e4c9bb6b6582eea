/**
 * @module Importing a do-not-mail list (docs/mail.md "Response" › consent): a CSV whose header names
 * either `contact_id` (those contacts opt out of postal marketing: consent channel `mail`
 * `unsubscribed`, source `do_not_mail`) or the address columns `name,line1,line2,line3,city,region,
 * postcode,country` (those addresses are suppressed, reason `manual`, under their normalised key,
 * ./address-key.ts: the list never stores an address in the clear). Both kinds of row may be mixed
 * when the header has both.
 *
 * Every row is checked before anything is written; a bad row (an unknown contact, an address
 * without a line, city or country) refuses the whole import with the row's path (`rows.<n>.<column>`,
 * n the 1-based data row), and the writes run in one transaction: nothing is half-imported.
 */
import { parse } from 'csv-parse/sync';
import type { ServiceDeps } from '../../core/deps.js';
import { unescapeCsvCell } from '../../core/csv.js';
import { ValidationError, type FieldIssue } from '../../core/errors.js';
import { setConsent } from '../../consent/consent.js';
import type { PostalAddress } from '../../contacts/postal-address.js';
import { suppress } from '../../suppression/suppressions.js';
import { mailAddressKey } from './address-key.js';

export const DO_NOT_MAIL_MAX_ROWS = 50_000;

export type DoNotMailEntry = { contactId: string } | { address: PostalAddress };

export function parseDoNotMailCsv(text: string): DoNotMailEntry[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, to: DO_NOT_MAIL_MAX_ROWS + 2 }) as string[][];
  } catch (err) {
    throw ValidationError.at('csv', `not a CSV file: ${(err as Error).message.slice(0, 200)}`);
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col('contact_id') < 0 && col('line1') < 0) throw ValidationError.at('csv', 'the header must name contact_id or the address columns name,line1,line2,line3,city,region,postcode,country');
  const rows = records.slice(1);
  if (rows.length > DO_NOT_MAIL_MAX_ROWS) throw ValidationError.at('csv', `at most ${DO_NOT_MAIL_MAX_ROWS} rows`);
  const issues: FieldIssue[] = [];
  const entries: DoNotMailEntry[] = [];
  rows.forEach((r, i) => {
    const cell = (name: string) => {
      const at = col(name);
      const v = at < 0 ? '' : unescapeCsvCell(r[at] ?? '');
      return v.slice(0, 200);
    };
    const contactId = cell('contact_id');
    if (contactId) return void entries.push({ contactId });
    const lines = [cell('line1'), cell('line2'), cell('line3')].filter(Boolean);
    const address: PostalAddress = { name: cell('name'), lines, city: cell('city'), country: cell('country').toUpperCase() };
    if (cell('region')) address.region = cell('region');
    if (cell('postcode')) address.postcode = cell('postcode');
    const path = `rows.${i + 1}`;
    if (lines.length === 0) issues.push({ path: `${path}.line1`, message: 'an address needs a street line (or give contact_id)' });
    if (!address.city) issues.push({ path: `${path}.city`, message: 'an address needs a city' });
    if (!/^[A-Z]{2}$/.test(address.country)) issues.push({ path: `${path}.country`, message: 'an ISO 3166-1 alpha-2 country' });
    entries.push({ address });
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return entries;
}

export interface DoNotMailResult {
  addresses: number;
  contacts: number;
  /** Entries that were on the list already. */
  unchanged: number;
}

export async function importDoNotMail(deps: ServiceDeps, workspaceId: string, entries: readonly DoNotMailEntry[]): Promise<DoNotMailResult> {
  const contactIds = [...new Set(entries.flatMap((e) => ('contactId' in e ? [e.contactId] : [])))];
  const known = new Set<string>();
  for (let start = 0; start < contactIds.length; start += 1000) {
    const rows = await deps.store.db
      .selectFrom('contacts')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', contactIds.slice(start, start + 1000))
      .where('erased_at', 'is', null)
      .execute();
    for (const r of rows) known.add(r.id);
  }
  const unknown = entries.flatMap((e, i) =>
    'contactId' in e && !known.has(e.contactId) ? [{ path: `rows.${i + 1}.contact_id`, message: `no contact ${e.contactId.slice(0, 64)} in this workspace` }] : [],
  );
  if (unknown.length > 0) throw new ValidationError(unknown);
  const now = deps.clock.now();
  return deps.store.transaction(async (trx) => {
    const out: DoNotMailResult = { addresses: 0, contacts: 0, unchanged: 0 };
    for (const e of entries) {
      if ('contactId' in e) {
        await setConsent(deps, workspaceId, e.contactId, { channel: 'mail', status: 'unsubscribed', source: 'do_not_mail' }, trx);
        out.contacts++;
      } else if (await suppress(trx, { workspaceId, address: mailAddressKey(e.address), reason: 'manual', source: 'do_not_mail', now })) out.addresses++;
      else out.unchanged++;
    }
    return out;
  });
}
