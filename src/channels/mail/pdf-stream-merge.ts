/**
 * @module Merging piece PDFs into one print batch PDF without holding the batch in memory
 * (docs/mail.md "Sending"): pdf-lib's `PDFDocument` keeps every copied page, font and image of the
 * merged document until `save()`, so 10,000 letters held a few hundred MB at once. Here each piece
 * is loaded alone, its pages and what they use are copied into a fresh context whose object numbers
 * continue the file's, written out at once (`n 0 obj … endobj`), and forgotten; only the byte offset
 * of each object and the page references are kept (a few MB for 10,000 letters). The page tree
 * (object 1) and the catalog (object 2) are written last, then the cross-reference table.
 *
 * Fonts and images are not shared between pieces (each piece carries its own subsets, as it came
 * from the renderer), which is also what a print RIP expects of a merged variable-data file.
 */
import fs from 'node:fs';
import { PDFContext, PDFDict, PDFDocument, PDFName, PDFObjectCopier, PDFRef, type PDFObject } from 'pdf-lib';

const PAGES = PDFRef.of(1);
const CATALOG = PDFRef.of(2);
const encoder = new TextEncoder();

export interface MergeWriter {
  /** Appends a piece's pages; returns the 1-based page of the merged file where it starts and its page count. */
  add(pdf: Uint8Array): Promise<{ firstPage: number; pages: number }>;
  /** Appends `count` blank pages of `size` points (an erased piece keeps its place). */
  addBlank(count: number, size: [number, number]): { firstPage: number; pages: number };
  /** Writes the page tree, catalog and cross-reference table and closes the file. */
  finish(): { pages: number; bytes: number };
  /** Closes the file without finishing it (the caller removes it). */
  abort(): void;
}

export function mergeWriter(file: string): MergeWriter {
  const fd = fs.openSync(file, 'w');
  let position = 0;
  /** offsets[n] is where object n starts. */
  const offsets: number[] = [0, 0, 0];
  const pageRefs: string[] = [];
  let next = 3;

  const write = (bytes: Uint8Array) => {
    fs.writeSync(fd, bytes);
    position += bytes.length;
  };
  const writeText = (text: string) => write(encoder.encode(text));
  const writeObject = (n: number, body: Uint8Array | string) => {
    offsets[n] = position;
    writeText(`${n} 0 obj\n`);
    if (typeof body === 'string') writeText(body);
    else write(body);
    writeText('\nendobj\n');
  };
  const bytesOf = (obj: PDFObject) => {
    const out = new Uint8Array(obj.sizeInBytes());
    obj.copyBytesInto(out, 0);
    return out;
  };

  // A comment of bytes above 127 on line 2 tells transfer tools the file is binary (PDF 32000 7.5.2).
  writeText('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n');
  return {
    async add(pdf) {
      const src = await PDFDocument.load(pdf, { updateMetadata: false });
      const ctx = PDFContext.create();
      ctx.largestObjectNumber = next - 1;
      const copier = PDFObjectCopier.for(src.context, ctx);
      const firstPage = pageRefs.length + 1;
      for (const page of src.getPages()) {
        const node = copier.copy(page.node) as PDFDict;
        node.set(PDFName.of('Parent'), PAGES);
        pageRefs.push(`${ctx.register(node).objectNumber} 0 R`);
      }
      const objects = ctx.enumerateIndirectObjects().sort((a, b) => a[0].objectNumber - b[0].objectNumber);
      for (const [ref, obj] of objects) writeObject(ref.objectNumber, bytesOf(obj));
      next = ctx.largestObjectNumber + 1;
      return { firstPage, pages: src.getPageCount() };
    },
    addBlank(count, [w, h]) {
      const firstPage = pageRefs.length + 1;
      for (let i = 0; i < count; i++) {
        const n = next++;
        writeObject(n, `<< /Type /Page /Parent 1 0 R /MediaBox [0 0 ${w} ${h}] /Resources << >> >>`);
        pageRefs.push(`${n} 0 R`);
      }
      return { firstPage, pages: count };
    },
    finish() {
      writeObject(PAGES.objectNumber, `<< /Type /Pages /Count ${pageRefs.length} /Kids [${pageRefs.join(' ')}] >>`);
      writeObject(CATALOG.objectNumber, '<< /Type /Catalog /Pages 1 0 R >>');
      const xref = position;
      const lines = [`xref\n0 ${next}\n`, '0000000000 65535 f \n'];
      for (let n = 1; n < next; n++) lines.push(offsets[n] === undefined ? '0000000000 00000 f \n' : `${String(offsets[n]).padStart(10, '0')} 00000 n \n`);
      writeText(lines.join(''));
      writeText(`trailer\n<< /Size ${next} /Root 2 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
      fs.closeSync(fd);
      return { pages: pageRefs.length, bytes: position };
    },
    abort() {
      fs.closeSync(fd);
    },
  };
}
