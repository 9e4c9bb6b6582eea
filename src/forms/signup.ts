/**
 * @module What a signup does (POST /f/:formId) and what confirming it does (POST /f/confirm/:token).
 *
 * Signup, in one transaction: find the contact by email or create it, store the form's fields as
 * attributes (for a known contact only the ones still empty; a `phone` field sets the contact's phone,
 * as E.164, when it has none), record the consent act (source `form:<id>`, IP, user agent, consent text version:
 * docs/standards.md §17) and put the contact on the list. Single opt-in list: membership and email consent
 * `subscribed` (the lists service emits list_joined). Double opt-in list: membership `pending` and
 * consent `pending` (unless the contact's email consent is already `subscribed`, which a form
 * submission must not downgrade); the caller then sends the confirmation link.
 *
 * A withdrawal stands until the person confirms: when the contact's email consent (whole channel)
 * or its membership of the list is `unsubscribed`, a form on any list only makes the membership
 * `pending`, leaves the consent as it is and asks for the confirmation click (anyone can type anyone's
 * address into a form). The answer never tells who is known: a double opt-in form always answers
 * `pending`, a single opt-in form always `subscribed` (the confirmation email is what the address's
 * owner sees). A confirmed subscriber who signs up again changes nothing and gets no email.
 *
 * Confirm, in one transaction: membership → subscribed (list_joined fires), email consent
 * `subscribed` with source `double-opt-in`, the confirming request's IP and user agent and the
 * form's text version. Confirming twice changes nothing the second time.
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError, ValidationError, type FieldIssue } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { parseEmailAddress } from '../core/email-address.js';
import { normalizePhone } from '../core/phone.js';
import { smsDefaultCountry } from '../channels/sms/settings.js';
import { effectiveConsent, setConsent } from '../consent/consent.js';
import { liftErasureSuppression } from '../privacy/erasure-suppression.js';
import { createContact, updateContact } from '../contacts/contacts.js';
import { normalizeEmail, toContact, type Contact } from '../contacts/contact.js';
import { addMembers, setMemberStatus } from '../lists/memberships.js';
import { getList, type List } from '../lists/lists.js';
import type { Form } from './forms.js';

export const HONEYPOT_FIELD = 'website';
const MAX_VALUE = 500;

export interface Proof {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface SignupResult {
  contact: Contact;
  list: List;
  /** The public answer: `pending` for a double opt-in list, `subscribed` otherwise, whoever the address belongs to. */
  status: 'subscribed' | 'pending';
  /** True when the caller must send the confirmation link (the membership is now pending). */
  confirm: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && ['on', 'true', '1', 'yes'].includes(v.toLowerCase());

/** The form field whose value becomes the contact's phone (E.164, read with the workspace's SMS default country), not an attribute. */
export const PHONE_FIELD = 'phone';

/**
 * Checks submitted values against the form; issues name the form field (`email`, `first_name`,
 * `consent`). A field named `phone` must hold a phone number (national ones in `defaultCountry`).
 */
export function validateSubmission(form: Form, values: Record<string, string>, defaultCountry?: string): { email: string; phone: string | null; attributes: JsonObject } {
  const issues: FieldIssue[] = [];
  const email = (values.email ?? '').trim();
  if (!email) issues.push({ path: 'email', message: 'Please enter your email address.' });
  else if (!parseEmailAddress(email).ok) issues.push({ path: 'email', message: 'Please enter a valid email address.' });
  const attributes: JsonObject = {};
  let phone: string | null = null;
  for (const field of form.fields) {
    const v = (values[field.name] ?? '').trim();
    if (!v && field.required) issues.push({ path: field.name, message: `Please fill in ${field.label}.` });
    else if (v.length > MAX_VALUE) issues.push({ path: field.name, message: `${field.label} is too long (at most ${MAX_VALUE} characters).` });
    else if (v && field.name === PHONE_FIELD) {
      const r = normalizePhone(v, defaultCountry);
      if (r.ok) phone = r.e164;
      else issues.push({ path: field.name, message: `Please enter a valid phone number${defaultCountry ? '' : ' with its country code (+…)'}.` });
    } else if (v) attributes[field.name] = v;
  }
  if (form.consentText && !truthy(values.consent)) issues.push({ path: 'consent', message: 'Please tick the box to agree.' });
  if (issues.length > 0) throw new ValidationError(issues);
  return { email: normalizeEmail(email), phone, attributes };
}

export async function submitSignup(deps: ServiceDeps, form: Form, values: Record<string, string>, proof: Proof): Promise<SignupResult> {
  const ws = form.workspaceId;
  const defaultCountry = form.fields.some((f) => f.name === PHONE_FIELD) ? await smsDefaultCountry(deps.store.db, ws) : undefined;
  const { email, phone, attributes } = validateSubmission(form, values, defaultCountry);
  const source = `form:${form.id}`;
  return deps.store.transaction(async (trx) => {
    const list = await getList(deps, ws, form.listId, trx);
    const row = await trx.selectFrom('contacts').selectAll().where('workspace_id', '=', ws).where('email', '=', email).executeTakeFirst();
    // An anonymous form must not let anyone overwrite what a known contact's attributes say: for an
    // existing contact it only fills attributes that are still empty.
    const known = row ? toContact(row) : null;
    const fresh = known ? Object.fromEntries(Object.entries(attributes).filter(([k]) => known.attributes[k] === undefined)) : attributes;
    // Likewise the phone: set when the contact has none, never replaced.
    const patch = { attributes: fresh, ...(phone !== null && known?.phone === null ? { phone } : {}) };
    const changes = Object.keys(fresh).length > 0 || patch.phone !== undefined;
    const contact = known ? (changes ? await updateContact(deps, ws, known.id, patch, trx) : known) : await createContact(deps, ws, { email, attributes, ...(phone !== null ? { phone } : {}) }, trx);
    const member = await trx.selectFrom('list_memberships').select('status').where('list_id', '=', list.id).where('contact_id', '=', contact.id).executeTakeFirst();
    const current = await effectiveConsent(trx, contact.id, 'email', '');
    const status = list.doubleOptIn ? 'pending' : 'subscribed';
    const withdrawn = current === 'unsubscribed' || member?.status === 'unsubscribed';
    if (member?.status === 'subscribed' && !withdrawn) return { contact, list, status, confirm: false };
    // Only a confirmation click turns a withdrawal back into consent; until then it stays withdrawn.
    const target = list.doubleOptIn || withdrawn ? 'pending' : 'subscribed';
    if (!member) await addMembers(deps, ws, list.id, { contactIds: [contact.id], status: target, source }, trx);
    else await setMemberStatus(deps, ws, list.id, contact.id, { status: target, source }, trx);
    // A form never downgrades consent (subscribed → pending) nor overrides a withdrawal (unsubscribed → anything).
    const consent = current === 'unsubscribed' || (target === 'pending' && current === 'subscribed') ? null : target;
    if (consent) {
      await setConsent(
        deps,
        ws,
        contact.id,
        { channel: 'email', topic: '', status: consent, source, ip: proof.ip ?? null, userAgent: proof.userAgent?.slice(0, 1000) ?? null, textVersion: form.consentTextVersion },
        trx,
      );
    }
    return { contact, list, status, confirm: target === 'pending' };
  });
}

/** Confirms a pending signup; `changed` is false when it was already confirmed. */
export async function confirmSignup(deps: ServiceDeps, form: Form, contactId: string, proof: Proof): Promise<{ changed: boolean; list: List }> {
  const ws = form.workspaceId;
  return deps.store.transaction(async (trx) => {
    const list = await getList(deps, ws, form.listId, trx);
    const member = await trx.selectFrom('list_memberships').select('status').where('list_id', '=', list.id).where('contact_id', '=', contactId).executeTakeFirst();
    if (!member) throw new NotFoundError('signup', contactId);
    if (member.status === 'subscribed') return { changed: false, list };
    await setMemberStatus(deps, ws, list.id, contactId, { status: 'subscribed', source: 'double-opt-in' }, trx);
    await setConsent(
      deps,
      ws,
      contactId,
      { channel: 'email', topic: '', status: 'subscribed', source: 'double-opt-in', ip: proof.ip ?? null, userAgent: proof.userAgent?.slice(0, 1000) ?? null, textVersion: form.consentTextVersion },
      trx,
    );
    // A confirmed double opt-in is new consent: it lifts an erasure's suppression (docs/privacy.md).
    await liftErasureSuppression(trx, { workspaceId: ws, contactId, channel: 'email', actor: null, via: 'double_opt_in', now: deps.clock.now() });
    return { changed: true, list };
  });
}
