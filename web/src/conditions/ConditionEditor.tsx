/**
 * The structured editor of a journey condition (branch conditions, the entry filter): nested
 * groups of rows, every control labelled and reachable by keyboard, and the server's validation
 * messages beside the row or group they are about (see ./model.ts for how paths map to rows).
 * A condition the editor has no row for is edited as JSON in place, and only that part.
 */
import { useId, useState } from 'react';
import { useI18n } from '../i18n';
import { FilterList } from './FilterList';
import {
  bare,
  blankRow,
  emailTemplate,
  GROUP_MODES,
  issuesUnder,
  LEAD_SCORE_FIELD,
  makeGroup,
  makeRow,
  NO_VALUE,
  NUMBER_OPERATORS,
  OPERATORS,
  ROW_KINDS,
  SOURCES,
  splitField,
  typedScalar,
  typedValue,
  valueText,
  viewOf,
  withEmailTemplate,
  withOperator,
  withPerformed,
  type Condition,
  type FieldLeaf,
  type GroupMode,
  type Issue,
  type Operator,
  type PerformedLeaf,
  type RowKind,
  type Source,
} from './model';

export interface ConditionEditorProps {
  value: Condition;
  /** Document path of this condition (`nodes.2.branches.0.condition`). */
  path: string;
  issues: Issue[];
  readOnly: boolean;
  /** Template ids, for "opened / clicked email …" rows. */
  templates: string[];
  onChange(next: Condition): void;
  /** Removes this condition from the group it is in; absent at the root. */
  onRemove?: () => void;
  /** Its position in the parent group, for labels ("Condition 2"). */
  index?: number;
}

export function ConditionEditor(props: ConditionEditorProps) {
  const view = viewOf(props.value);
  if (view.kind === 'group') return <Group {...props} mode={view.mode} items={view.children} childPath={view.childPath} />;
  if (view.kind === 'row') return <Row {...props} row={view.row} negated={view.negated} leaf={view.leaf} leafPath={view.leafPath} />;
  return <Raw {...props} />;
}

const abs = (base: string, rel: string) => (rel ? `${base}.${rel}` : base);

function Group(props: ConditionEditorProps & { mode: GroupMode; items: Condition[]; childPath(i: number): string }) {
  const { t } = useI18n();
  const id = useId();
  const { mode, items, readOnly } = props;
  // The group's own messages: about the condition itself or its list (`all: too small`), not a row in it.
  const list = /^(.*)\.\d+$/.exec(props.childPath(0))?.[1];
  const own = props.issues.filter((x) => x.path === props.path || (list !== undefined && x.path === abs(props.path, list)));
  const set = (next: Condition[]) => props.onChange(makeGroup(mode, next));
  const label = props.index === undefined ? t('cond.group') : t('cond.groupN', { n: props.index + 1 });
  return (
    <fieldset className={`cond-group mode-${mode}`} aria-label={label} aria-describedby={own.length ? `${id}-err` : undefined}>
      <legend>
        <select aria-label={t('cond.match', { group: label })} disabled={readOnly} value={mode} onChange={(e) => props.onChange(makeGroup(e.target.value as GroupMode, items))}>
          {GROUP_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`cond.mode.${m}`)}
            </option>
          ))}
        </select>
      </legend>
      {items.map((c, i) => (
        <ConditionEditor
          key={i}
          value={c}
          index={i}
          path={abs(props.path, props.childPath(i))}
          issues={props.issues}
          readOnly={readOnly}
          templates={props.templates}
          onChange={(next) => set(items.map((x, j) => (j === i ? next : x)))}
          onRemove={() => set(items.filter((_, j) => j !== i))}
        />
      ))}
      {own.length > 0 && (
        <div id={`${id}-err`} className="error" role="alert">
          {own.map((x) => (
            <div key={x.message}>{bare(x.message)}</div>
          ))}
        </div>
      )}
      {!readOnly && (
        <div className="row cond-actions">
          <button type="button" onClick={() => set([...items, blankRow('attribute')])}>
            {t('cond.addRow')}
          </button>
          <button type="button" onClick={() => set([...items, { all: [blankRow('attribute')] }])}>
            {t('cond.addGroup')}
          </button>
          {props.onRemove && (
            <button type="button" className="danger" onClick={props.onRemove}>
              {t('cond.removeGroup', { group: label })}
            </button>
          )}
        </div>
      )}
    </fieldset>
  );
}

function Row(props: ConditionEditorProps & { row: RowKind; negated: boolean; leaf: FieldLeaf | PerformedLeaf; leafPath: string }) {
  const { t } = useI18n();
  const id = useId();
  const { row, negated, leaf, readOnly } = props;
  const at = abs(props.path, props.leafPath);
  const filtersAt = `${at}.performed.where`;
  // Filters show their own messages (FilterList); the rest of the row's show under the row.
  const mine = issuesUnder(props.issues, at).filter((x) => row !== 'performed' || !x.path.startsWith(filtersAt));
  const bad = (k: string) => (mine.some((x) => x.path === `${at}.${k}` || x.path.startsWith(`${at}.${k}.`)) ? true : undefined);
  const err = `${id}-err`;
  const a11y = (k: string) => ({ 'aria-invalid': bad(k), 'aria-describedby': mine.length ? err : undefined });
  const n = { n: (props.index ?? 0) + 1 };
  const emit = (next: FieldLeaf | PerformedLeaf, neg = negated) => props.onChange(makeRow(next, neg));
  const root = props.onRemove === undefined;

  const controls = () => {
    if ('field' in leaf) {
      const { source, name } = splitField(leaf.field);
      if (row === 'lead_score') {
        return (
          <>
            <select aria-label={t('cond.operator', n)} disabled={readOnly} value={leaf.op} {...a11y('op')} onChange={(e) => emit(withOperator(leaf, e.target.value as Operator))}>
              {[...NUMBER_OPERATORS, 'exists' as const].map((o) => (
                <option key={o} value={o}>
                  {t(`op.${o}`)}
                </option>
              ))}
            </select>
            {!NO_VALUE.has(leaf.op) && (
              <input
                type="number"
                aria-label={t('cond.value', n)}
                disabled={readOnly}
                value={valueText(leaf.value)}
                {...a11y('value')}
                onChange={(e) => emit({ ...leaf, value: typedScalar(e.target.value) })}
              />
            )}
          </>
        );
      }
      return (
        <>
          <select aria-label={t('cond.source', n)} disabled={readOnly} value={source} {...a11y('field')} onChange={(e) => emit({ ...leaf, field: `${e.target.value as Source}.${name}` })}>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {t(`cond.source.${s}`)}
              </option>
            ))}
          </select>
          <input aria-label={t('cond.attribute', n)} placeholder="plan" disabled={readOnly} value={name} {...a11y('field')} onChange={(e) => emit({ ...leaf, field: `${source}.${e.target.value}` })} />
          <select aria-label={t('cond.operator', n)} disabled={readOnly} value={leaf.op} {...a11y('op')} onChange={(e) => emit(withOperator(leaf, e.target.value as Operator))}>
            {OPERATORS.map((o) => (
              <option key={o} value={o}>
                {t(`op.${o}`)}
              </option>
            ))}
          </select>
          {!NO_VALUE.has(leaf.op) && (
            <input
              aria-label={t('cond.value', n)}
              disabled={readOnly}
              value={valueText(leaf.value)}
              {...a11y('value')}
              onChange={(e) => emit({ ...leaf, value: typedValue(e.target.value, leaf.op) })}
            />
          )}
        </>
      );
    }
    const p = leaf.performed;
    const did = (
      <select aria-label={t('cond.did', n)} disabled={readOnly} value={negated ? 'no' : 'yes'} onChange={(e) => emit(leaf, e.target.value === 'no')}>
        <option value="yes">{t('cond.didYes')}</option>
        <option value="no">{t('cond.didNo')}</option>
      </select>
    );
    const within = (
      <>
        <span className="muted small" aria-hidden="true">
          {t('cond.inLast')}
        </span>
        <input
          aria-label={t('cond.within', n)}
          placeholder={t('cond.sinceEntry')}
          size={8}
          disabled={readOnly}
          value={p.within ?? ''}
          {...a11y('performed.within')}
          onChange={(e) => emit(withPerformed(leaf, 'within', e.target.value.trim()))}
        />
      </>
    );
    if (row === 'email_opened' || row === 'email_clicked') {
      return (
        <>
          {did}
          <select aria-label={t('cond.email', n)} disabled={readOnly} value={emailTemplate(leaf)} {...a11y('performed.where')} onChange={(e) => emit(withEmailTemplate(leaf, e.target.value))}>
            <option value="">{t('cond.anyEmail')}</option>
            {[...new Set([...props.templates, emailTemplate(leaf)])].filter(Boolean).map((tpl) => (
              <option key={tpl} value={tpl}>
                {tpl}
              </option>
            ))}
          </select>
          {within}
        </>
      );
    }
    return (
      <>
        {did}
        <input
          aria-label={t('cond.event', n)}
          placeholder="purchased"
          disabled={readOnly}
          value={p.event}
          {...a11y('performed.event')}
          onChange={(e) => emit({ performed: { ...p, event: e.target.value } })}
        />
        {within}
        <input
          type="number"
          min={1}
          aria-label={t('cond.minCount', n)}
          placeholder="1"
          disabled={readOnly}
          value={p.minCount ?? ''}
          {...a11y('performed.minCount')}
          onChange={(e) => emit(withPerformed(leaf, 'minCount', e.target.value === '' ? '' : Number(e.target.value)))}
        />
        <FilterList label={t('cond.eventFilters', n)} value={p.where} path={filtersAt} issues={props.issues} readOnly={readOnly} onChange={(where) => emit(withPerformed(leaf, 'where', where))} />
      </>
    );
  };

  return (
    <div className={`cond-row kind-${row}`} role="group" aria-label={t('cond.rowN', n)}>
      <select aria-label={t('cond.kind', n)} disabled={readOnly} value={row} onChange={(e) => emit(blankRow(e.target.value as RowKind), false)}>
        {ROW_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`cond.kind.${k}`)}
          </option>
        ))}
      </select>
      {controls()}
      {!readOnly && !root && (
        <button type="button" className="icon" aria-label={t('cond.removeRow', n)} onClick={props.onRemove}>
          ✕
        </button>
      )}
      {!readOnly && root && (
        <button type="button" onClick={() => props.onChange({ all: [props.value, blankRow('attribute')] })}>
          {t('cond.addRow')}
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
}

/** A part the rows cannot show (or a broken one): JSON, parsed as you type. */
function Raw(props: ConditionEditorProps) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(props.value ?? null, null, 2));
  const [bad, setBad] = useState<string | null>(null);
  const mine = [...(bad ? [bad] : []), ...issuesUnder(props.issues, props.path).map((x) => bare(x.message))];
  return (
    <div className="cond-row kind-raw" role="group" aria-label={t('cond.rowN', { n: (props.index ?? 0) + 1 })}>
      <label htmlFor={id}>{t('cond.json')}</label>
      <textarea
        id={id}
        className="code"
        rows={4}
        disabled={props.readOnly}
        value={text}
        aria-invalid={mine.length ? true : undefined}
        aria-describedby={mine.length ? `${id}-err` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          try {
            props.onChange(JSON.parse(e.target.value) as Condition);
            setBad(null);
          } catch (err) {
            setBad((err as Error).message);
          }
        }}
      />
      {!props.readOnly && props.onRemove && (
        <button type="button" className="icon" aria-label={t('cond.removeRow', { n: (props.index ?? 0) + 1 })} onClick={props.onRemove}>
          ✕
        </button>
      )}
      {mine.length > 0 && (
        <div id={`${id}-err`} className="error" role="alert">
          {mine.map((m) => (
            <div key={m}>{m}</div>
          ))}
        </div>
      )}
    </div>
  );
}
