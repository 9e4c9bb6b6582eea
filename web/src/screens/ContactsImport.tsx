/**
 * CSV import (editors and admins). The browser reads only the file's first line, to offer the column
 * mapping (the same choices as `qatra contacts import --map/--ignore/--number…/--list`); then it
 * creates the import (POST /api/contacts/imports) and sends the file as the body of
 * PUT /api/contacts/imports/:id/file — the browser streams a File from disk, the server parses it
 * as it arrives — while polling GET /api/contacts/imports/:id every 500 ms for the progress bar and
 * the bad rows.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, get, post, sendFile, type Issue } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';
import { Link } from '../router';

interface ImportJob {
  id: string;
  status: 'waiting' | 'running' | 'completed' | 'failed';
  fileName: string;
  sizeBytes: number | null;
  bytesRead: number;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  failures: { line: number; reason: string }[];
  error: string | null;
}
interface Named {
  id: string;
  name: string;
}

const TARGETS = ['auto', 'userId', 'email', 'phone', 'timezone', 'locale', 'attribute', 'ignore'] as const;
type Target = (typeof TARGETS)[number];
const TYPES = ['string', 'number', 'boolean', 'date', 'json'] as const;
type AttrType = (typeof TYPES)[number];
interface Column {
  name: string;
  target: Target;
  type: AttrType;
}

/** The header row of a CSV: the first record's cells (quotes honoured, newlines inside quotes kept). */
export function csvHeader(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (cells.length > 0 || cell !== '') break;
    } else cell += c;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

/** The mapping as the API takes it. */
function optionsOf(columns: Column[]) {
  const map: Record<string, string> = {};
  const ignore: string[] = [];
  const types: Record<string, AttrType> = {};
  for (const c of columns) {
    if (c.target === 'ignore') ignore.push(c.name);
    else if (c.target === 'attribute') map[c.name] = `attributes.${c.name}`;
    else if (c.target !== 'auto') map[c.name] = c.target;
    if ((c.target === 'auto' || c.target === 'attribute') && c.type !== 'string') types[c.name] = c.type;
  }
  return { map, ignore, types };
}

function percent(job: ImportJob): number {
  if (job.status === 'completed') return 100;
  if (!job.sizeBytes) return 0;
  return Math.min(99, Math.floor((job.bytesRead / job.sizeBytes) * 100));
}

export function ContactsImport() {
  const { t, num } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [columns, setColumns] = useState<Column[]>([]);
  const [lists, setLists] = useState<Named[]>([]);
  const [list, setList] = useState('');
  const [job, setJob] = useState<ImportJob | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  useEffect(() => {
    get<{ data: Named[] }>('/api/lists?limit=200').then(
      (r) => setLists(r.data),
      () => {},
    );
    return () => {
      if (timer.current) clearInterval(timer.current);
    };
  }, []);

  const pick = async (f: File | null) => {
    setFile(f);
    setJob(null);
    setIssues([]);
    setError(null);
    setColumns(
      f
        ? csvHeader(await f.slice(0, 64 * 1024).text())
            .filter((n) => n !== '')
            .map((name) => ({ name, target: 'auto', type: 'string' }))
        : [],
    );
  };
  const setColumn = (i: number, change: Partial<Column>) => setColumns(columns.map((c, j) => (j === i ? { ...c, ...change } : c)));

  const stopPolling = () => {
    if (timer.current) clearInterval(timer.current);
    timer.current = null;
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setIssues([]);
    setError(null);
    let created: ImportJob;
    try {
      created = await post<ImportJob>('/api/contacts/imports', { fileName: file.name, sizeBytes: file.size, ...optionsOf(columns), ...(list ? { list } : {}) });
    } catch (err) {
      setIssues(err instanceof ApiError ? err.issues : []);
      setError((err as Error).message);
      return;
    }
    setJob(created);
    const poll = () =>
      get<ImportJob>(`/api/contacts/imports/${encodeURIComponent(created.id)}`).then(
        (j) => setJob((old) => (old?.status === 'completed' || old?.status === 'failed' ? old : j)),
        () => {},
      );
    timer.current = setInterval(poll, 500);
    try {
      setJob(await sendFile<ImportJob>('PUT', `/api/contacts/imports/${encodeURIComponent(created.id)}/file`, file, 'text/csv'));
    } catch (err) {
      setIssues(err instanceof ApiError ? err.issues : []);
      setError((err as Error).message);
      await get<ImportJob>(`/api/contacts/imports/${encodeURIComponent(created.id)}`).then(setJob, () => {});
    } finally {
      stopPolling();
    }
  };
  const busy = job !== null && (job.status === 'waiting' || job.status === 'running');
  const issueFor = (name: string) => issues.find((i) => i.message.includes(`"${name}"`));
  return (
    <section aria-labelledby="import-title" className="import">
      <p>
        <Link to="/contacts">{t('imp.back')}</Link>
      </p>
      <h1 id="import-title">{t('imp.title')}</h1>
      <p className="muted">{t('imp.intro')}</p>
      <form onSubmit={submit} className="card">
        <label>
          {t('imp.file')}
          <input type="file" accept=".csv,text/csv" onChange={(e) => void pick(e.target.files?.[0] ?? null)} disabled={busy} />
        </label>
        {columns.length > 0 && (
          <table data-testid="import-columns">
            <caption className="sr-only">{t('imp.mapping')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('imp.column')}</th>
                <th scope="col">{t('imp.becomes')}</th>
                <th scope="col">{t('imp.type')}</th>
              </tr>
            </thead>
            <tbody>
              {columns.map((c, i) => {
                const problem = issueFor(c.name);
                return (
                  <tr key={`${i}:${c.name}`}>
                    <th scope="row">
                      <bdi>{c.name}</bdi>
                    </th>
                    <td>
                      <select
                        aria-label={t('imp.becomesOf', { column: c.name })}
                        value={c.target}
                        onChange={(e) => setColumn(i, { target: e.target.value as Target })}
                        aria-invalid={problem ? true : undefined}
                        aria-describedby={problem ? `col-err-${i}` : undefined}
                      >
                        {TARGETS.map((k) => (
                          <option key={k} value={k}>
                            {t(`imp.target.${k}` as MessageKey)}
                          </option>
                        ))}
                      </select>
                      {problem && (
                        <span id={`col-err-${i}`} className="error small" role="alert">
                          {problem.message}
                        </span>
                      )}
                    </td>
                    <td>
                      <select
                        aria-label={t('imp.typeOf', { column: c.name })}
                        value={c.type}
                        disabled={!(c.target === 'auto' || c.target === 'attribute')}
                        onChange={(e) => setColumn(i, { type: e.target.value as AttrType })}
                      >
                        {TYPES.map((k) => (
                          <option key={k} value={k}>
                            {t(`imp.type.${k}` as MessageKey)}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <label>
          {t('imp.list')}
          <select value={list} onChange={(e) => setList(e.target.value)}>
            <option value="">{t('imp.noList')}</option>
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={!file || busy}>
            {t('imp.start')}
          </button>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
      {job && (
        <section aria-labelledby="import-progress-title" className="card" data-testid="import-job">
          <h2 id="import-progress-title">
            <bdi>{job.fileName}</bdi> · {t(`imp.status.${job.status}` as MessageKey)}
          </h2>
          <div
            className="progressbar"
            role="progressbar"
            aria-label={t('imp.progress')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent(job)}
            aria-valuetext={`${num(percent(job))} %`}
            data-testid="import-progress"
          >
            <div className="progressbar-fill" style={{ inlineSize: `${percent(job)}%` }} />
          </div>
          <p className="small" data-testid="import-counts">
            {t('imp.counts', { rows: job.rows, created: job.created, updated: job.updated, unchanged: job.unchanged, failed: job.failed })}
          </p>
          {job.error && (
            <p className="error" role="alert">
              {job.error}
            </p>
          )}
          {job.failures.length > 0 && (
            <table data-testid="import-failures">
              <caption>{t('imp.badRows', { n: job.failed })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('imp.line')}</th>
                  <th scope="col">{t('imp.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {job.failures.map((f) => (
                  <tr key={f.line}>
                    <td>{num(f.line)}</td>
                    <td>
                      <bdi dir="ltr">{f.reason}</bdi>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {job.failed > job.failures.length && <p className="muted small">{t('imp.moreBad', { n: job.failed - job.failures.length })}</p>}
        </section>
      )}
    </section>
  );
}
