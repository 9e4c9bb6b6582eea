/**
 * @module Identity resolution: which contact a Segment call is about, creating and merging contacts
 * as the calls say. Runs inside the ingesting transaction, for a whole batch at once: one SELECT for
 * the batch's userIds (or the caller's rows of them, see `knownUsers`), one for its anonymousIds, one
 * for the emails its identify calls carry, then the calls are resolved in order against that
 * in-memory picture, and new contacts, anonymous-id links and changed contacts are written in bulk at
 * the end. Merges are rare and written at once.
 *
 * Rules (docs/ingestion.md has the long form):
 * - A call with a userId belongs to the contact with that user_id. If there is none, an anonymous
 *   contact of its anonymousId becomes that user (user_id set); otherwise a new contact is created.
 * - A call with a userId and an anonymousId of another, anonymous contact merges that contact into
 *   the known one (identify-after-anonymous). An anonymousId already used by another *known* contact
 *   (a shared device) is left with it.
 * - A call without a userId that names a contact (`contactId`, from a verified click id:
 *   src/browser/click-id.ts) belongs to that contact: its anonymousId is linked to it, or, when the
 *   anonymousId's contact is anonymous (no userId and no email), that contact is merged into it (the
 *   same merge as an identify); an anonymousId of a contact with a userId or an email stays with it
 *   (a shared browser). A contactId this workspace does not hold (deleted, merged away) is ignored.
 * - alias(previousId → userId) makes them one contact: the previous one (found by user_id, then by
 *   anonymous id) is merged into the userId's contact, or renamed to the userId when there is none.
 * - identify shallow-merges traits into attributes and maps email (one mailbox, normalised: a string
 *   that is not one is refused, see `traitsEmail`), phone (E.164, see ./phone-input.ts), timezone and locale (traits first, then
 *   context; invalid time zones ignored) into the contact's columns.
 * - An email already held by another contact: an anonymous contact is merged into the holder; a
 *   known contact absorbs a holder without user_id; two different userIds never merge on an email:
 *   the email then stays with its holder (and in the other's attributes only).
 * - A merge moves events, anonymous ids, list memberships, consents (the more recent decision wins
 *   per channel/topic) and the whole consent history; attributes merge with the survivor winning.
 *   `contact_merged` is emitted before the merged contact is deleted, so sinks can move their rows.
 *
 * `dialect` only travels through here to the hand-written key lookups of ./by-keys.ts (measured there).
 */
import { sql } from 'kysely';
import { newId } from '../core/ids.js';
import { fromJson, toJson, type Json, type JsonObject } from '../core/json.js';
import type { Signal, Signals } from '../events/signals.js';
import type { Db, DialectName } from '../store/store.js';
import { contactsByKeys } from './by-keys.js';
import { normalizeEmail, type ContactRow } from './contact.js';
import { isValidTimeZone } from '../core/time-zone.js';
import { normalizePhone } from '../core/phone.js';
import { traitsPhone } from './phone-input.js';
import { traitsAddress } from './postal-address-segment.js';

export interface IdentityCall {
  userId: string | null;
  anonymousId: string | null;
  /** Set for alias calls: the id the user had before (a userId or an anonymousId). */
  previousId: string | null;
  /** Set for identify calls. */
  traits: JsonObject | null;
  context: JsonObject;
  /** A contact the call is known to be about without a userId (a verified click id); see the rules above. */
  contactId?: string | null;
}

interface Person {
  id: string;
  userId: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  /** As read (JSON text or parsed); decoded only when an identify or merge needs it. */
  rawAttributes: unknown;
  attributes: JsonObject | null;
  /** The postal address to write (JSON text, from traits.address), or undefined to leave the column as it is. */
  postalAddress: string | undefined;
  createdAt: number;
  isNew: boolean;
  flushed: boolean;
  changed: Set<string>;
  mergedInto: Person | null;
}

function fromRow(row: ContactRow): Person {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    phone: row.phone,
    timezone: row.timezone,
    locale: row.locale,
    rawAttributes: row.attributes,
    attributes: null,
    postalAddress: undefined,
    createdAt: row.created_at,
    isNew: false,
    flushed: true,
    changed: new Set(),
    mergedInto: null,
  };
}

function attributesOf(p: Person): JsonObject {
  if (!p.attributes) p.attributes = fromJson<JsonObject>(p.rawAttributes) ?? {};
  return p.attributes;
}

function survivor(p: Person): Person {
  while (p.mergedInto) p = p.mergedInto;
  return p;
}

/**
 * The stored form of an identify call's `traits.email`, or null when it carries none (absent, not a
 * string, or blank: the attribute is kept, the column left alone). A string that is not exactly one
 * mailbox throws a ValidationError at `traits.email`: ingestion refuses such calls before they reach
 * this point (src/events/segment.ts uses `traitsEmailIssue`), so this guards every other caller.
 */
export function traitsEmail(traits: JsonObject | null): string | null {
  const email = traits?.email;
  if (typeof email !== 'string' || email.trim() === '') return null;
  return normalizeEmail(email, 'traits.email');
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}

/** The user ids the calls look contacts up by: their userIds and alias previousIds. */
export function userIdsOf(calls: readonly IdentityCall[]): string[] {
  return distinct(calls.flatMap((c) => [c.userId, c.previousId]));
}

export interface Resolution {
  /** The contact of each call, index-aligned with the calls. */
  contactIds: string[];
  /**
   * `contact_created` / `contact_updated` of the last write, not emitted yet: the caller emits them in
   * the same transaction, together with its own signals, so the sinks run once (one round of catalog
   * reads on PostgreSQL instead of two). Signals of merges (and of what was written before a merge)
   * are emitted at once, because the merge deletes a contact that a sink may have to follow.
   */
  signals: Signal[];
}

/**
 * Resolves every call to a contact, writing what the calls imply.
 * `knownUsers`, when given, are the workspace's contacts whose user_id is in `userIdsOf` of these
 * calls (or of a superset of them), read by the caller in a statement it needed anyway, so that
 * lookup is not repeated here.
 */
export async function resolveContacts(
  trx: Db,
  out: { dialect: DialectName; signals: Signals },
  workspaceId: string,
  calls: readonly IdentityCall[],
  now: number,
  knownUsers?: readonly ContactRow[],
): Promise<Resolution> {
  const resolver = new Resolver(trx, out.dialect, out.signals, workspaceId, now);
  await resolver.load(calls, knownUsers);
  const people: Person[] = [];
  for (const call of calls) people.push(await resolver.resolve(call));
  const signals = await resolver.write();
  return { contactIds: people.map((p) => survivor(p).id), signals };
}

class Resolver {
  private byUser = new Map<string, Person>();
  private byAnon = new Map<string, Person>();
  private byEmail = new Map<string, Person>();
  private byId = new Map<string, Person>();
  /** Each call's traits → its stored email, parsed once in `load` (parsing costs ~5 µs). */
  private emailOf = new Map<JsonObject, string | null>();
  private pending: Person[] = [];
  private links: { anonymousId: string; person: Person }[] = [];

  constructor(
    private trx: Db,
    private dialect: DialectName,
    private signals: Signals,
    private workspaceId: string,
    private now: number,
  ) {}

  async load(calls: readonly IdentityCall[], knownUsers: readonly ContactRow[] | undefined): Promise<void> {
    const userIds = knownUsers ? [] : userIdsOf(calls);
    const anonIds = distinct(calls.flatMap((c) => [c.anonymousId, c.previousId]));
    for (const c of calls) if (c.traits) this.emailOf.set(c.traits, traitsEmail(c.traits));
    const emails = distinct([...this.emailOf.values()]);
    const seen = new Map<string, Person>();
    const person = (row: ContactRow) => seen.get(row.id) ?? seen.set(row.id, fromRow(row)).get(row.id)!;
    for (const row of await contactsByKeys(this.trx, this.dialect, this.workspaceId, 'user_id', userIds)) this.byUser.set(row.key, person(row));
    for (const row of knownUsers ?? []) this.byUser.set(row.user_id!, person(row));
    for (const row of await contactsByKeys(this.trx, this.dialect, this.workspaceId, 'anonymous_id', anonIds)) this.byAnon.set(row.key, person(row));
    for (const row of await contactsByKeys(this.trx, this.dialect, this.workspaceId, 'email', emails)) this.byEmail.set(row.key, person(row));
    const ids = distinct(calls.map((c) => (c.userId === null ? (c.contactId ?? null) : null)));
    for (const row of await contactsByKeys(this.trx, this.dialect, this.workspaceId, 'id', ids)) this.byId.set(row.key, person(row));
  }

  async resolve(call: IdentityCall): Promise<Person> {
    let person = call.previousId !== null && call.userId !== null ? await this.alias(call.previousId, call.userId) : await this.identity(call);
    if (call.traits) person = await this.applyTraits(person, call.traits, call.context);
    return person;
  }

  private async identity(call: IdentityCall): Promise<Person> {
    const anon = call.anonymousId !== null ? this.byAnon.get(call.anonymousId) : undefined;
    const claimed = call.userId === null && call.contactId ? this.byId.get(call.contactId) : undefined;
    if (claimed) {
      const into = survivor(claimed);
      if (call.anonymousId === null) return into;
      if (!anon) this.link(call.anonymousId, into);
      // Only a contact with nothing of its own (no userId, no email) is merged on a click's word: one
      // that has an email is a person already, and a shared browser must not join two of them.
      else if (survivor(anon) !== into && survivor(anon).userId === null && survivor(anon).email === null) await this.merge(survivor(anon), into);
      return into;
    }
    if (call.userId === null) {
      if (anon) return survivor(anon);
      const created = this.create(null);
      this.link(call.anonymousId!, created);
      return created;
    }
    let known = this.byUser.get(call.userId);
    if (!known) {
      if (anon && survivor(anon).userId === null) {
        known = survivor(anon);
        this.setUserId(known, call.userId);
      } else {
        known = this.create(call.userId);
      }
    }
    known = survivor(known);
    if (call.anonymousId !== null) {
      if (!anon) this.link(call.anonymousId, known);
      else if (survivor(anon) !== known && survivor(anon).userId === null) await this.merge(survivor(anon), known);
    }
    return known;
  }

  private async alias(previousId: string, userId: string): Promise<Person> {
    const target = this.byUser.get(userId);
    const previous = this.byUser.get(previousId) ?? this.byAnon.get(previousId);
    if (!previous) {
      const into = target ? survivor(target) : this.create(userId);
      if (previousId !== userId) this.link(previousId, into);
      return into;
    }
    const from = survivor(previous);
    if (!target) {
      this.setUserId(from, userId);
      return from;
    }
    const into = survivor(target);
    if (from !== into) await this.merge(from, into);
    return into;
  }

  private create(userId: string | null): Person {
    const person = fromRow({ id: newId('ct', this.now), user_id: userId, email: null, phone: null, timezone: null, locale: null, attributes: null, created_at: this.now });
    person.attributes = {};
    person.isNew = true;
    person.flushed = false;
    this.pending.push(person);
    if (userId !== null) this.byUser.set(userId, person);
    return person;
  }

  private link(anonymousId: string, person: Person): void {
    this.links.push({ anonymousId, person });
    this.byAnon.set(anonymousId, person);
  }

  private setUserId(person: Person, userId: string): void {
    if (person.userId !== null && this.byUser.get(person.userId) === person) this.byUser.delete(person.userId);
    person.userId = userId;
    person.changed.add('userId');
    this.byUser.set(userId, person);
  }

  private async applyTraits(person: Person, traits: JsonObject, context: JsonObject): Promise<Person> {
    const parsed = this.emailOf.get(traits);
    const email = parsed !== undefined ? parsed : traitsEmail(traits);
    if (email !== null && email !== person.email) {
      const holder = this.byEmail.get(email);
      const other = holder ? survivor(holder) : undefined;
      if (!other || other === person) this.setColumn(person, 'email', email);
      else if (person.userId === null) {
        await this.merge(person, other);
        person = other;
      } else if (other.userId === null) {
        await this.merge(other, person);
        this.setColumn(person, 'email', email);
      }
      // else: two different userIds: the email stays with its holder.
      if (person.email === email) this.byEmail.set(email, person);
    }
    const attributes = attributesOf(person);
    for (const [key, value] of Object.entries(traits)) {
      if (value === undefined) continue;
      if (JSON.stringify(attributes[key]) !== JSON.stringify(value)) {
        attributes[key] = value as Json;
        person.changed.add(key);
      }
    }
    // The address column follows the address trait when the trait changed (ingestion refused a bad one).
    if (person.changed.has('address')) {
      const address = traitsAddress(traits);
      if (address.kind === 'ok') person.postalAddress = toJson(address.address);
    }
    // Ingestion has read it to E.164 with the workspace's default country (src/contacts/phone-input.ts);
    // from any other caller, only an international number reaches the column.
    const phone = traitsPhone(traits);
    const e164 = phone === null ? null : normalizePhone(phone);
    if (e164?.ok) this.setColumn(person, 'phone', e164.e164);
    const timezone = [traits.timezone, context.timezone].find((tz): tz is string => typeof tz === 'string' && isValidTimeZone(tz));
    if (timezone) this.setColumn(person, 'timezone', timezone);
    const locale = [traits.locale, context.locale].find((l): l is string => typeof l === 'string' && l.length > 0 && l.length <= 35);
    if (locale) this.setColumn(person, 'locale', locale);
    return person;
  }

  private setColumn(person: Person, column: 'email' | 'phone' | 'timezone' | 'locale', value: string): void {
    if (person[column] === value) return;
    person[column] = value;
    person.changed.add(column);
  }

  /** Merges `from` into `into` in the database now (after writing what is pending, so SQL sees it, and emitting its signals). */
  private async merge(from: Person, into: Person): Promise<void> {
    await this.signals.emit(this.trx, await this.write(), this.now);
    const trx = this.trx;
    const f = from.id;
    const i = into.id;
    await trx.updateTable('events').set({ contact_id: i }).where('contact_id', '=', f).execute();
    await trx.updateTable('contact_anonymous_ids').set({ contact_id: i }).where('contact_id', '=', f).execute();
    await sql`UPDATE list_memberships SET contact_id = ${i} WHERE contact_id = ${f}
      AND list_id NOT IN (SELECT list_id FROM list_memberships WHERE contact_id = ${i})`.execute(trx);
    // Consent: per channel and topic the more recent decision wins; the whole ledger moves.
    await sql`DELETE FROM consents WHERE contact_id = ${i} AND EXISTS (SELECT 1 FROM consents o WHERE o.contact_id = ${f}
      AND o.channel = consents.channel AND o.topic = consents.topic AND o.updated_at > consents.updated_at)`.execute(trx);
    await sql`UPDATE consents SET contact_id = ${i} WHERE contact_id = ${f}
      AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.contact_id = ${i} AND k.channel = consents.channel AND k.topic = consents.topic)`.execute(trx);
    await trx.updateTable('consent_history').set({ contact_id: i }).where('contact_id', '=', f).execute();
    // The survivor keeps its postal address; one without takes the merged contact's.
    await sql`UPDATE contacts SET postal_address = (SELECT o.postal_address FROM contacts o WHERE o.id = ${f}) WHERE id = ${i} AND postal_address IS NULL`.execute(trx);
    await this.signals.emit(trx, [{ kind: 'contact_merged', workspaceId: this.workspaceId, fromContactId: f, intoContactId: i }], this.now);
    await trx.deleteFrom('contacts').where('id', '=', f).execute();

    const mine = attributesOf(into);
    for (const [key, value] of Object.entries(attributesOf(from))) {
      if (!(key in mine)) {
        mine[key] = value;
        into.changed.add(key);
      }
    }
    for (const column of ['email', 'phone', 'timezone', 'locale'] as const) {
      const value = from[column];
      if (into[column] === null && value !== null) this.setColumn(into, column, value);
    }
    if (into.userId === null && from.userId !== null) this.setUserId(into, from.userId);
    from.mergedInto = into;
    for (const map of [this.byUser, this.byAnon, this.byEmail, this.byId]) {
      for (const [key, p] of map) if (p === from) map.set(key, into);
    }
  }

  /** Writes new contacts, anonymous-id links and changed contacts; returns their signals (not emitted). */
  async write(): Promise<Signal[]> {
    const signals: Signal[] = [];
    const created = this.pending.filter((p) => !p.mergedInto);
    this.pending = [];
    if (created.length > 0) {
      await this.trx
        .insertInto('contacts')
        .values(
          created.map((p) => ({
            id: p.id,
            workspace_id: this.workspaceId,
            user_id: p.userId,
            email: p.email,
            phone: p.phone,
            timezone: p.timezone,
            locale: p.locale,
            attributes: toJson(attributesOf(p)),
            postal_address: p.postalAddress ?? null,
            created_at: p.createdAt,
            updated_at: this.now,
          })),
        )
        .execute();
      for (const p of created) {
        p.flushed = true;
        p.changed.clear();
        signals.push({ kind: 'contact_created', workspaceId: this.workspaceId, contactId: p.id });
      }
    }
    if (this.links.length > 0) {
      await this.trx
        .insertInto('contact_anonymous_ids')
        .values(
          this.links.map((l) => ({
            workspace_id: this.workspaceId,
            anonymous_id: l.anonymousId,
            contact_id: survivor(l.person).id,
            created_at: this.now,
          })),
        )
        .execute();
      this.links = [];
    }
    const people = new Set([...this.byUser.values(), ...this.byAnon.values(), ...this.byEmail.values(), ...this.byId.values()]);
    for (const p of people) {
      if (!p.flushed || p.mergedInto || p.changed.size === 0) continue;
      await this.trx
        .updateTable('contacts')
        .set({
          user_id: p.userId,
          email: p.email,
          phone: p.phone,
          timezone: p.timezone,
          locale: p.locale,
          attributes: toJson(attributesOf(p)),
          ...(p.postalAddress === undefined ? {} : { postal_address: p.postalAddress }),
          updated_at: this.now,
        })
        .where('id', '=', p.id)
        .execute();
      signals.push({ kind: 'contact_updated', workspaceId: this.workspaceId, contactId: p.id, changed: [...p.changed] });
      p.changed.clear();
      p.postalAddress = undefined;
    }
    return signals;
  }
}
