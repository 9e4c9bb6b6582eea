/**
 * The live counter under an SMS text: encoding, units used and left in the current segment,
 * segments against the workspace's maximum, and why a text is Unicode (./counter.ts).
 */
import { useI18n } from '../i18n';
import { countSms, usedInSegment } from './counter';

export function SmsCounter({ text, replaceTypographic, maxSegments }: { text: string; replaceTypographic: boolean; maxSegments: number }) {
  const { t, num } = useI18n();
  const c = countSms(text, { replaceTypographic });
  const over = c.segments > maxSegments;
  const quote = (chars: string[]) => chars.map((ch) => `«${ch === '\f' ? '\\f' : ch}»`).join(' ');
  return (
    <div className="sms-counter" data-testid="sms-counter" data-encoding={c.encoding} data-segments={c.segments} aria-live="polite">
      <p>
        <span className="badge" data-testid="sms-encoding">
          {c.encoding === 'gsm7' ? t('sms.gsm7') : t('sms.ucs2')}
        </span>{' '}
        <span data-testid="sms-segments" className={over ? 'error' : undefined}>
          {t('sms.segments', { n: c.segments })} · {num(usedInSegment(c))}/{num(c.perSegment)}
        </span>{' '}
        <span className="muted">
          · {t('sms.left', { n: c.remaining })} · {t('sms.maxSegments', { n: maxSegments })}
        </span>
      </p>
      {over && (
        <p className="error" role="alert">
          {t('sms.tooLong', { n: c.segments, max: maxSegments })}
        </p>
      )}
      {c.unicodeChars.length > 0 && c.unicodeChars.length <= 3 && (
        <p className="warn" data-testid="sms-unicode-warning">
          ⚠ {t(c.unicodeChars.length === 1 ? 'sms.forcesUcs2.one' : 'sms.forcesUcs2', { chars: quote(c.unicodeChars) })}
        </p>
      )}
      {c.extensionChars.length > 0 && (
        <p className="muted" data-testid="sms-extension-warning">
          {t('sms.extension', { chars: quote(c.extensionChars) })}
        </p>
      )}
      {c.typographicWouldHelp && c.replaced && (
        <p className="muted" data-testid="sms-typographic-hint">
          💡 {t('sms.typographicHint', { n: c.replaced.segments })}
        </p>
      )}
    </div>
  );
}
