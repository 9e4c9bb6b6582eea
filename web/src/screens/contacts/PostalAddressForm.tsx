/**
 * A contact's postal address on the profile (docs/mail.md "Addresses"): shown as stored, edited in
 * a form (PATCH /api/contacts/:id `address`, replaced whole, `null` removes it). The server checks it
 * by the country's rules and answers each problem at its field (`body.address.postcode`), shown
 * next to that field. Each part takes its own direction (an Arabic street, a Latin postcode).
 */
import { useState, type FormEvent } from 'react';
import { ApiError, canEdit, patch, type Issue, type Role } from '../../api';
import { useI18n } from '../../i18n';

export interface PostalAddress {
  name: string;
  lines: string[];
  city: string;
  region?: string;
  postcode?: string;
  country: string;
}

type Part = 'name' | 'line0' | 'line1' | 'city' | 'region' | 'postcode' | 'country';

export function PostalAddressForm({ contactId, address, role, onSaved }: { contactId: string; address: PostalAddress | null | undefined; role: Role; onSaved(a: PostalAddress | null): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<Record<Part, string>>({
    name: address?.name ?? '',
    line0: address?.lines[0] ?? '',
    line1: address?.lines[1] ?? '',
    city: address?.city ?? '',
    region: address?.region ?? '',
    postcode: address?.postcode ?? '',
    country: address?.country ?? '',
  });
  const [issues, setIssues] = useState<Issue[]>([]);
  const readOnly = !canEdit(role);
  const issueAt = (path: string) => issues.find((i) => i.path === `body.address.${path}` || i.path.startsWith(`body.address.${path}.`))?.message;
  const send = async (value: PostalAddress | null) => {
    setIssues([]);
    try {
      const saved = await patch<{ address: PostalAddress | null }>(`/api/contacts/${encodeURIComponent(contactId)}`, { address: value });
      onSaved(saved.address);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lines = [form.line0, form.line1].filter((l) => l.trim() !== '');
    void send({ name: form.name, lines, city: form.city, country: form.country, ...(form.region.trim() ? { region: form.region } : {}), ...(form.postcode.trim() ? { postcode: form.postcode } : {}) });
  };
  const field = (part: Part, label: string, path: string) => (
    <label key={part}>
      {label}
      <input value={form[part]} dir="auto" disabled={readOnly} aria-invalid={issueAt(path) ? true : undefined} onChange={(e) => setForm({ ...form, [part]: e.target.value })} />
      {issueAt(path) && <span className="error small">{issueAt(path)}</span>}
    </label>
  );
  return (
    <section aria-labelledby="address-title">
      <h2 id="address-title">{t('contact.address')}</h2>
      {!address && <p className="muted">{t('contact.address.none')}</p>}
      <form onSubmit={submit} className="address-form">
        {field('name', t('contact.address.name'), 'name')}
        {field('line0', t('contact.address.line', { n: 1 }), 'lines')}
        {field('line1', t('contact.address.line', { n: 2 }), 'lines.1')}
        {field('city', t('contact.address.city'), 'city')}
        {field('region', t('contact.address.region'), 'region')}
        {field('postcode', t('contact.address.postcode'), 'postcode')}
        {field('country', t('contact.address.country'), 'country')}
        {issues.some((i) => !i.path.startsWith('body.address')) && (
          <p className="error" role="alert">
            {issues.map((i) => i.message).join('; ')}
          </p>
        )}
        {!readOnly && (
          <div className="row">
            <button type="submit" className="primary">
              {t('save')}
            </button>
            {address && (
              <button type="button" onClick={() => void send(null)}>
                {t('contact.address.remove')}
              </button>
            )}
          </div>
        )}
      </form>
    </section>
  );
}
