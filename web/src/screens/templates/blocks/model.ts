/**
 * The block model of an MJML email, for the block editor (./BlockEditor.tsx): sections of columns
 * of blocks (text, image, button, spacer, divider). `parseMjml` reads MJML into blocks when every
 * part of it is one the editor shows, and otherwise says which part is not (the editor then keeps
 * the code editor: nothing is dropped); `serialiseMjml` writes blocks back as MJML. Attributes are
 * kept as written, a text block's content (HTML with Liquid) verbatim, `<mj-head>` verbatim, so
 * `parseMjml(serialiseMjml(doc))` is `doc` and the serialised MJML compiles to the same HTML as the
 * MJML it was read from (blocks.test.ts).
 */

export type Attrs = Record<string, string>;

export type Block =
  | { type: 'text'; attrs: Attrs; html: string }
  | { type: 'button'; attrs: Attrs; label: string }
  | { type: 'image'; attrs: Attrs }
  | { type: 'spacer'; attrs: Attrs }
  | { type: 'divider'; attrs: Attrs };

export type BlockType = Block['type'];
export const BLOCK_TYPES: readonly BlockType[] = ['text', 'image', 'button', 'spacer', 'divider'];

export interface Column {
  attrs: Attrs;
  blocks: Block[];
}

export interface Section {
  attrs: Attrs;
  columns: Column[];
}

export interface BlockDoc {
  mjmlAttrs: Attrs;
  /** `<mj-head>…</mj-head>` as written ('' when none): styles and fonts, not edited as blocks. */
  head: string;
  bodyAttrs: Attrs;
  sections: Section[];
}

export type Parsed = { ok: true; doc: BlockDoc } | { ok: false; reason: string; line: number };

/** Tags whose content is HTML kept verbatim. */
const CONTENT_TAGS: Record<string, 'text' | 'button'> = { 'mj-text': 'text', 'mj-button': 'button' };
const EMPTY_TAGS: Record<string, 'image' | 'spacer' | 'divider'> = { 'mj-image': 'image', 'mj-spacer': 'spacer', 'mj-divider': 'divider' };

class Unrepresentable extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(reason);
  }
}

/** A cursor over the source: tags, attributes and whitespace between them. */
class Reader {
  i = 0;
  constructor(readonly src: string) {}
  line(at = this.i): number {
    return this.src.slice(0, at).split('\n').length;
  }
  skipSpace(): void {
    while (this.i < this.src.length && /\s/.test(this.src[this.i]!)) this.i++;
  }
  fail(reason: string, at = this.i): never {
    throw new Unrepresentable(reason, at);
  }
  /** The next opening tag (after whitespace): its name, attributes and whether it closed itself. */
  open(): { name: string; attrs: Attrs; selfClosing: boolean; at: number } {
    this.skipSpace();
    const at = this.i;
    if (this.src.startsWith('<!--', at)) this.fail('a comment', at);
    const m = /^<([a-zA-Z][\w-]*)/.exec(this.src.slice(at));
    if (!m) this.fail(this.src[at] === '<' ? 'markup the block editor does not know' : 'text outside a block', at);
    this.i = at + m[0].length;
    const attrs: Attrs = {};
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith('/>', this.i)) {
        this.i += 2;
        return { name: m[1]!, attrs, selfClosing: true, at };
      }
      if (this.src[this.i] === '>') {
        this.i++;
        return { name: m[1]!, attrs, selfClosing: false, at };
      }
      const a = /^([a-zA-Z][\w:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(this.src.slice(this.i));
      if (!a) this.fail(`an attribute of <${m[1]}> written in a way the block editor does not read`);
      if (a[1]! in attrs) this.fail(`<${m[1]}> sets ${a[1]} twice`);
      attrs[a[1]!] = a[3] ?? a[4]!;
      this.i += a[0].length;
    }
  }
  /** Whether a closing tag `</name>` comes next (after whitespace); consumes it if so. */
  close(name: string): boolean {
    this.skipSpace();
    const m = new RegExp(`^</${name}\\s*>`).exec(this.src.slice(this.i));
    if (!m) return false;
    this.i += m[0].length;
    return true;
  }
  /** The raw content up to `</name>` (no nesting of the same tag), consuming the closing tag. */
  rawUntil(name: string): string {
    const end = this.src.indexOf(`</${name}>`, this.i);
    if (end < 0) this.fail(`<${name}> is not closed`);
    const raw = this.src.slice(this.i, end);
    this.i = end + name.length + 3;
    return raw;
  }
}

function readBlock(r: Reader, tag: ReturnType<Reader['open']>): Block {
  const content = CONTENT_TAGS[tag.name];
  if (content) {
    if (tag.selfClosing) r.fail(`an empty <${tag.name} />`, tag.at);
    const inner = r.rawUntil(tag.name);
    return content === 'text' ? { type: 'text', attrs: tag.attrs, html: inner } : { type: 'button', attrs: tag.attrs, label: inner };
  }
  const empty = EMPTY_TAGS[tag.name];
  if (empty) {
    if (!tag.selfClosing) {
      const inner = r.rawUntil(tag.name);
      if (inner.trim() !== '') r.fail(`content inside <${tag.name}>`, tag.at);
    }
    return { type: empty, attrs: tag.attrs };
  }
  return r.fail(`<${tag.name}>`, tag.at);
}

function readChildren<T>(r: Reader, parent: string, child: string, read: (tag: ReturnType<Reader['open']>) => T): T[] {
  const out: T[] = [];
  while (!r.close(parent)) {
    if (r.i >= r.src.length) r.fail(`<${parent}> is not closed`);
    const tag = r.open();
    if (tag.name !== child && !(child === '*block' && (tag.name in CONTENT_TAGS || tag.name in EMPTY_TAGS))) r.fail(`<${tag.name}> inside <${parent}>`, tag.at);
    out.push(read(tag));
  }
  return out;
}

export function parseMjml(source: string): Parsed {
  const r = new Reader(source);
  try {
    const root = r.open();
    if (root.name !== 'mjml' || root.selfClosing) r.fail('a document that does not start with <mjml>', root.at);
    r.skipSpace();
    let head = '';
    if (source.startsWith('<mj-head', r.i)) {
      const start = r.i;
      const end = source.indexOf('</mj-head>', start);
      if (end < 0) r.fail('<mj-head> is not closed');
      r.i = end + '</mj-head>'.length;
      head = source.slice(start, r.i);
    }
    const body = r.open();
    if (body.name !== 'mj-body' || body.selfClosing) r.fail(`<${body.name}> where <mj-body> should be`, body.at);
    const sections = readChildren(r, 'mj-body', 'mj-section', (s) => {
      if (s.selfClosing) return { attrs: s.attrs, columns: [] };
      const columns = readChildren(r, 'mj-section', 'mj-column', (c) => ({ attrs: c.attrs, blocks: c.selfClosing ? [] : readChildren(r, 'mj-column', '*block', (b) => readBlock(r, b)) }));
      return { attrs: s.attrs, columns };
    });
    if (!r.close('mjml')) r.fail('more after </mj-body>');
    r.skipSpace();
    if (r.i < source.length) r.fail('more after </mjml>');
    return { ok: true, doc: { mjmlAttrs: root.attrs, head, bodyAttrs: body.attrs, sections } };
  } catch (err) {
    if (err instanceof Unrepresentable) return { ok: false, reason: err.reason, line: r.line(err.at) };
    throw err;
  }
}

const attrText = (attrs: Attrs) =>
  Object.entries(attrs)
    .map(([k, v]) => (v.includes('"') ? ` ${k}='${v}'` : ` ${k}="${v}"`))
    .join('');

function blockMjml(b: Block, pad: string): string {
  switch (b.type) {
    case 'text':
      return `${pad}<mj-text${attrText(b.attrs)}>${b.html}</mj-text>`;
    case 'button':
      return `${pad}<mj-button${attrText(b.attrs)}>${b.label}</mj-button>`;
    case 'image':
    case 'spacer':
    case 'divider':
      return `${pad}<mj-${b.type}${attrText(b.attrs)} />`;
    default: {
      const never: never = b;
      return never;
    }
  }
}

export function serialiseMjml(doc: BlockDoc): string {
  const lines = [`<mjml${attrText(doc.mjmlAttrs)}>`];
  if (doc.head) lines.push(`  ${doc.head}`);
  lines.push(`  <mj-body${attrText(doc.bodyAttrs)}>`);
  for (const s of doc.sections) {
    lines.push(`    <mj-section${attrText(s.attrs)}>`);
    for (const c of s.columns) {
      lines.push(`      <mj-column${attrText(c.attrs)}>`);
      for (const b of c.blocks) lines.push(blockMjml(b, '        '));
      lines.push('      </mj-column>');
    }
    lines.push('    </mj-section>');
  }
  lines.push('  </mj-body>', '</mjml>');
  return lines.join('\n');
}

/** A new block of a kind, with what it needs to show something. */
export function newBlock(type: BlockType): Block {
  switch (type) {
    case 'text':
      return { type, attrs: {}, html: 'Text' };
    case 'button':
      return { type, attrs: { href: 'https://example.com' }, label: 'Button' };
    case 'image':
      return { type, attrs: { src: 'https://example.com/image.png', alt: '' } };
    case 'spacer':
      return { type, attrs: { height: '20px' } };
    case 'divider':
      return { type, attrs: {} };
    default: {
      const never: never = type;
      return never;
    }
  }
}

export function newSection(columns: number): Section {
  return { attrs: {}, columns: Array.from({ length: columns }, () => ({ attrs: {}, blocks: [newBlock('text')] })) };
}
