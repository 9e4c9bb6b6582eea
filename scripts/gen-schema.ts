/**
 * Writes docs/journey.schema.json from the journey document's zod schema. Run: npm run gen:schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { journeyJsonSchemaText } from '../src/journeys/definition/json-schema.js';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/journey.schema.json');
fs.writeFileSync(target, journeyJsonSchemaText());
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
