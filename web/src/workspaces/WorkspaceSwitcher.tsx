/**
 * The workspace switcher in the top bar (docs/workspaces.md): the signed-in person's workspaces with
 * their role in each. Choosing one moves the session there (POST /api/auth/workspace: same cookie,
 * no new sign-in); an owner of the current workspace creates a new one and becomes its owner.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, type Role, type Session } from '../api';
import { useI18n } from '../i18n';

interface Workspace {
  id: string;
  name: string;
  role: Role | null;
  archivedAt: number | null;
}

export function WorkspaceSwitcher({ session, onSwitched }: { session: Session; onSwitched(s: Session): void }) {
  const { t } = useI18n();
  const [list, setList] = useState<Workspace[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ data: Workspace[] }>('/api/workspaces').then(
      (r) => setList(r.data),
      () => setList([]),
    );
  }, [session.workspace.id]);

  const switchTo = async (workspaceId: string) => {
    setError(null);
    try {
      onSwitched(await post<Session>('/api/auth/workspace', { workspaceId }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const made = await post<Workspace>('/api/workspaces', { name });
      setCreating(false);
      setName('');
      await switchTo(made.id);
    } catch (err) {
      setError(err instanceof ApiError ? (err.issues?.[0]?.message ?? err.message) : String(err));
    }
  };

  const options = list && list.length > 0 ? list : [{ id: session.workspace.id, name: session.workspace.name, role: session.role, archivedAt: null }];
  return (
    <div className="row" data-testid="workspace-switcher">
      <label>
        <span className="sr-only">{t('ws.label')}</span>
        <select aria-label={t('ws.label')} value={session.workspace.id} onChange={(e) => void switchTo(e.target.value)}>
          {options.map((w) => (
            <option key={w.id} value={w.id}>
              {t('ws.option', { name: w.name, role: w.role ? t(`role.${w.role}`) : '-' })}
              {w.archivedAt !== null ? ` · ${t('ws.archived')}` : ''}
            </option>
          ))}
        </select>
      </label>
      {session.role === 'owner' && !creating && (
        <button type="button" className="link" onClick={() => setCreating(true)}>
          {t('ws.new')}
        </button>
      )}
      {creating && (
        <form className="row" onSubmit={(e) => void create(e)}>
          <label>
            <span className="sr-only">{t('ws.newName')}</span>
            <input aria-label={t('ws.newName')} value={name} maxLength={100} required onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit">{t('ws.create')}</button>
          <button type="button" className="link" onClick={() => setCreating(false)}>
            {t('ws.cancel')}
          </button>
        </form>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
