/**
 * The side panel: edits the selected step (or the trigger). Validation messages from the server
 * (POST /api/journeys/validate, the same validator `PUT /api/journeys/:id` runs) appear under the
 * field they are about, and the rest under the step.
 */
import { useId, useState, type ReactNode } from 'react';
import type { Issue } from '../api';
import { useI18n } from '../i18n';
import type { JourneyDoc, JourneyNode } from './model';

interface FieldProps {
  label: string;
  issues: string[];
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}

function Field({ label, issues, children }: FieldProps) {
  const id = useId();
  const err = `${id}-err`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': issues.length ? err : undefined, 'aria-invalid': issues.length ? true : undefined })}
      {issues.length > 0 && (
        <div id={err} className="error" role="alert">
          {issues.map((m) => <div key={m}>{m}</div>)}
        </div>
      )}
    </div>
  );
}

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

export interface PanelProps {
  doc: JourneyDoc;
  node: JourneyNode | null;
  trigger: JourneyDoc['trigger'] | null;
  nodeIndex: number;
  issues: Issue[];
  templates: string[];
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
  const at = (field: string) => issues.filter((i) => i.path === `${field}` || i.path.startsWith(`${field}.`)).map((i) => i.message);

  if (trigger) {
    const tr = trigger;
    const set = (patch: Record<string, unknown>) => props.onTrigger({ ...tr, ...patch } as JourneyDoc['trigger']);
    return (
      <section className="panel" aria-label={t('node.trigger')}>
        <h2>{t('node.trigger')}</h2>
        <Field label={t('field.triggerType')} issues={at('trigger.type')}>
          {(p) => (
            <select {...p} disabled={readOnly} value={tr.type} onChange={(e) => props.onTrigger(e.target.value === 'event' ? { type: 'event', event: '' } : e.target.value === 'list_joined' ? { type: 'list_joined', list: '' } : e.target.value === 'segment_entered' ? { type: 'segment_entered', segment: '' } : { type: e.target.value })}>
              {['event', 'contact_created', 'list_joined', 'segment_entered', 'manual'].map((v) => <option key={v} value={v}>{v}</option>)}
            </select>
          )}
        </Field>
        {tr.type === 'event' && (
          <Field label={t('field.event')} issues={at('trigger.event')}>
            {(p) => <input {...p} disabled={readOnly} value={String(tr.event ?? '')} onChange={(e) => set({ event: e.target.value })} />}
          </Field>
        )}
        {tr.type === 'list_joined' && <Field label="list" issues={at('trigger.list')}>{(p) => <input {...p} disabled={readOnly} value={String(tr.list ?? '')} onChange={(e) => set({ list: e.target.value })} />}</Field>}
        {tr.type === 'segment_entered' && <Field label="segment" issues={at('trigger.segment')}>{(p) => <input {...p} disabled={readOnly} value={String(tr.segment ?? '')} onChange={(e) => set({ segment: e.target.value })} />}</Field>}
        {at('start').map((m) => <p key={m} className="error" role="alert">{m}</p>)}
      </section>
    );
  }
  if (!node) return <section className="panel"><p className="muted">{t('journeys.selectNode')}</p></section>;

  const base = `nodes.${nodeIndex}`;
  const f = (field: string) => at(`${base}.${field}`);
  const set = (patch: Record<string, unknown>) => props.onNode({ ...node, ...patch });
  const text = (field: string, label: string) => (
    <Field label={label} issues={f(field)}>
      {(p) => <input {...p} disabled={readOnly} value={String(node[field] ?? '')} onChange={(e) => set({ [field]: e.target.value })} />}
    </Field>
  );
  const known = new Set(['id', 'name', 'type', 'channel', 'template', 'kind', 'duration', 'event', 'timeout', 'branches', 'variants', 'set']);
  const other = issues.filter((i) => i.path === base || (i.path.startsWith(`${base}.`) && !known.has(i.path.slice(base.length + 1).split('.')[0]!)) || (!i.path.startsWith(base) && i.message.includes(`"${node.id}"`)));

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
                {['email', 'sms', 'webhook'].map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            )}
          </Field>
          {node.channel !== 'webhook' && (
            <Field label={t('field.template')} issues={f('template')}>
              {(p) => (
                <select {...p} disabled={readOnly} value={String(node.template ?? '')} onChange={(e) => set({ template: e.target.value })}>
                  <option value="">—</option>
                  {props.templates.map((id) => <option key={id} value={id}>{id}</option>)}
                  {node.template && !props.templates.includes(String(node.template)) ? <option value={String(node.template)}>{String(node.template)}</option> : null}
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
          {text('timeout', t('field.timeout'))}
        </>
      )}
      {node.type === 'branch' && <JsonField key={node.id} label="branches: [{ output, condition }]" value={node.branches} issues={f('branches')} disabled={readOnly} onChange={(v) => set({ branches: v })} />}
      {node.type === 'split' && <JsonField key={node.id} label="variants: [{ output, weight }]" value={node.variants} issues={f('variants')} disabled={readOnly} onChange={(v) => set({ variants: v })} />}
      {node.type === 'update_contact' && <JsonField key={node.id} label={t('field.set')} value={node.set} issues={f('set')} disabled={readOnly} onChange={(v) => set({ set: v })} />}
      {props.outputs.length > 0 && (
        <fieldset className="outputs">
          <legend>{t('field.outputs')}</legend>
          {props.outputs.map((o) => (
            <Field key={o.output} label={t('field.goesTo', { output: o.output })} issues={[]}>
              {(p) => (
                <select {...p} disabled={readOnly} value={o.to} onChange={(e) => props.onConnect(o.output, e.target.value)}>
                  <option value="">—</option>
                  {props.doc.nodes.filter((n) => n.id !== node.id).map((n) => <option key={n.id} value={n.id}>{n.id}</option>)}
                </select>
              )}
            </Field>
          ))}
        </fieldset>
      )}
      {other.length > 0 && (
        <div className="error" role="alert">
          {other.map((i) => <div key={i.path + i.message}>{i.message}</div>)}
        </div>
      )}
      {!readOnly && <button type="button" className="danger" onClick={props.onDelete}>{t('field.deleteNode')}</button>}
    </section>
  );
}
