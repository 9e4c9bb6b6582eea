/**
 * @module Whether a suggestion kept the template's Liquid: it must still parse with LiquidJS (the
 * same sandboxed engine templates use, src/templates/engine.ts) and use the same variables as the
 * text it was made from. A model that renames `{{ contact.first_name }}` to `{{ first_name }}`, or
 * translates it, would send every contact a blank; such suggestions are flagged, never offered as
 * usable.
 *
 * Partials are not followed (the check needs none of the workspace's templates): `{% render 'x' %}`
 * counts as a tag, and the partial is the same one either way.
 */
import { createLiquid } from '../templates/engine.js';

export interface LiquidCheck {
  /** Variable paths such as `contact.first_name`, sorted, without duplicates; null when it does not parse. */
  variables: string[] | null;
  /** The parse error, when there is one. */
  error?: string;
}

const engine = () => createLiquid({});

/** The variables a Liquid text uses, or why it does not parse. */
export async function liquidVariables(source: string): Promise<LiquidCheck> {
  const liquid = engine();
  try {
    const parsed = liquid.parse(source);
    const analysis = await liquid.analyze(parsed, { partials: false });
    const paths = new Set<string>();
    for (const uses of Object.values(analysis.globals)) for (const v of uses) paths.add(String(v));
    return { variables: [...paths].sort() };
  } catch (err) {
    return { variables: null, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

export interface Comparison {
  /** Parses and uses no variable the source does not. */
  usable: boolean;
  /** Why it is not usable, or what it left out (a variant may drop a variable; a translation may not). */
  issues: string[];
  variables: string[];
}

/**
 * Compares a suggestion's Liquid with its source's. `allowed`: every variable the template uses (a
 * subject variant may greet by the first name the body uses); `expected`: the variables of the field
 * the suggestion replaces. `sameSet` (translations): it must use exactly `expected`; otherwise it may
 * leave some out (a shorter subject line, said in `issues`) but never use one outside `allowed`.
 */
export async function compareLiquid(vars: { allowed: string[]; expected: string[] }, suggestion: string, sameSet: boolean): Promise<Comparison> {
  const checked = await liquidVariables(suggestion);
  if (checked.variables === null) return { usable: false, issues: [`does not parse as Liquid: ${checked.error}`], variables: [] };
  const used = checked.variables;
  const issues: string[] = [];
  const added = used.filter((v) => !(sameSet ? vars.expected : vars.allowed).includes(v));
  const missing = vars.expected.filter((v) => !used.includes(v));
  if (added.length) issues.push(`uses variables the template does not: ${added.map((v) => `{{ ${v} }}`).join(', ')}`);
  if (missing.length) issues.push(`leaves out ${missing.map((v) => `{{ ${v} }}`).join(', ')}`);
  return { usable: added.length === 0 && (!sameSet || missing.length === 0), issues, variables: used };
}
