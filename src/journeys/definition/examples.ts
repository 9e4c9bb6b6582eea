/**
 * @module The example journeys shipped with the docs (./examples/*.yaml): tests apply them and check
 * that docs/journeys.md shows them as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSource } from './source.js';

export const EXAMPLES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'examples');

export function exampleText(file: string): string {
  return fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
}

/** The raw (unvalidated) document of an example file. */
export function loadExample(file: string): Record<string, unknown> {
  return parseSource(file, exampleText(file)).raw as Record<string, unknown>;
}

/** Template ids the examples use (tests inject these as existing). */
export const EXAMPLE_TEMPLATES = ['welcome-1', 'welcome-tips', 'welcome-customer', 'welcome-offer', 'cart-reminder', 'cart-last-nudge', 'browse-reminder'];
