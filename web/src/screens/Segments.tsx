/**
 * Segments: the list with member counts, and a condition builder (all / any of attribute, event
 * list, visits and sessions conditions) with a live count and sample from POST /api/segments/preview, computed by
 * the server on every change. Other condition types (aggregates, consent, messages, nesting) are
 * edited as JSON in the same screen.
 */
import { useEffect, useState } from 'react';
import { ApiError, get, patch, post, canEdit, type Issue, type Role } from '../api';
import { useI18n } from '../i18n';
import { codeLabel } from '../codes';
import { Link, navigate } from '../router';
import { VisitFields } from '../conditions/VisitFields';
import { blankVisit, isVisitLeaf } from '../conditions/visits';

interface Segment {
  id: string;
  name: string;
  conditions: unknown;
  memberCount?: number;
  computedAt: number | null;
}
type Leaf = Record<string, unknown> & { type: string };
interface Preview {
  count: number;
  sample: { contactId: string; email: string | null; userId: string | null }[];
}

const VALUE_OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte', 'before', 'after', 'more_than_days_ago', 'less_than_days_ago'];
const NO_VALUE = new Set(['exists', 'not_exists']);

function blank(type: string): Leaf {
  if (type === 'event') return { type, event: '', performed: true, withinDays: 30 };
  if (type === 'list') return { type, list: '', status: 'subscribed' };
  if (type === 'visits' || type === 'sessions') return { ...blankVisit(type) };
  return { type: 'attribute', attribute: 'plan', op: 'equals', value: '' };
}

/** The builder handles one flat group of simple leaves; anything else stays JSON. */
function asGroup(c: unknown): { mode: 'all' | 'any'; leaves: Leaf[] } | null {
  if (!c || typeof c !== 'object') return null;
  const mode = 'all' in c ? 'all' : 'any' in c ? 'any' : null;
  if (!mode) return null;
  const leaves = (c as Record<string, unknown>)[mode];
  if (!Array.isArray(leaves) || !leaves.every((l) => l && typeof l === 'object' && ['attribute', 'event', 'list', 'visits', 'sessions'].includes((l as Leaf).type))) return null;
  return { mode, leaves: leaves as Leaf[] };
}

/** Values typed in the builder: numbers and booleans as such, the rest as text. */
function typed(v: string): unknown {
  if (v === 'true' || v === 'false') return v === 'true';
  return v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
}

export function SegmentsList({ role }: { role: Role }) {
  const { t, num } = useI18n();
  const [list, setList] = useState<Segment[] | null>(null);
  useEffect(() => {
    get<{ data: Segment[] }>('/api/segments?limit=200').then(
      (r) => setList(r.data),
      () => setList([]),
    );
  }, []);
  return (
    <section aria-labelledby="segments-title">
      <div className="row">
        <h1 id="segments-title">{t('segments.title')}</h1>
        <span className="spacer" />
        {canEdit(role) && (
          <Link className="button primary" to="/segments/new">
            {t('segments.new')}
          </Link>
        )}
      </div>
      {list === null ? (
        <p>{t('loading')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('segments.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('journeys.name')}</th>
              <th scope="col">{t('segments.members')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link to={`/segments/${encodeURIComponent(s.id)}`} title={s.id}>
                    {s.name}
                  </Link>
                </td>
                <td>{s.memberCount === undefined ? '—' : num(s.memberCount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function SegmentEditor({ id, role }: { id: string | null; role: Role }) {
  const { t, num } = useI18n();
  const readOnly = !canEdit(role);
  const [name, setName] = useState('');
  /** The saved segment's name: the heading (never its id). */
  const [title, setTitle] = useState('');
  const [conditions, setConditions] = useState<unknown>({ all: [blank('attribute')] });
  const [json, setJson] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (id)
      get<Segment>(`/api/segments/${encodeURIComponent(id)}`).then((s) => {
        setName(s.name);
        setTitle(s.name);
        setConditions(s.conditions);
      });
  }, [id]);

  // The live count: the server evaluates the unsaved conditions a moment after the last change.
  useEffect(() => {
    const timer = setTimeout(() => {
      post<Preview>('/api/segments/preview', { conditions }).then(
        (p) => {
          setPreview(p);
          setIssues([]);
        },
        (e) => {
          setPreview(null);
          if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
        },
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [JSON.stringify(conditions)]); // eslint-disable-line react-hooks/exhaustive-deps

  const group = json === null ? asGroup(conditions) : null;
  const setLeaf = (i: number, leaf: Leaf) => group && setConditions({ [group.mode]: group.leaves.map((l, j) => (j === i ? leaf : l)) });
  const issuesAt = (i: number) => issues.filter((x) => group && x.path.startsWith(`conditions.${group.mode}.${i}`)).map((x) => x.message);

  const save = async () => {
    setNotice(null);
    try {
      const saved = id ? await patch<Segment>(`/api/segments/${encodeURIComponent(id)}`, { name, conditions }) : await post<Segment>('/api/segments', { name, conditions });
      setNotice(`${t('saved')} ${t('segments.members')}: ${num(saved.memberCount ?? 0)}`);
      if (!id) navigate(`/segments/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
    }
  };

  return (
    <div className="segment-editor">
      <h1 title={id ?? undefined}>{id ? title || t('loading') : t('segments.new')}</h1>
      <label>
        {t('journeys.name')}
        <input value={name} disabled={readOnly} onChange={(e) => setName(e.target.value)} />
      </label>
      <p className="live-count" role="status" aria-live="polite" data-testid="segment-count">
        {preview ? t('segments.count', { n: preview.count }) : '…'}
      </p>
      {group ? (
        <fieldset className="card" disabled={readOnly}>
          <legend>
            <select aria-label={t('segments.match')} value={group.mode} onChange={(e) => setConditions({ [e.target.value]: group.leaves })}>
              <option value="all">{t('segments.all')}</option>
              <option value="any">{t('segments.any')}</option>
            </select>
          </legend>
          {group.leaves.map((leaf, i) => (
            <div key={i} className="condition row" aria-label={`${t('segments.condition')} ${i + 1}`} role="group">
              <select aria-label={t('segments.type')} value={leaf.type} onChange={(e) => setLeaf(i, blank(e.target.value))}>
                <option value="attribute">{t('segments.attribute')}</option>
                <option value="event">{t('segments.event')}</option>
                <option value="list">{t('segments.list')}</option>
                <option value="visits">{t('segments.visits')}</option>
                <option value="sessions">{t('segments.sessions')}</option>
              </select>
              {isVisitLeaf(leaf) && <VisitFields leaf={leaf} onChange={(next) => setLeaf(i, next as unknown as Leaf)} />}
              {leaf.type === 'attribute' && (
                <>
                  <input aria-label={t('segments.attribute')} value={String(leaf.attribute ?? '')} onChange={(e) => setLeaf(i, { ...leaf, attribute: e.target.value })} />
                  <select
                    aria-label={t('field.op')}
                    value={String(leaf.op)}
                    onChange={(e) => {
                      const { value: _v, ...rest } = leaf;
                      setLeaf(i, NO_VALUE.has(e.target.value) ? { ...rest, op: e.target.value } : { ...leaf, op: e.target.value });
                    }}
                  >
                    {VALUE_OPS.map((o) => (
                      <option key={o} value={o}>
                        {codeLabel(t, 'segop', o)}
                      </option>
                    ))}
                  </select>
                  {!NO_VALUE.has(String(leaf.op)) && <input aria-label={t('field.value')} value={String(leaf.value ?? '')} onChange={(e) => setLeaf(i, { ...leaf, value: typed(e.target.value) })} />}
                </>
              )}
              {leaf.type === 'event' && (
                <>
                  <select aria-label={t('segments.performed')} value={leaf.performed === false ? 'no' : 'yes'} onChange={(e) => setLeaf(i, { ...leaf, performed: e.target.value === 'yes' })}>
                    <option value="yes">{t('segments.did')}</option>
                    <option value="no">{t('segments.didNot')}</option>
                  </select>
                  <input aria-label={t('field.event')} value={String(leaf.event ?? '')} onChange={(e) => setLeaf(i, { ...leaf, event: e.target.value })} />
                  <label>
                    {t('segments.withinDays')} <input type="number" min={1} value={Number(leaf.withinDays ?? 30)} onChange={(e) => setLeaf(i, { ...leaf, withinDays: Number(e.target.value) })} />
                  </label>
                </>
              )}
              {leaf.type === 'list' && <input aria-label={t('segments.list')} value={String(leaf.list ?? '')} onChange={(e) => setLeaf(i, { ...leaf, list: e.target.value })} />}
              <button type="button" aria-label={`${t('delete')} ${i + 1}`} disabled={group.leaves.length < 2} onClick={() => setConditions({ [group.mode]: group.leaves.filter((_, j) => j !== i) })}>
                ✕
              </button>
              {issuesAt(i).map((m) => (
                <span key={m} className="error" role="alert">
                  {m}
                </span>
              ))}
            </div>
          ))}
          <button type="button" onClick={() => setConditions({ [group.mode]: [...group.leaves, blank('attribute')] })}>
            {t('segments.add')}
          </button>
        </fieldset>
      ) : (
        <label>
          {t('segments.json')}
          <textarea
            className="code"
            rows={12}
            disabled={readOnly}
            value={json ?? JSON.stringify(conditions, null, 2)}
            onChange={(e) => {
              setJson(e.target.value);
              try {
                setConditions(JSON.parse(e.target.value));
              } catch {
                /* keep typing */
              }
            }}
          />
        </label>
      )}
      {!group && json === null && null}
      <div className="row">
        <button type="button" onClick={() => (json === null ? setJson(JSON.stringify(conditions, null, 2)) : asGroup(conditions) && setJson(null))}>
          {json === null ? t('segments.editJson') : t('segments.editBuilder')}
        </button>
        {!readOnly && (
          <button type="button" className="primary" onClick={() => void save()}>
            {t('save')}
          </button>
        )}
      </div>
      {issues
        .filter((x) => !group || !/^conditions\.(all|any)\.\d/.test(x.path))
        .map((x) => (
          <p key={x.path + x.message} className="error" role="alert">
            {x.path}: {x.message}
          </p>
        ))}
      {notice && (
        <p className="ok" role="status">
          {notice}
        </p>
      )}
      {preview && preview.sample.length > 0 && (
        <section aria-labelledby="sample-title">
          <h2 id="sample-title">{t('segments.sample')}</h2>
          <ul>
            {preview.sample.map((c) => (
              <li key={c.contactId}>
                <Link to={`/contacts/${c.contactId}`}>{c.email ?? c.userId ?? c.contactId}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
