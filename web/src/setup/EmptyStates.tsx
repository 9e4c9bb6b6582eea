/**
 * What a list screen says when it has nothing yet: what to do next. Contacts: how to send data (the
 * write key is in Settings → API keys; an HTTP call and the website snippet); journeys and templates:
 * start from the journey gallery (../gallery/Gallery.tsx).
 */
import { useI18n } from '../i18n';
import { Link } from '../router';

export function ContactsEmpty({ canImport }: { canImport: boolean }) {
  const { t } = useI18n();
  const origin = window.location.origin;
  const curl = `curl ${origin}/v1/identify \\\n  -u YOUR_WRITE_KEY: \\\n  -H 'content-type: application/json' \\\n  -d '{"userId": "u_1", "traits": {"email": "layla@example.com", "first_name": "Layla"}}'`;
  const js = `<script src="${origin}/js/qatra.js" data-write-key="YOUR_WRITE_KEY" async></script>\n<script>\n  qatra.identify('u_1', { email: 'layla@example.com' });\n</script>`;
  return (
    <section className="card empty-state" aria-labelledby="contacts-empty-title" data-testid="contacts-empty">
      <h2 id="contacts-empty-title">{t('empty.contacts.title')}</h2>
      <p>{t('empty.contacts.body')}</p>
      <p>
        <Link to="/settings">{t('empty.contacts.keys')}</Link>
      </p>
      <h3>{t('empty.contacts.curl')}</h3>
      <pre dir="ltr" tabIndex={0} aria-label={t('empty.contacts.curl')}>
        <code>{curl}</code>
      </pre>
      <h3>{t('empty.contacts.js')}</h3>
      <pre dir="ltr" tabIndex={0} aria-label={t('empty.contacts.js')}>
        <code>{js}</code>
      </pre>
      {canImport && (
        <p>
          <Link to="/contacts/import">{t('empty.contacts.import')}</Link>
        </p>
      )}
    </section>
  );
}

export function GalleryEmpty({ kind }: { kind: 'journeys' | 'templates' }) {
  const { t } = useI18n();
  return (
    <section className="card empty-state" aria-labelledby={`${kind}-empty-title`} data-testid={`${kind}-empty`}>
      <h2 id={`${kind}-empty-title`}>{t(kind === 'journeys' ? 'empty.journeys.title' : 'empty.templates.title')}</h2>
      <p>{t(kind === 'journeys' ? 'empty.journeys.body' : 'empty.templates.body')}</p>
      <Link className="button primary" to="/gallery">
        {t('gallery.open')}
      </Link>
    </section>
  );
}
