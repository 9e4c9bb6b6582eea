/**
 * The WhatsApp part of a template (`content.whatsapp`): an approved template message (its name and
 * language as WhatsApp Manager shows them, and the body parameters `{{1}}`, `{{2}}`, … in order,
 * each written in Liquid and rendered per contact; the variable of its header, text or the https
 * link of its image, video or document; the suffixes of its URL buttons), or free text (no `whatsapp`: only inside the
 * 24-hour window). Fields are checked as they are typed with the server's rules, and the server's
 * issues for `whatsapp.*` are shown at their field.
 */
import { useI18n } from '../i18n';
import type { Issue } from '../api';

export type WhatsappHeader = { type: 'text'; text: string } | { type: 'image' | 'video'; link: string } | { type: 'document'; link: string; filename?: string };
type HeaderType = WhatsappHeader['type'];

export interface WhatsappContent {
  name?: string;
  language?: string;
  parameters?: string[];
  header?: WhatsappHeader;
  buttons?: { index: number; urlSuffix: string }[];
}

const NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Za-z]{2,4})?$/;

/** The problems of the fields, by field path (`name`, `language`, `parameters.N`). */
export function whatsappProblems(w: WhatsappContent): Record<string, 'wa.nameInvalid' | 'wa.languageInvalid' | 'wa.parameterEmpty'> {
  const out: Record<string, 'wa.nameInvalid' | 'wa.languageInvalid' | 'wa.parameterEmpty'> = {};
  if (!NAME.test(w.name ?? '')) out.name = 'wa.nameInvalid';
  if (!LANGUAGE.test(w.language ?? '')) out.language = 'wa.languageInvalid';
  (w.parameters ?? []).forEach((p, i) => {
    if (p.trim() === '') out[`parameters.${i}`] = 'wa.parameterEmpty';
  });
  return out;
}

export function WhatsappFields({ value, onChange, issues, readOnly }: { value: WhatsappContent | null; onChange: (w: WhatsappContent | null) => void; issues: Issue[]; readOnly: boolean }) {
  const { t } = useI18n();
  const problems = value ? whatsappProblems(value) : {};
  const messageOf = (field: string) => (problems[field] ? t(problems[field]!) : issues.find((x) => x.path.endsWith(`whatsapp.${field}`))?.message);
  const a11y = (field: string) => ({ 'aria-invalid': messageOf(field) ? true : undefined, 'aria-describedby': messageOf(field) ? `wa-${field.replace('.', '-')}-error` : undefined });
  const error = (field: string) =>
    messageOf(field) ? (
      <span id={`wa-${field.replace('.', '-')}-error`} className="error small">
        {messageOf(field)}
      </span>
    ) : null;
  const params = value?.parameters ?? [];
  const setParams = (p: string[]) => onChange({ ...value, parameters: p });
  const header = value?.header;
  const setHeader = (type: HeaderType | '') => {
    const { header: _old, ...rest } = value ?? {};
    onChange(type === '' ? rest : { ...rest, header: type === 'text' ? { type, text: '' } : { type, link: '' } });
  };
  const buttons = value?.buttons ?? [];
  const setButtons = (b: { index: number; urlSuffix: string }[]) => {
    const { buttons: _old, ...rest } = value ?? {};
    onChange(b.length === 0 ? rest : { ...rest, buttons: b });
  };
  return (
    <fieldset className="wa-fields" data-testid="wa-fields">
      <legend>{t('wa.mode')}</legend>
      <label className="check">
        <input type="radio" name="wa-mode" checked={value !== null} disabled={readOnly} onChange={() => onChange({ name: '', language: 'en', parameters: [] })} /> {t('wa.mode.template')}
      </label>
      <label className="check">
        <input type="radio" name="wa-mode" checked={value === null} disabled={readOnly} onChange={() => onChange(null)} /> {t('wa.mode.text')}
      </label>
      {value && (
        <>
          <div className="row">
            <label>
              {t('wa.name')}
              <input dir="ltr" value={value.name ?? ''} disabled={readOnly} onChange={(e) => onChange({ ...value, name: e.target.value.trim() })} {...a11y('name')} />
            </label>
            {error('name')}
            <label>
              {t('wa.language')}
              <input dir="ltr" size={8} value={value.language ?? ''} disabled={readOnly} onChange={(e) => onChange({ ...value, language: e.target.value.trim() })} {...a11y('language')} />
            </label>
            {error('language')}
          </div>
          <h3>{t('wa.parameters')}</h3>
          <p className="muted small">{t('wa.parametersNote')}</p>
          <ol>
            {params.map((p, i) => (
              <li key={i}>
                <label>
                  {t('wa.parameter', { n: i + 1 })}
                  <input value={p} disabled={readOnly} maxLength={1024} onChange={(e) => setParams(params.map((q, j) => (j === i ? e.target.value : q)))} {...a11y(`parameters.${i}`)} />
                </label>
                {error(`parameters.${i}`)}
                {!readOnly && (
                  <button type="button" onClick={() => setParams(params.filter((_, j) => j !== i))}>
                    {t('wa.removeParameter', { n: i + 1 })}
                  </button>
                )}
              </li>
            ))}
          </ol>
          {!readOnly && (
            <button type="button" onClick={() => setParams([...params, ''])}>
              {t('wa.addParameter')}
            </button>
          )}
          <h3>{t('wa.header')}</h3>
          <div className="row">
            <label>
              {t('wa.headerType')}
              <select value={header?.type ?? ''} disabled={readOnly} onChange={(e) => setHeader(e.target.value as HeaderType | '')}>
                <option value="">{t('wa.headerNone')}</option>
                <option value="text">{t('wa.headerText')}</option>
                <option value="image">{t('wa.headerImage')}</option>
                <option value="video">{t('wa.headerVideo')}</option>
                <option value="document">{t('wa.headerDocument')}</option>
              </select>
            </label>
            {header?.type === 'text' && (
              <label>
                {t('wa.headerValue')}
                <input value={header.text} disabled={readOnly} maxLength={1024} onChange={(e) => onChange({ ...value, header: { type: 'text', text: e.target.value } })} {...a11y('header.text')} />
              </label>
            )}
            {header && header.type !== 'text' && (
              <label>
                {t('wa.headerLink')}
                <input
                  dir="ltr"
                  value={header.link}
                  disabled={readOnly}
                  placeholder="https://"
                  onChange={(e) => onChange({ ...value, header: { ...header, link: e.target.value } })}
                  {...a11y('header.link')}
                />
              </label>
            )}
            {error(header?.type === 'text' ? 'header.text' : 'header.link')}
          </div>
          <h3>{t('wa.buttons')}</h3>
          <p className="muted small">{t('wa.buttonsNote')}</p>
          <ol>
            {buttons.map((b, i) => (
              <li key={i} className="row">
                <label>
                  {t('wa.buttonIndex')}
                  <input
                    type="number"
                    min={0}
                    max={9}
                    value={b.index}
                    disabled={readOnly}
                    onChange={(e) => setButtons(buttons.map((c, j) => (j === i ? { ...c, index: Number(e.target.value) } : c)))}
                    {...a11y(`buttons.${i}.index`)}
                  />
                </label>
                <label>
                  {t('wa.buttonSuffix')}
                  <input
                    dir="ltr"
                    value={b.urlSuffix}
                    disabled={readOnly}
                    onChange={(e) => setButtons(buttons.map((c, j) => (j === i ? { ...c, urlSuffix: e.target.value } : c)))}
                    {...a11y(`buttons.${i}.urlSuffix`)}
                  />
                </label>
                {error(`buttons.${i}.index`)}
                {error(`buttons.${i}.urlSuffix`)}
                {!readOnly && (
                  <button type="button" onClick={() => setButtons(buttons.filter((_, j) => j !== i))}>
                    {t('wa.removeButton', { n: i + 1 })}
                  </button>
                )}
              </li>
            ))}
          </ol>
          {!readOnly && buttons.length < 10 && (
            <button type="button" onClick={() => setButtons([...buttons, { index: buttons.length, urlSuffix: '' }])}>
              {t('wa.addButton')}
            </button>
          )}
        </>
      )}
    </fieldset>
  );
}
