/** The fields of a segment's visits or sessions row (./visits.ts): pattern, at least N, in the last D days. */
import { useI18n } from '../i18n';
import { withCount, withUrl, type VisitLeaf } from './visits';

export function VisitFields({ leaf, onChange }: { leaf: VisitLeaf; onChange(next: VisitLeaf): void }) {
  const { t } = useI18n();
  return (
    <>
      {leaf.type === 'visits' && (
        <input aria-label={t('segments.url')} dir="ltr" placeholder="/products/*" title={t('segments.urlHint')} value={leaf.url ?? ''} onChange={(e) => onChange(withUrl(leaf, e.target.value))} />
      )}
      <label>
        {t('segments.atLeast')} <input type="number" min={1} step={1} value={String(leaf.atLeast)} onChange={(e) => onChange(withCount(leaf, 'atLeast', e.target.value))} />{' '}
        {leaf.type === 'visits' ? t('segments.times') : t('segments.sessionsUnit')}
      </label>
      <label>
        {t('segments.withinDays')} <input type="number" min={1} step={1} value={String(leaf.withinDays)} onChange={(e) => onChange(withCount(leaf, 'withinDays', e.target.value))} />
      </label>
    </>
  );
}
