/**
 * The setup checklist on the home screen (GET /api/setup/checklist, computed by the server from the
 * workspace's real state): each item done or not, linking to where it is done. Shown until every
 * item is done; "Hide" dismisses it in this browser (localStorage, per workspace).
 */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import type { MessageKey } from '../messages';

interface Problem {
  code: 'no_from_address' | 'outbox' | 'dns' | 'draft_journey';
  domain?: string;
  records?: string[];
}

interface Item {
  id: string;
  done: boolean;
  problem?: Problem;
  link: string;
}

const dismissKey = (workspaceId: string) => `qatra.setup.dismissed.${workspaceId}`;

export function SetupChecklist({ workspaceId }: { workspaceId: string }) {
  const { t, lang } = useI18n();
  const [state, setState] = useState<{ items: Item[]; complete: boolean } | null>(null);
  const [dismissed, setDismissed] = useState(() => localStorage.getItem(dismissKey(workspaceId)) === '1');
  useEffect(() => {
    if (dismissed) return;
    get<{ items: Item[]; complete: boolean }>('/api/setup/checklist').then(setState, () => {});
  }, [dismissed]);
  if (dismissed || !state || state.complete) return null;
  const done = state.items.filter((i) => i.done).length;
  // The server's `detail` is English for API readers; the screen words the problem's code.
  const problem = (p: Problem) =>
    t(`setup.problem.${p.code}` as MessageKey, { domain: p.domain ?? '', records: new Intl.ListFormat(lang, { type: 'conjunction' }).format((p.records ?? []).map((r) => r.toUpperCase())) });
  const go = (link: string) => {
    // The router keeps the path; the section to show is the fragment.
    const hash = link.split('#')[1];
    if (hash) setTimeout(() => document.getElementById(hash)?.scrollIntoView(), 300);
  };
  return (
    <section className="card setup-checklist" aria-labelledby="setup-title" data-testid="setup-checklist">
      <div className="row">
        <h2 id="setup-title">{t('setup.title')}</h2>
        <span className="muted">{t('setup.progress', { done, total: state.items.length })}</span>
        <span className="spacer" />
        <button
          type="button"
          className="link"
          onClick={() => {
            localStorage.setItem(dismissKey(workspaceId), '1');
            setDismissed(true);
          }}
        >
          {t('setup.dismiss')}
        </button>
      </div>
      <ol className="checklist">
        {state.items.map((i) => (
          <li key={i.id} data-testid={`setup-${i.id}`} data-done={i.done}>
            <span className={i.done ? 'ok' : 'muted'} aria-hidden="true">
              {i.done ? '✓' : '○'}
            </span>{' '}
            <span className="sr-only">{i.done ? t('setup.done') : t('setup.todo')}: </span>
            {i.done ? (
              <span>{t(`setup.${i.id}` as MessageKey)}</span>
            ) : (
              <Link to={i.link.split('#')[0]!} onClick={() => go(i.link)}>
                {t(`setup.${i.id}` as MessageKey)}
              </Link>
            )}
            {i.problem && !i.done && (
              <span className="muted small" data-testid={`setup-${i.id}-problem`}>
                {' '}
                — <bdi>{problem(i.problem)}</bdi>
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
