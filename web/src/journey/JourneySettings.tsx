/**
 * The "Journey settings" panel: the parts of the journey document that belong to no step — entry
 * (re-entry policy and an entry filter), the goal (a conversion event with filters and the
 * property holding its value), exit events, quiet hours, a frequency cap and the longest a run may
 * last. It edits the same document the API and `qatra journeys apply` take; optional parts are
 * left out of it until switched on, so a YAML journey round-trips unchanged.
 */
import type { Issue } from '../api';
import { ConditionEditor } from '../conditions/ConditionEditor';
import { FilterList } from '../conditions/FilterList';
import { bare, blankRow, issuesUnder, type Condition, type PropertyFilter } from '../conditions/model';
import { useI18n } from '../i18n';
import { Field } from './Field';
import { STEP_CHANNELS } from '../channels';
import { withOptional, type JourneyDoc } from './model';

interface EventMatch {
  event: string;
  where?: PropertyFilter[];
}
interface Entry {
  filter?: Condition;
  reentry?: { mode?: string; interval?: string; from?: string };
}
interface Goal extends EventMatch {
  valueProperty?: string;
}
interface Settings {
  quietHours?: { start: string; end: string; outcome?: string };
  frequencyCap?: { max: number; per: string; channel?: string; outcome?: string };
  maxDuration?: string;
}

export type Extra = Pick<JourneyDoc, 'entry' | 'goal' | 'exitWhen' | 'settings'> & Record<string, unknown>;

export interface JourneySettingsProps {
  extra: Extra;
  issues: Issue[];
  templates: string[];
  readOnly: boolean;
  onChange(next: Extra): void;
}

const REENTRY = ['never', 'after_exit', 'always', 'after_interval'] as const;
const OUTCOMES = ['defer', 'skip', 'exit'] as const;

export function JourneySettings({ extra, issues, templates, readOnly, onChange }: JourneySettingsProps) {
  const { t } = useI18n();
  const at = (path: string) => issuesUnder(issues, path).map((i) => bare(i.message));
  const exact = (path: string) => issues.filter((i) => i.path === path).map((i) => bare(i.message));
  const entry = (extra.entry ?? {}) as Entry;
  const reentry = entry.reentry ?? {};
  const goal = extra.goal as Goal | undefined;
  const exits = (extra.exitWhen as EventMatch[] | undefined) ?? [];
  const settings = (extra.settings ?? {}) as Settings;
  const setEntry = (next: Entry) => onChange({ ...extra, entry: next });
  const setReentry = (patch: Entry['reentry']) => setEntry({ ...entry, reentry: { ...reentry, ...patch } });
  const setSettings = (next: Settings) => onChange({ ...extra, settings: next });
  const setGoal = (next: Goal | undefined) => onChange(withOptional(extra, 'goal', next));
  const setExits = (next: EventMatch[]) => onChange(withOptional(extra, 'exitWhen', next));
  const qh = settings.quietHours;
  const cap = settings.frequencyCap;
  const mode = reentry.mode ?? 'never';

  return (
    <section className="panel journey-settings" aria-labelledby="settings-title" data-testid="journey-settings">
      <h2 id="settings-title">{t('jset.title')}</h2>

      <fieldset className="card">
        <legend>{t('jset.entry')}</legend>
        <Field label={t('jset.reentry')} issues={at('entry.reentry.mode')} hint={t(`jset.reentry.${mode}.hint` as 'jset.reentry.never.hint')}>
          {(p) => (
            <select
              {...p}
              disabled={readOnly}
              value={mode}
              onChange={(e) =>
                setReentry(
                  e.target.value === 'after_interval' ? { mode: e.target.value, interval: reentry.interval ?? '30d', from: reentry.from ?? 'exit' } : { mode: e.target.value, interval: undefined },
                )
              }
            >
              {REENTRY.map((m) => (
                <option key={m} value={m}>
                  {t(`jset.reentry.${m}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {(mode === 'after_interval' || reentry.interval !== undefined) && (
          <>
            <Field label={t('jset.interval')} issues={at('entry.reentry.interval')}>
              {(p) => <input {...p} disabled={readOnly} value={reentry.interval ?? ''} placeholder="30d" onChange={(e) => setReentry({ interval: e.target.value })} />}
            </Field>
            <Field label={t('jset.intervalFrom')} issues={at('entry.reentry.from')}>
              {(p) => (
                <select {...p} disabled={readOnly} value={reentry.from ?? 'exit'} onChange={(e) => setReentry({ from: e.target.value })}>
                  <option value="exit">{t('jset.from.exit')}</option>
                  <option value="entry">{t('jset.from.entry')}</option>
                </select>
              )}
            </Field>
          </>
        )}
        <h3 className="small">{t('jset.entryFilter')}</h3>
        {entry.filter === undefined ? (
          <>
            <p className="muted small">{t('jset.noEntryFilter')}</p>
            {!readOnly && (
              <button type="button" onClick={() => setEntry({ ...entry, filter: { all: [blankRow('attribute')] } })}>
                {t('jset.addEntryFilter')}
              </button>
            )}
          </>
        ) : (
          <>
            <ConditionEditor value={entry.filter} path="entry.filter" issues={issues} readOnly={readOnly} templates={templates} onChange={(filter) => setEntry({ ...entry, filter })} />
            {!readOnly && (
              <button type="button" className="danger" onClick={() => setEntry(withOptional(entry, 'filter', undefined))}>
                {t('jset.removeEntryFilter')}
              </button>
            )}
          </>
        )}
      </fieldset>

      <fieldset className="card">
        <legend>{t('jset.goal')}</legend>
        {goal === undefined ? (
          <>
            <p className="muted small">{t('jset.noGoal')}</p>
            {!readOnly && (
              <button type="button" onClick={() => setGoal({ event: '' })}>
                {t('jset.addGoal')}
              </button>
            )}
          </>
        ) : (
          <>
            <Field label={t('jset.goalEvent')} issues={at('goal.event')} hint={t('jset.goalHint')}>
              {(p) => <input {...p} disabled={readOnly} value={goal.event} placeholder="purchased" onChange={(e) => setGoal({ ...goal, event: e.target.value })} />}
            </Field>
            <FilterList label={t('field.eventFilters')} value={goal.where} path="goal.where" issues={issues} readOnly={readOnly} onChange={(where) => setGoal(withOptional(goal, 'where', where))} />
            <Field label={t('jset.valueProperty')} issues={at('goal.valueProperty')}>
              {(p) => <input {...p} disabled={readOnly} value={goal.valueProperty ?? ''} placeholder="total" onChange={(e) => setGoal(withOptional(goal, 'valueProperty', e.target.value))} />}
            </Field>
            {exact('goal').map((m) => (
              <p key={m} className="error" role="alert">
                {m}
              </p>
            ))}
            {!readOnly && (
              <button type="button" className="danger" onClick={() => setGoal(undefined)}>
                {t('jset.removeGoal')}
              </button>
            )}
          </>
        )}
      </fieldset>

      <fieldset className="card">
        <legend>{t('jset.exitWhen')}</legend>
        {exits.length === 0 && <p className="muted small">{t('jset.noExits')}</p>}
        {exits.map((x, i) => (
          <div key={i} className="exit-event" role="group" aria-label={t('jset.exitN', { n: i + 1 })}>
            <Field label={t('jset.exitEvent', { n: i + 1 })} issues={at(`exitWhen.${i}.event`).concat(exact(`exitWhen.${i}`))}>
              {(p) => <input {...p} disabled={readOnly} value={x.event} placeholder="unsubscribed" onChange={(e) => setExits(exits.map((y, j) => (j === i ? { ...y, event: e.target.value } : y)))} />}
            </Field>
            <FilterList
              label={t('field.eventFilters')}
              value={x.where}
              path={`exitWhen.${i}.where`}
              issues={issues}
              readOnly={readOnly}
              onChange={(where) => setExits(exits.map((y, j) => (j === i ? withOptional(y, 'where', where) : y)))}
            />
            {!readOnly && (
              <button type="button" className="danger" onClick={() => setExits(exits.filter((_, j) => j !== i))}>
                {t('jset.removeExit', { n: i + 1 })}
              </button>
            )}
          </div>
        ))}
        {!readOnly && (
          <button type="button" onClick={() => setExits([...exits, { event: '' }])}>
            {t('jset.addExit')}
          </button>
        )}
      </fieldset>

      <fieldset className="card">
        <legend>{t('jset.delivery')}</legend>
        <label className="check">
          <input
            type="checkbox"
            disabled={readOnly}
            checked={qh !== undefined}
            onChange={(e) => setSettings(withOptional(settings, 'quietHours', e.target.checked ? { start: '21:00', end: '08:00', outcome: 'defer' } : undefined))}
          />
          {t('jset.quietHours')}
        </label>
        {qh && (
          <div className="row">
            <Field label={t('jset.quietFrom')} issues={at('jset.quietHours.start')}>
              {(p) => <input {...p} type="time" disabled={readOnly} value={qh.start} onChange={(e) => setSettings({ ...settings, quietHours: { ...qh, start: e.target.value } })} />}
            </Field>
            <Field label={t('jset.quietUntil')} issues={at('jset.quietHours.end')}>
              {(p) => <input {...p} type="time" disabled={readOnly} value={qh.end} onChange={(e) => setSettings({ ...settings, quietHours: { ...qh, end: e.target.value } })} />}
            </Field>
            <Field label={t('jset.outcome')} issues={at('jset.quietHours.outcome').concat(exact('jset.quietHours'))}>
              {(p) => (
                <select {...p} disabled={readOnly} value={qh.outcome ?? 'defer'} onChange={(e) => setSettings({ ...settings, quietHours: { ...qh, outcome: e.target.value } })}>
                  {OUTCOMES.map((o) => (
                    <option key={o} value={o}>
                      {t(`jset.outcome.${o}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        )}
        <label className="check">
          <input
            type="checkbox"
            disabled={readOnly}
            checked={cap !== undefined}
            onChange={(e) => setSettings(withOptional(settings, 'frequencyCap', e.target.checked ? { max: 3, per: '7d', outcome: 'defer' } : undefined))}
          />
          {t('jset.frequencyCap')}
        </label>
        {cap && (
          <div className="row">
            <Field label={t('jset.capMax')} issues={at('jset.frequencyCap.max')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={1}
                  step={1}
                  disabled={readOnly}
                  value={Number.isFinite(cap.max) ? cap.max : ''}
                  onChange={(e) => setSettings({ ...settings, frequencyCap: { ...cap, max: e.target.value === '' ? Number.NaN : Number(e.target.value) } })}
                />
              )}
            </Field>
            <Field label={t('jset.capPer')} issues={at('jset.frequencyCap.per')}>
              {(p) => <input {...p} disabled={readOnly} value={cap.per} placeholder="7d" onChange={(e) => setSettings({ ...settings, frequencyCap: { ...cap, per: e.target.value } })} />}
            </Field>
            <Field label={t('jset.capChannel')} issues={at('jset.frequencyCap.channel')}>
              {(p) => (
                <select {...p} disabled={readOnly} value={cap.channel ?? ''} onChange={(e) => setSettings({ ...settings, frequencyCap: withOptional(cap, 'channel', e.target.value) })}>
                  <option value="">{t('jset.allChannels')}</option>
                  {STEP_CHANNELS.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('jset.outcome')} issues={at('jset.frequencyCap.outcome')}>
              {(p) => (
                <select {...p} disabled={readOnly} value={cap.outcome ?? 'defer'} onChange={(e) => setSettings({ ...settings, frequencyCap: { ...cap, outcome: e.target.value } })}>
                  {OUTCOMES.map((o) => (
                    <option key={o} value={o}>
                      {t(`jset.outcome.${o}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        )}
        <Field label={t('jset.maxDuration')} issues={at('jset.maxDuration')} hint={t('jset.maxDurationHint')}>
          {(p) => <input {...p} disabled={readOnly} value={settings.maxDuration ?? ''} placeholder="365d" onChange={(e) => setSettings(withOptional(settings, 'maxDuration', e.target.value))} />}
        </Field>
      </fieldset>
    </section>
  );
}
