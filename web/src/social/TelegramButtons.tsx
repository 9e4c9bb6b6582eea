/**
 * The buttons of a Telegram template (`content.buttons`: url buttons under the message, one per
 * row, at most 8; Liquid allowed in both fields): add, remove, move up, each field checked as it is
 * typed (text required; a link that starts with http(s):// or with Liquid) and the server's issues
 * for `buttons.N.*` shown at their field.
 */
import { useI18n } from '../i18n';
import type { Issue } from '../api';

export interface TelegramButton {
  text: string;
  url: string;
}

export const MAX_BUTTONS = 8;
/** http(s):// and something, or a link that Liquid writes (checked again once rendered, at send time). */
const URL_OK = /^(https?:\/\/\S|\{\{|\{%)/i;

/** The problem of one button field, or null (the same rules the server applies before Liquid). */
export function buttonProblem(b: TelegramButton, field: 'text' | 'url'): 'tg.textRequired' | 'tg.urlInvalid' | null {
  if (field === 'text') return b.text.trim() === '' ? 'tg.textRequired' : null;
  return URL_OK.test(b.url.trim()) ? null : 'tg.urlInvalid';
}

export function TelegramButtons({ buttons, onChange, issues, readOnly }: { buttons: TelegramButton[]; onChange: (b: TelegramButton[]) => void; issues: Issue[]; readOnly: boolean }) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<TelegramButton>) => onChange(buttons.map((b, j) => (j === i ? { ...b, ...patch } : b)));
  const serverIssue = (i: number, field: string) => issues.find((x) => x.path.endsWith(`buttons.${i}.${field}`))?.message;
  return (
    <fieldset className="tg-buttons" data-testid="tg-buttons">
      <legend>{t('tg.buttons')}</legend>
      <p className="muted small">{t('tg.buttonsNote')}</p>
      <ol>
        {buttons.map((b, i) => {
          const n = i + 1;
          const textError = buttonProblem(b, 'text');
          const urlError = buttonProblem(b, 'url');
          const textMessage = textError ? t(textError) : serverIssue(i, 'text');
          const urlMessage = urlError ? t(urlError) : serverIssue(i, 'url');
          return (
            <li key={i} className="row" aria-label={t('tg.button', { n })}>
              <label>
                {t('tg.buttonText', { n })}
                <input
                  value={b.text}
                  disabled={readOnly}
                  maxLength={200}
                  aria-invalid={textMessage ? true : undefined}
                  aria-describedby={textMessage ? `tg-b${i}-text-error` : undefined}
                  onChange={(e) => set(i, { text: e.target.value })}
                />
              </label>
              {textMessage && (
                <span id={`tg-b${i}-text-error`} className="error small">
                  {textMessage}
                </span>
              )}
              <label>
                {t('tg.buttonUrl', { n })}
                <input
                  type="text"
                  inputMode="url"
                  dir="ltr"
                  value={b.url}
                  disabled={readOnly}
                  maxLength={2000}
                  aria-invalid={urlMessage ? true : undefined}
                  aria-describedby={urlMessage ? `tg-b${i}-url-error` : undefined}
                  onChange={(e) => set(i, { url: e.target.value })}
                />
              </label>
              {urlMessage && (
                <span id={`tg-b${i}-url-error`} className="error small">
                  {urlMessage}
                </span>
              )}
              {!readOnly && i > 0 && (
                <button type="button" onClick={() => onChange([...buttons.slice(0, i - 1), b, buttons[i - 1]!, ...buttons.slice(i + 1)])}>
                  {t('tg.moveUp', { n })}
                </button>
              )}
              {!readOnly && (
                <button type="button" onClick={() => onChange(buttons.filter((_, j) => j !== i))}>
                  {t('tg.removeButton', { n })}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      {!readOnly &&
        (buttons.length < MAX_BUTTONS ? (
          <button type="button" onClick={() => onChange([...buttons, { text: '', url: 'https://' }])}>
            {t('tg.addButton')}
          </button>
        ) : (
          <p className="muted small">{t('tg.tooMany')}</p>
        ))}
    </fieldset>
  );
}
