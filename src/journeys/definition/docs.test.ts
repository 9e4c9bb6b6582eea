import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, exampleText } from './examples.js';

describe('docs/journeys.md', () => {
  it('shows every example journey exactly as the tested file', () => {
    const docs = fs.readFileSync(path.resolve(EXAMPLES_DIR, '../../../../docs/journeys.md'), 'utf8');
    const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['abandoned-cart.yaml', 'browse-abandonment.yaml', 'welcome-series.yaml']);
    for (const f of files) expect(docs, f).toContain('```yaml\n' + exampleText(f) + '```');
  });
});
