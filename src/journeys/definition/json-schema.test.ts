import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// ajv is fastify's JSON Schema validator (already installed through it); here it checks that the
// published schema really accepts and rejects documents as the zod schema does.
import Ajv2020 from 'ajv/dist/2020.js';
import { journeyJsonSchema, journeyJsonSchemaText } from './json-schema.js';
import { loadExample } from './examples.js';

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/journey.schema.json');

describe('published journey JSON Schema', () => {
  it('docs/journey.schema.json equals the schema generated from zod (run npm run gen:schema)', () => {
    expect(fs.readFileSync(FILE, 'utf8')).toBe(journeyJsonSchemaText());
  });

  it('accepts the examples and rejects an unknown node type and a bad duration', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    const check = ajv.compile(journeyJsonSchema());
    for (const file of ['welcome-series.yaml', 'abandoned-cart.yaml', 'browse-abandonment.yaml']) expect(check(loadExample(file)), JSON.stringify(check.errors)).toBe(true);
    const bad = loadExample('abandoned-cart.yaml') as { nodes: Array<Record<string, unknown>> };
    bad.nodes[0]!.timeout = '4 hours';
    expect(check(bad)).toBe(false);
    bad.nodes[0]!.timeout = '4h';
    bad.nodes[1]!.type = 'teleport';
    expect(check(bad)).toBe(false);
  });
});
