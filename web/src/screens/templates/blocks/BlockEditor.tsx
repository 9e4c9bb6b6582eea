/**
 * The block editor of an MJML email: sections of one or more columns holding text, image, button,
 * spacer and divider blocks (./model.ts). Every change is written back as MJML through `onChange`,
 * so saving, the preview and the code view all see the same source. Text is edited in the locale's
 * direction (`dir`, `lang`); URLs stay left to right.
 */
import type { ReactNode } from 'react';
import { useI18n } from '../../../i18n';
import type { MessageKey } from '../../../messages';
import { BLOCK_TYPES, newBlock, newSection, serialiseMjml, type Attrs, type Block, type BlockDoc, type BlockType } from './model';

export function BlockEditor({ doc, onChange, dir, lang, disabled }: { doc: BlockDoc; onChange(mjml: string, doc: BlockDoc): void; dir: 'ltr' | 'rtl'; lang: string; disabled: boolean }) {
  const { t } = useI18n();
  const commit = (next: BlockDoc) => onChange(serialiseMjml(next), next);
  const edit = (s: number, c: number, f: (blocks: Block[]) => Block[]) =>
    commit({
      ...doc,
      sections: doc.sections.map((sec, si) => (si !== s ? sec : { ...sec, columns: sec.columns.map((col, ci) => (ci !== c ? col : { ...col, blocks: f(col.blocks) })) })),
    });
  const move = <T,>(list: T[], i: number, by: number) => {
    const j = i + by;
    if (j < 0 || j >= list.length) return list;
    const next = [...list];
    [next[i], next[j]] = [next[j]!, next[i]!];
    return next;
  };
  return (
    <div className="block-editor" data-testid="block-editor">
      {doc.sections.map((section, s) => (
        <fieldset key={s} className="card block-section">
          <legend>{t('tpl.blocks.section', { n: s + 1 })}</legend>
          <div className="block-columns">
            {section.columns.map((column, c) => (
              <fieldset key={c} className="block-column">
                <legend className="small">{t('tpl.blocks.column', { n: c + 1 })}</legend>
                {column.blocks.map((block, b) => (
                  <div key={b} className="block" data-block={block.type}>
                    <div className="row small">
                      <strong>{t(`tpl.blocks.type.${block.type}` as MessageKey)}</strong>
                      <span className="spacer" />
                      <button type="button" disabled={disabled || b === 0} onClick={() => edit(s, c, (l) => move(l, b, -1))}>
                        {t('tpl.blocks.up')}
                      </button>
                      <button type="button" disabled={disabled || b === column.blocks.length - 1} onClick={() => edit(s, c, (l) => move(l, b, 1))}>
                        {t('tpl.blocks.down')}
                      </button>
                      <button type="button" className="danger" disabled={disabled} onClick={() => edit(s, c, (l) => l.filter((_, i) => i !== b))}>
                        {t('tpl.blocks.remove')}
                      </button>
                    </div>
                    <BlockFields block={block} dir={dir} lang={lang} disabled={disabled} onChange={(nb) => edit(s, c, (l) => l.map((x, i) => (i === b ? nb : x)))} />
                  </div>
                ))}
                {!disabled && (
                  <label className="small">
                    {t('tpl.blocks.add')}
                    <select
                      value=""
                      onChange={(e) => {
                        if (e.target.value) edit(s, c, (l) => [...l, newBlock(e.target.value as BlockType)]);
                      }}
                    >
                      <option value="">{t('tpl.blocks.type')}</option>
                      {BLOCK_TYPES.map((type) => (
                        <option key={type} value={type}>
                          {t(`tpl.blocks.type.${type}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </fieldset>
            ))}
          </div>
          {!disabled && (
            <div className="row">
              <button type="button" disabled={s === 0} onClick={() => commit({ ...doc, sections: move(doc.sections, s, -1) })}>
                {t('tpl.blocks.up')}
              </button>
              <button type="button" disabled={s === doc.sections.length - 1} onClick={() => commit({ ...doc, sections: move(doc.sections, s, 1) })}>
                {t('tpl.blocks.down')}
              </button>
              <button type="button" className="danger" onClick={() => commit({ ...doc, sections: doc.sections.filter((_, i) => i !== s) })}>
                {t('tpl.blocks.removeSection')}
              </button>
            </div>
          )}
        </fieldset>
      ))}
      {!disabled && (
        <div className="row">
          <button type="button" onClick={() => commit({ ...doc, sections: [...doc.sections, newSection(1)] })}>
            {t('tpl.blocks.addSection')}
          </button>
          <button type="button" onClick={() => commit({ ...doc, sections: [...doc.sections, newSection(2)] })}>
            {t('tpl.blocks.addColumns')}
          </button>
        </div>
      )}
    </div>
  );
}

function BlockFields({ block, onChange, dir, lang, disabled }: { block: Block; onChange(b: Block): void; dir: 'ltr' | 'rtl'; lang: string; disabled: boolean }) {
  const { t } = useI18n();
  const attr = (name: string, label: MessageKey, ltr = true): ReactNode => (
    <label className="small">
      {t(label)}
      <input
        type="text"
        data-merge-target=""
        dir={ltr ? 'ltr' : dir}
        lang={ltr ? undefined : lang}
        disabled={disabled}
        value={block.attrs[name] ?? ''}
        onChange={(e) => {
          const attrs: Attrs = { ...block.attrs };
          if (e.target.value === '') delete attrs[name];
          else attrs[name] = e.target.value;
          onChange({ ...block, attrs } as Block);
        }}
      />
    </label>
  );
  switch (block.type) {
    case 'text':
      return (
        <label className="small">
          {t('tpl.blocks.text')}
          <textarea data-merge-target="" dir={dir} lang={lang} rows={3} disabled={disabled} value={block.html} onChange={(e) => onChange({ ...block, html: e.target.value })} />
        </label>
      );
    case 'button':
      return (
        <>
          <label className="small">
            {t('tpl.blocks.label')}
            <input type="text" data-merge-target="" dir={dir} lang={lang} disabled={disabled} value={block.label} onChange={(e) => onChange({ ...block, label: e.target.value })} />
          </label>
          {attr('href', 'tpl.blocks.href')}
        </>
      );
    case 'image':
      return (
        <>
          {attr('src', 'tpl.blocks.src')}
          {attr('alt', 'tpl.blocks.alt', false)}
          {attr('href', 'tpl.blocks.href')}
        </>
      );
    case 'spacer':
      return attr('height', 'tpl.blocks.height');
    case 'divider':
      return null;
    default: {
      const never: never = block;
      return never;
    }
  }
}
