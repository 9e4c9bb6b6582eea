/**
 * Property filters on an event (`where` of a trigger, a wait, a goal, an exit event or a performed
 * condition): rows of property, operator and value, each with its validation messages beside it.
 */
import { useId } from 'react';
import { useI18n } from '../i18n';
import { bare, issuesUnder, NO_VALUE, OPERATORS, typedValue, valueText, withOperator, type Issue, type Operator, type PropertyFilter } from './model';

export interface FilterListProps {
  label: string;
  value: PropertyFilter[] | undefined;
  /** Document path of the list (`nodes.1.where`), for placing the server's issues. */
  path: string;
  issues: Issue[];
  readOnly: boolean;
  onChange(next: PropertyFilter[] | undefined): void;
}

export function FilterList({ label, value, path, issues, readOnly, onChange }: FilterListProps) {
  const { t } = useI18n();
  const id = useId();
  const list = value ?? [];
  const set = (i: number, f: PropertyFilter) => onChange(list.map((x, j) => (j === i ? f : x)));
  const own = issues.filter((x) => x.path === path);
  return (
    <fieldset className="filters" aria-describedby={own.length ? `${id}-err` : undefined}>
      <legend>{label}</legend>
      {list.length === 0 && <p className="muted small">{t('cond.noFilters')}</p>}
      {list.map((f, i) => {
        const at = `${path}.${i}`;
        const mine = issuesUnder(issues, at);
        const bad = (k: string) => (mine.some((x) => x.path.startsWith(`${at}.${k}`)) ? true : undefined);
        const err = `${id}-${i}-err`;
        const describedBy = mine.length ? err : undefined;
        const n = { n: i + 1 };
        return (
          <div key={i} className="filter row" role="group" aria-label={t('cond.filterN', n)}>
            <input
              aria-label={t('cond.property', n)}
              placeholder="total"
              disabled={readOnly}
              value={f.property}
              aria-invalid={bad('property')}
              aria-describedby={describedBy}
              onChange={(e) => set(i, { ...f, property: e.target.value })}
            />
            <select
              aria-label={t('cond.filterOperator', n)}
              disabled={readOnly}
              value={f.op}
              aria-invalid={bad('op')}
              aria-describedby={describedBy}
              onChange={(e) => set(i, withOperator(f, e.target.value as Operator))}
            >
              {OPERATORS.map((o) => (
                <option key={o} value={o}>
                  {t(`op.${o}`)}
                </option>
              ))}
            </select>
            {!NO_VALUE.has(f.op) && (
              <input
                aria-label={t('cond.filterValue', n)}
                disabled={readOnly}
                value={valueText(f.value)}
                aria-invalid={bad('value')}
                aria-describedby={describedBy}
                onChange={(e) => set(i, { ...f, value: typedValue(e.target.value, f.op) })}
              />
            )}
            {!readOnly && (
              <button type="button" className="icon" aria-label={t('cond.removeFilter', n)} onClick={() => onChange(list.length > 1 ? list.filter((_, j) => j !== i) : undefined)}>
                ✕
              </button>
            )}
            {mine.length > 0 && (
              <div id={err} className="error" role="alert">
                {mine.map((x) => (
                  <div key={x.path + x.message}>{bare(x.message)}</div>
                ))}
              </div>
            )}
          </div>
        );
      })}
      {!readOnly && (
        <button type="button" onClick={() => onChange([...list, { property: '', op: 'eq', value: '' }])}>
          {t('cond.addFilter')}
        </button>
      )}
      {own.length > 0 && (
        <div id={`${id}-err`} className="error" role="alert">
          {own.map((x) => (
            <div key={x.message}>{bare(x.message)}</div>
          ))}
        </div>
      )}
    </fieldset>
  );
}
