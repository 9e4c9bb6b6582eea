/**
 * The side panel: edits the selected step (or the trigger). Validation messages from the server
 * (POST /api/journeys/validate, the same validator `PUT /api/journeys/:id` runs) appear under the
 * field they are about (branch conditions: beside their row), and the rest under the step.
 */
import { useState } from 'react';
import type { Issue } from '../api';
import { FilterList } from '../conditions/FilterList';
import { bare, type PropertyFilter } from '../conditions/model';
import { useI18n } from '../i18n';
import { BranchesField, type Branch } from './BranchesField';
import { Field } from './Field';
import { STEP_CHANNELS, templateIdsFor } from '../channels';
import { withOptional, type JourneyDoc, type JourneyNode } from './model';
import { VariantsField, type Variant } from './VariantsField';

function JsonField({ label, value, issues, disabled, onChange }: { label: string; value: unknown; issues: string[]; disabled: boolean; onChange(v: unknown): void }) {
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const [bad, setBad] = useState<string | null>(null);
  return (
    <Field label={label} issues={bad ? [bad, ...issues] : issues}>
      {(p) => (
        <textarea
          {...p}
          className="code"
          rows={6}
          disabled={disabled}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            try {
              onChange(JSON.parse(e.target.value));
              setBad(null);
            } catch (err) {
              setBad((err as Error).message);
            }
          }}
        />
      )}
    </Field>
  );
}

const TRIGGER_TYPES = ['event', 'page_view', 'contact_created', 'list_joined', 'segment_entered', 'date_attribute', 'manual'] as const;

/** A trigger of a new type with the fields that type needs (src/journeys/definition/schema.ts Trigger). */
function blankTrigger(type: string): JourneyDoc['trigger'] {
  switch (type) {
    case 'event':
      return { type, event: '' };
    case 'page_view':
      return { type, url: '/products/*' };
    case 'list_joined':
      return { type, list: '' };
    case 'segment_entered':
      return { type, segment: '' };
    case 'date_attribute':
      return { type, attribute: '', mode: 'yearly', offsetDays: 0, time: '09:00' };
    default:
      return { type };
  }
}

export interface PanelProps {
  doc: JourneyDoc;
  node: JourneyNode | null;
  trigger: JourneyDoc['trigger'] | null;
  nodeIndex: number;
  issues: Issue[];
  templates: string[];
  /** Template id → its channel (email when absent). */
  templateChannels?: Record<string, string>;
  /** Template id → its name (the picker shows names). */
  templateNames?: Record<string, string>;
  readOnly: boolean;
  onNode(next: JourneyNode): void;
  onRename(from: string, to: string): void;
  onTrigger(next: JourneyDoc['trigger']): void;
  onDelete(): void;
  /** Where each output of the selected step leads (step id or ''), and how to change it. */
  outputs: { output: string; to: string }[];
  onConnect(output: string, to: string): void;
}

export function SidePanel(props: PanelProps) {
  const { t } = useI18n();
  const { node, trigger, readOnly, issues, nodeIndex } = props;
  const at = (field: string) => issues.filter((i) => i.path === `${field}` || i.path.startsWith(`${field}.`)).map((i) => bare(i.message));

  if (trigger) {
    const tr = trigger;
    const set = (patch: Record<string, unknown>) => props.onTrigger({ ...tr, ...patch } as JourneyDoc['trigger']);
    return (
      <section className="panel" aria-label={t('node.trigger')}>
        <h2>{t('node.trigger')}</h2>
        <Field label={t('field.triggerType')} issues={at('trigger.type')}>
          {(p) => (
            <select {...p} disabled={readOnly} value={tr.type} onChange={(e) => props.onTrigger(blankTrigger(e.target.value))}>
              {TRIGGER_TYPES.map((v) => (
                <option key={v} value={v}>
                  {t(`trigger.${v}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {tr.type === 'event' && (
          <>
            <Field label={t('field.event')} issues={at('trigger.event')}>
              {(p) => <input {...p} disabled={readOnly} value={String(tr.event ?? '')} onChange={(e) => set({ event: e.target.value })} />}
            </Field>
            <FilterList
              label={t('field.eventFilters')}
              value={tr.where as PropertyFilter[] | undefined}
              path="trigger.where"
              issues={issues}
              readOnly={readOnly}
              onChange={(where) => props.onTrigger(withOptional(tr, 'where', where))}
            />
          </>
        )}
        {tr.type === 'page_view' && (
          <>
            <Field label={t('trigger.url')} issues={at('trigger.url')}>
              {(p) => <input {...p} dir="ltr" disabled={readOnly} value={String(tr.url ?? '')} placeholder="/products/*" onChange={(e) => set({ url: e.target.value })} />}
            </Field>
            <p className="muted small">{t('trigger.urlHint')}</p>
            <FilterList
              label={t('field.eventFilters')}
              value={tr.where as PropertyFilter[] | undefined}
              path="trigger.where"
              issues={issues}
              readOnly={readOnly}
              onChange={(where) => props.onTrigger(withOptional(tr, 'where', where))}
            />
          </>
        )}
        {tr.type === 'date_attribute' && (
          <>
            <Field label={t('trigger.attribute')} issues={at('trigger.attribute')}>
              {(p) => <input {...p} disabled={readOnly} value={String(tr.attribute ?? '')} placeholder="birthday" onChange={(e) => set({ attribute: e.target.value })} />}
            </Field>
            <Field label={t('trigger.mode')} issues={at('trigger.mode')}>
              {(p) => (
                <select {...p} disabled={readOnly} value={String(tr.mode ?? 'yearly')} onChange={(e) => set({ mode: e.target.value })}>
                  <option value="yearly">{t('trigger.mode.yearly')}</option>
                  <option value="once">{t('trigger.mode.once')}</option>
                </select>
              )}
            </Field>
            <Field label={t('trigger.offsetDays')} issues={at('trigger.offsetDays')}>
              {(p) => <input {...p} type="number" step={1} disabled={readOnly} value={Number(tr.offsetDays ?? 0)} onChange={(e) => set({ offsetDays: Math.trunc(Number(e.target.value)) })} />}
            </Field>
            <Field label={t('trigger.time')} issues={at('trigger.time')}>
              {(p) => <input {...p} type="time" disabled={readOnly} value={String(tr.time ?? '09:00')} onChange={(e) => set({ time: e.target.value })} />}
            </Field>
          </>
        )}
        {tr.type === 'list_joined' && (
          <Field label={t('trigger.list')} issues={at('trigger.list')}>
            {(p) => <input {...p} disabled={readOnly} value={String(tr.list ?? '')} onChange={(e) => set({ list: e.target.value })} />}
          </Field>
        )}
        {tr.type === 'segment_entered' && (
          <Field label={t('trigger.segment')} issues={at('trigger.segment')}>
            {(p) => <input {...p} disabled={readOnly} value={String(tr.segment ?? '')} onChange={(e) => set({ segment: e.target.value })} />}
          </Field>
        )}
        {at('start').map((m) => (
          <p key={m} className="error" role="alert">
            {m}
          </p>
        ))}
        <p className="muted small">{t('trigger.settingsHint')}</p>
      </section>
    );
  }
  if (!node)
    return (
      <section className="panel">
        <p className="muted">{t('journeys.selectNode')}</p>
      </section>
    );

  const base = `nodes.${nodeIndex}`;
  const f = (field: string) => at(`${base}.${field}`);
  const set = (patch: Record<string, unknown>) => props.onNode({ ...node, ...patch });
  // A message step lists only the templates of its channel (an SMS step: SMS templates).
  const stepTemplates = templateIdsFor(props.templates, props.templateChannels, String(node.channel ?? 'email'));
  const text = (field: string, label: string) => (
    <Field label={label} issues={f(field)}>
      {(p) => <input {...p} disabled={readOnly} value={String(node[field] ?? '')} onChange={(e) => set({ [field]: e.target.value })} />}
    </Field>
  );
  const known = new Set(['id', 'name', 'type', 'channel', 'template', 'kind', 'duration', 'event', 'where', 'timeout', 'branches', 'variants', 'set']);
  const other = issues.filter(
    (i) =>
      i.path === base ||
      (i.path.startsWith(`${base}.`) && !known.has(i.path.slice(base.length + 1).split('.')[0]!)) ||
      (!i.path.startsWith(`${base}.`) && i.path !== base && i.message.includes(`"${node.id}"`)),
  );

  return (
    <section className="panel" aria-label={t(`node.${node.type}`)}>
      <h2>{t(`node.${node.type}`)}</h2>
      <Field label={t('field.id')} issues={f('id')}>
        {(p) => <input {...p} disabled={readOnly} defaultValue={node.id} key={node.id} onBlur={(e) => e.target.value !== node.id && props.onRename(node.id, e.target.value)} />}
      </Field>
      {text('name', t('field.name'))}
      {node.type === 'message' && (
        <>
          <Field label={t('field.channel')} issues={f('channel')}>
            {(p) => (
              <select {...p} disabled={readOnly} value={String(node.channel ?? 'email')} onChange={(e) => set({ channel: e.target.value })}>
                {STEP_CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {node.channel !== 'webhook' && (
            <Field label={t('field.template')} issues={f('template')}>
              {(p) => (
                <select {...p} disabled={readOnly} value={String(node.template ?? '')} onChange={(e) => set({ template: e.target.value })}>
                  <option value="">—</option>
                  {stepTemplates.map((id) => (
                    <option key={id} value={id}>
                      {props.templateNames?.[id] ?? id}
                    </option>
                  ))}
                  {node.template && !stepTemplates.includes(String(node.template)) ? <option value={String(node.template)}>{String(node.template)}</option> : null}
                </select>
              )}
            </Field>
          )}
          <Field label={t('field.kind')} issues={f('kind')}>
            {(p) => (
              <select {...p} disabled={readOnly} value={String(node.kind ?? 'marketing')} onChange={(e) => set({ kind: e.target.value })}>
                <option value="marketing">marketing</option>
                <option value="transactional">transactional</option>
              </select>
            )}
          </Field>
        </>
      )}
      {node.type === 'delay' && text('duration', t('field.duration'))}
      {node.type === 'wait_for_event' && (
        <>
          {text('event', t('field.event'))}
          <FilterList
            label={t('field.eventFilters')}
            value={node.where as PropertyFilter[] | undefined}
            path={`${base}.where`}
            issues={issues}
            readOnly={readOnly}
            onChange={(where) => props.onNode(withOptional(node, 'where', where))}
          />
          {text('timeout', t('field.timeout'))}
          <p className="muted small">{t('field.waitOutputs')}</p>
        </>
      )}
      {node.type === 'branch' && (
        <BranchesField
          key={node.id}
          value={(node.branches as Branch[] | undefined) ?? []}
          path={`${base}.branches`}
          issues={issues}
          templates={props.templates}
          readOnly={readOnly}
          onChange={(branches) => set({ branches })}
        />
      )}
      {node.type === 'split' && (
        <VariantsField key={node.id} value={(node.variants as Variant[] | undefined) ?? []} path={`${base}.variants`} issues={issues} readOnly={readOnly} onChange={(variants) => set({ variants })} />
      )}
      {node.type === 'update_contact' && <JsonField key={node.id} label={t('field.set')} value={node.set} issues={f('set')} disabled={readOnly} onChange={(v) => set({ set: v })} />}
      {props.outputs.length > 0 && (
        <fieldset className="outputs">
          <legend>{t('field.outputs')}</legend>
          {props.outputs.map((o) => (
            <Field key={o.output} label={t('field.goesTo', { output: o.output })} issues={[]}>
              {(p) => (
                <select {...p} disabled={readOnly} value={o.to} onChange={(e) => props.onConnect(o.output, e.target.value)}>
                  <option value="">—</option>
                  {props.doc.nodes
                    .filter((n) => n.id !== node.id)
                    .map((n) => (
                      <option key={n.id} value={n.id}>
                        {n.id}
                      </option>
                    ))}
                </select>
              )}
            </Field>
          ))}
        </fieldset>
      )}
      {other.length > 0 && (
        <div className="error" role="alert">
          {other.map((i) => (
            <div key={i.path + i.message}>{i.message}</div>
          ))}
        </div>
      )}
      {!readOnly && (
        <button type="button" className="danger" onClick={props.onDelete}>
          {t('field.deleteNode')}
        </button>
      )}
    </section>
  );
}
