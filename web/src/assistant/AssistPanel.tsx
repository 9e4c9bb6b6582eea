/**
 * The template editor's "Assist" button (docs/assistant.md): asks POST /api/assistant/suggest for
 * subject-line ideas, SMS variants or a translation draft of the text being edited, and lists them.
 * "Use this" only places a suggestion in the editor; saving stays the person's normal save. Flagged
 * suggestions (they would break the template's Liquid) are shown greyed with the reason, never
 * offered. Shown only when the workspace turned the assistant on.
 */
import { useEffect, useState } from 'react';
import { get, post } from '../api';
import { useI18n } from '../i18n';

export type AssistTask = 'subject_variants' | 'sms_variants' | 'translate';
export type AssistLang = 'ar' | 'fa' | 'en';

export interface Suggestion {
  subject?: string;
  preheader?: string;
  body?: string;
  usable: boolean;
  issues: string[];
  sms?: { encoding: 'gsm7' | 'ucs2'; segments: number; units: number };
}

export interface AssistSource {
  subject?: string;
  preheader?: string;
  body: string;
}

export function AssistPanel({ channel, source, onPick }: { channel: 'email' | 'sms'; source: AssistSource; onPick(s: Suggestion, task: AssistTask, to: AssistLang | null): void }) {
  const { t, num } = useI18n();
  const [enabled, setEnabled] = useState(false);
  const [open, setOpen] = useState(false);
  const [task, setTask] = useState<AssistTask>(channel === 'sms' ? 'sms_variants' : 'subject_variants');
  const [to, setTo] = useState<AssistLang>('ar');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ task: AssistTask; to: AssistLang | null; suggestions: Suggestion[] } | null>(null);
  const [picked, setPicked] = useState(false);

  useEffect(() => {
    get<{ enabled: boolean }>('/api/assistant/settings').then(
      (s) => setEnabled(s.enabled),
      () => setEnabled(false),
    );
  }, []);
  if (!enabled) return null;

  const ask = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    setPicked(false);
    try {
      const content = channel === 'sms' ? { body: source.body } : { subject: source.subject ?? '', ...(source.preheader ? { preheader: source.preheader } : {}), body: source.body };
      const r = await post<{ suggestions: Suggestion[] }>('/api/assistant/suggest', { task, channel, content, count: 3, ...(task === 'translate' ? { to } : {}) });
      setResult({ task, to: task === 'translate' ? to : null, suggestions: r.suggestions });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const tasks: [AssistTask, string][] =
    channel === 'sms'
      ? [
          ['sms_variants', t('assist.smsVariants')],
          ['translate', t('assist.translate')],
        ]
      : [
          ['subject_variants', t('assist.subjects')],
          ['translate', t('assist.translate')],
        ];

  return (
    <div className="assist" data-testid="assist">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        ✦ {t('assist.button')}
      </button>
      {open && (
        <div className="assist-panel" role="region" aria-label={t('assist.title')}>
          <div className="row">
            {tasks.map(([k, label]) => (
              <label key={k} className="check">
                <input type="radio" name="assist-task" checked={task === k} onChange={() => setTask(k)} /> {label}
              </label>
            ))}
            {task === 'translate' && (
              <label>
                {t('assist.to')}{' '}
                <select value={to} onChange={(e) => setTo(e.target.value as AssistLang)}>
                  {(['ar', 'fa', 'en'] as const).map((l) => (
                    <option key={l} value={l}>
                      {t(`assist.lang.${l}`)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <button type="button" className="primary" disabled={busy} onClick={() => void ask()}>
              {busy ? t('assist.asking') : t('assist.ask')}
            </button>
          </div>
          <p className="muted small">{t('assist.note')}</p>
          <p className="muted small">{t('assist.sentNote')}</p>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {result && result.suggestions.length === 0 && <p className="muted">{t('assist.none')}</p>}
          {result && result.suggestions.length > 0 && (
            <ol className="assist-suggestions">
              {result.suggestions.map((s, i) => (
                <li key={i} className={s.usable ? undefined : 'flagged'} data-usable={s.usable}>
                  {s.subject !== undefined && <div dir="auto">{s.subject}</div>}
                  {s.body !== undefined && result.task !== 'subject_variants' && <pre dir="auto">{s.body}</pre>}
                  {s.sms && (
                    <span className="badge">
                      {t(s.sms.segments === 1 ? 'sms.segments.one' : 'sms.segments', { n: s.sms.segments })} · {t(`sms.${s.sms.encoding}`)} · {num(s.sms.units)}
                    </span>
                  )}
                  {s.issues.length > 0 && (
                    <ul className={s.usable ? 'muted small' : 'error small'}>
                      {!s.usable && <li>{t('assist.flagged')}</li>}
                      {s.issues.map((m) => (
                        <li key={m}>{m}</li>
                      ))}
                    </ul>
                  )}
                  {s.usable && (
                    <button
                      type="button"
                      onClick={() => {
                        onPick(s, result.task, result.to);
                        setPicked(true);
                      }}
                    >
                      {t('assist.use')}
                    </button>
                  )}
                </li>
              ))}
            </ol>
          )}
          {picked && (
            <p className="ok" role="status">
              {t('assist.picked')}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
