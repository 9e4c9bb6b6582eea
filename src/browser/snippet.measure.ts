/**
 * @module How big the website snippet is on the wire, and that it is ES2017:
 *   node --import tsx src/browser/snippet.measure.ts
 * Prints the bytes of src/browser/snippet.js as written and as served gzipped (what /js/qatra.js
 * sends), and minified (esbuild, which vite brings along) and then gzipped, the figure to compare
 * with other trackers. ES2017: printing it for `es2017` and for `esnext` gives the same text, so
 * esbuild had nothing newer than ES2017 to rewrite (no `?.`, `??`, object spread, catch without a
 * binding…); exits 1 otherwise.
 */
import { gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import { loadSnippet } from './snippet-file.js';

const snippet = loadSnippet();
const source = snippet.source.toString('utf8');
const printed = (target: string) => transformSync(source, { target, loader: 'js' }).code;
const es2017 = transformSync(source, { minify: true, target: 'es2017', loader: 'js' }).code;
const minGz = gzipSync(es2017, { level: 9 }).length;
console.log(`source ${snippet.source.length} B, served gzipped ${snippet.gzipped.length} B, minified ${es2017.length} B, minified+gzipped ${minGz} B`);
if (printed('es2017') !== printed('esnext')) {
  console.error('snippet.js uses syntax newer than ES2017: esbuild rewrote it for es2017');
  process.exit(1);
}
console.log('ES2017: yes (nothing to rewrite for an es2017 target)');
