/**
 * @module The published JSON Schema of a journey document (docs/journey.schema.json), generated from
 * the zod schema so the two cannot drift: `npm run gen:schema` writes it, a test checks it is current.
 * It describes what an author writes (fields with defaults are optional), for editors and CI.
 */
import { z } from 'zod';
import { JourneyDocument } from './schema.js';

export const JOURNEY_SCHEMA_ID = 'https://qatra.dev/schemas/journey.schema.json';

export function journeyJsonSchema(): Record<string, unknown> {
  // The one recursive schema, Condition, carries its own id (schema.ts), so zod puts it in $defs under that name.
  const { $schema, ...rest } = z.toJSONSchema(JourneyDocument, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema,
    $id: JOURNEY_SCHEMA_ID,
    title: 'Qatra journey',
    description: 'A journey (drip campaign): a graph of nodes a contact walks through. See docs/journeys.md.',
    ...rest,
  };
}

/** The file's text: stable two-space JSON with a final newline. */
export function journeyJsonSchemaText(): string {
  return `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`;
}
