/**
 * The merge-tag picker of the email editor: the workspace's real contact attributes (GET
 * /api/merge-tags: keys on the newest contacts, with type and a sample) and the standard tags
 * (unsubscribe and preference links, workspace, the contact's own fields). Picking one inserts
 * `{{ contact.plan }}`, or with a fallback `{{ contact.plan | default: "free" }}`, at the cursor of
 * the field last focused in the editor (subject, preheader, body, or a block's field), through the
 * field's own change handler so React state follows.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { get } from '../../api';
import { useI18n } from '../../i18n';
import type { MessageKey } from '../../messages';

interface MergeTag {
  key: string;
  liquid: string | null;
  group: 'attribute' | 'contact' | 'link' | 'workspace';
  type: string;
  sample: string;
  count?: number;
}

type Field = HTMLInputElement | HTMLTextAreaElement;

/** The Liquid to insert: a fallback only for values that can be empty (not links). */
export function mergeTagLiquid(path: string, fallback: string): string {
  if (!fallback) return `{{ ${path} }}`;
  const quoted = fallback.includes('"') ? `'${fallback.replace(/'/g, '’')}'` : `"${fallback}"`;
  return `{{ ${path} | default: ${quoted} }}`;
}

/** Sets a field's value the way typing would, so React's onChange runs, and puts the caret after the insert. */
function insertAt(field: Field, text: string): void {
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  const next = field.value.slice(0, start) + text + field.value.slice(end);
  const proto = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(field, next);
  field.dispatchEvent(new Event('input', { bubbles: true }));
  field.focus();
  field.setSelectionRange(start + text.length, start + text.length);
}

/** Remembers the last text field focused inside `scope` (a form): where a picked tag goes. */
export function useLastField(scope: React.RefObject<HTMLElement | null>) {
  const last = useRef<Field | null>(null);
  useEffect(() => {
    const el = scope.current;
    if (!el) return;
    const on = (e: FocusEvent) => {
      const target = e.target;
      if ((target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type === 'text')) && target.dataset.mergeTarget !== undefined) last.current = target;
    };
    el.addEventListener('focusin', on);
    return () => el.removeEventListener('focusin', on);
  }, [scope]);
  return last;
}

export function MergeTagPicker({ target }: { target: React.RefObject<Field | null> }) {
  const { t, num } = useI18n();
  const [open, setOpen] = useState(false);
  const [tags, setTags] = useState<{ tags: MergeTag[]; sampled: number } | null>(null);
  const [filter, setFilter] = useState('');
  const [fallback, setFallback] = useState('');
  useEffect(() => {
    if (open && !tags) get<{ tags: MergeTag[]; sampled: number }>('/api/merge-tags').then(setTags, () => setTags({ tags: [], sampled: 0 }));
  }, [open, tags]);
  const shown = useMemo(() => (tags?.tags ?? []).filter((m) => m.liquid && m.key.toLowerCase().includes(filter.trim().toLowerCase())), [tags, filter]);
  const insert = (m: MergeTag) => {
    const field = target.current;
    if (!field || !m.liquid) return;
    insertAt(field, mergeTagLiquid(m.liquid, m.group === 'link' ? '' : fallback));
    setOpen(false);
  };
  const groups = ['attribute', 'contact', 'link', 'workspace'] as const;
  return (
    <div className="merge-tags">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="merge-tag-panel"
        // Keep the field's focus and caret: the click must not take them before the insert.
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => setOpen(!open)}
      >
        {t('tpl.mergeTag')}
      </button>
      {open && (
        <div id="merge-tag-panel" className="card merge-tag-panel" role="group" aria-label={t('tpl.mergeTag')}>
          <p className="muted small">{t('tpl.mergeTag.hint')}</p>
          <div className="row">
            <label>
              {t('tpl.mergeTag.search')}
              <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
            </label>
            <label>
              {t('tpl.mergeTag.default')}
              <input value={fallback} dir="auto" onChange={(e) => setFallback(e.target.value)} data-testid="merge-tag-default" />
            </label>
          </div>
          {tags === null ? (
            <p>{t('loading')}</p>
          ) : (
            <>
              <p className="muted small">{tags.sampled > 0 ? t('tpl.mergeTag.sampled', { count: num(tags.sampled) }) : t('tpl.mergeTag.none')}</p>
              {groups.map((g) => {
                const inGroup = shown.filter((m) => m.group === g);
                if (inGroup.length === 0) return null;
                return (
                  <div key={g}>
                    <h3 className="small">{t(`tpl.mergeTag.group.${g}` as MessageKey)}</h3>
                    <ul className="merge-tag-list">
                      {inGroup.map((m) => (
                        <li key={m.group + m.key}>
                          <button type="button" className="link" onMouseDown={(e) => e.preventDefault()} onClick={() => insert(m)} data-testid={`merge-tag-${m.key}`}>
                            <code dir="ltr">{m.key}</code>
                          </button>{' '}
                          <span className="muted small">
                            {m.type}
                            {m.sample && (
                              <>
                                {' · '}
                                <span dir="auto">{m.sample}</span>
                              </>
                            )}
                          </span>
                        </li>
                      ))}
                    </ul>
                  </div>
                );
              })}
            </>
          )}
          <button type="button" onClick={() => setOpen(false)}>
            {t('tpl.mergeTag.close')}
          </button>
        </div>
      )}
    </div>
  );
}
