/**
 * A branch step's branches in the side panel: each an output name and a condition built in the
 * structured editor (web/src/conditions). The first branch whose condition holds wins; a contact
 * matching none leaves by `else`.
 */
import type { Issue } from '../api';
import { ConditionEditor } from '../conditions/ConditionEditor';
import { bare, blankRow, type Condition } from '../conditions/model';
import { useI18n } from '../i18n';
import { Field } from './Field';

export interface Branch {
  output: string;
  condition: Condition;
}

export interface BranchesFieldProps {
  value: Branch[];
  /** `nodes.3.branches` */
  path: string;
  issues: Issue[];
  templates: string[];
  readOnly: boolean;
  onChange(next: Branch[]): void;
}

/** The first output name not taken: "branch-2", "branch-3", … */
function freshOutput(taken: string[]): string {
  for (let i = taken.length + 1; ; i++) if (!taken.includes(`branch-${i}`)) return `branch-${i}`;
}

export function BranchesField({ value, path, issues, templates, readOnly, onChange }: BranchesFieldProps) {
  const { t } = useI18n();
  const set = (i: number, b: Branch) => onChange(value.map((x, j) => (j === i ? b : x)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...value];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    onChange(next);
  };
  const own = issues.filter((x) => x.path === path).map((x) => bare(x.message));
  return (
    <div className="branches">
      {value.map((b, i) => {
        const at = `${path}.${i}`;
        const label = t('branch.n', { n: i + 1 });
        return (
          <fieldset key={i} className="branch card" aria-label={label}>
            <legend>{label}</legend>
            <Field label={t('branch.output')} issues={issues.filter((x) => x.path === `${at}.output` || x.path === at).map((x) => bare(x.message))}>
              {(p) => <input {...p} disabled={readOnly} value={b.output} onChange={(e) => set(i, { ...b, output: e.target.value })} />}
            </Field>
            <ConditionEditor value={b.condition} path={`${at}.condition`} issues={issues} readOnly={readOnly} templates={templates} onChange={(condition) => set(i, { ...b, condition })} />
            {!readOnly && (
              <div className="row">
                <button type="button" disabled={i === 0} aria-label={t('branch.up', { n: i + 1 })} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" disabled={i === value.length - 1} aria-label={t('branch.down', { n: i + 1 })} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" className="danger" disabled={value.length < 2} onClick={() => onChange(value.filter((_, j) => j !== i))}>
                  {t('branch.remove', { n: i + 1 })}
                </button>
              </div>
            )}
          </fieldset>
        );
      })}
      <p className="muted small">{t('branch.else')}</p>
      {own.length > 0 && (
        <div className="error" role="alert">
          {own.map((m) => (
            <div key={m}>{m}</div>
          ))}
        </div>
      )}
      {!readOnly && (
        <button type="button" onClick={() => onChange([...value, { output: freshOutput(value.map((b) => b.output)), condition: { all: [blankRow('attribute')] } }])}>
          {t('branch.add')}
        </button>
      )}
    </div>
  );
}
