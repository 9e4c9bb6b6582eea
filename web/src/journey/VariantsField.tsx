/**
 * A random split's variants in the side panel: an output name and a percentage each. The server
 * takes weights as relative shares (and only warns when they do not sum to 100); the canvas asks
 * for percentages and will not save until they sum to 100, with the error shown here.
 */
import type { Issue } from '../api';
import { bare } from '../conditions/model';
import { useI18n } from '../i18n';

export interface Variant {
  output: string;
  weight: number;
}

export interface VariantsFieldProps {
  value: Variant[];
  /** `nodes.3.variants` */
  path: string;
  issues: Issue[];
  readOnly: boolean;
  onChange(next: Variant[]): void;
}

export function VariantsField({ value, path, issues, readOnly, onChange }: VariantsFieldProps) {
  const { t, num } = useI18n();
  const set = (i: number, v: Variant) => onChange(value.map((x, j) => (j === i ? v : x)));
  const total = value.reduce((s, v) => s + v.weight, 0);
  const sumOk = Math.abs(total - 100) < 1e-9;
  const own = issues.filter((x) => x.path === path).map((x) => bare(x.message));
  const letter = (i: number) => String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : '');
  return (
    <fieldset className="variants" aria-describedby="variants-total">
      <legend>{t('split.variants')}</legend>
      {value.map((v, i) => {
        const mine = issues.filter((x) => x.path.startsWith(`${path}.${i}.`) || x.path === `${path}.${i}`).map((x) => bare(x.message));
        const n = { n: i + 1 };
        return (
          <div key={i} className="variant row" role="group" aria-label={t('split.variantN', n)}>
            <input aria-label={t('split.output', n)} disabled={readOnly} value={v.output} aria-invalid={mine.length ? true : undefined} onChange={(e) => set(i, { ...v, output: e.target.value })} />
            <input
              type="number"
              min={0}
              max={100}
              step="any"
              aria-label={t('split.percent', n)}
              disabled={readOnly}
              value={Number.isFinite(v.weight) ? v.weight : ''}
              aria-invalid={!sumOk || undefined}
              onChange={(e) => set(i, { ...v, weight: e.target.value === '' ? Number.NaN : Number(e.target.value) })}
            />
            <span aria-hidden="true">%</span>
            {!readOnly && (
              <button type="button" className="icon" disabled={value.length <= 2} aria-label={t('split.remove', n)} onClick={() => onChange(value.filter((_, j) => j !== i))}>
                ✕
              </button>
            )}
            {mine.length > 0 && (
              <div className="error" role="alert">
                {mine.map((m) => (
                  <div key={m}>{m}</div>
                ))}
              </div>
            )}
          </div>
        );
      })}
      <p id="variants-total" className={sumOk ? 'muted small' : 'error'} role={sumOk ? undefined : 'alert'} data-testid="split-total">
        {sumOk ? t('split.total', { total: num(total) }) : t('split.mustSum', { total: Number.isFinite(total) ? num(total) : '—' })}
      </p>
      {own.length > 0 && (
        <div className="error" role="alert">
          {own.map((m) => (
            <div key={m}>{m}</div>
          ))}
        </div>
      )}
      {!readOnly && (
        <button
          type="button"
          onClick={() => {
            const taken = new Set(value.map((v) => v.output));
            let i = value.length;
            while (taken.has(letter(i))) i++;
            onChange([...value, { output: letter(i), weight: 0 }]);
          }}
        >
          {t('split.add')}
        </button>
      )}
    </fieldset>
  );
}
