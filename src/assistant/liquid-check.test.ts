import { describe, expect, it } from 'vitest';
import { compareLiquid, liquidVariables } from './liquid-check.js';

describe('checking that a suggestion kept the template’s Liquid', () => {
  it('finds the variables of outputs, filters’ arguments and tags, without partials', async () => {
    const v = await liquidVariables('{% if contact.vip %}Hi {{ contact.first_name | default: event.name }}{% endif %} {% render "footer" %}');
    expect(v.variables).toEqual(['contact.first_name', 'contact.vip', 'event.name']);
    expect((await liquidVariables('Hello {{ contact.first_name ')).variables).toBeNull();
  });

  it('a translation must keep exactly the variables; a variant may drop one but never add one', async () => {
    const vars = { allowed: ['contact.first_name', 'event.code'], expected: ['contact.first_name'] };
    expect(await compareLiquid(vars, 'سلام {{ contact.first_name }}', true)).toMatchObject({ usable: true, issues: [] });
    // A model that translated the tag keyword breaks the template.
    expect(await compareLiquid(vars, '{% اگر contact.vip %}سلام{% endif %}', true)).toMatchObject({ usable: false });
    expect(await compareLiquid(vars, 'سلام', true)).toMatchObject({ usable: false, issues: ['leaves out {{ contact.first_name }}'] });
    expect(await compareLiquid(vars, 'Your code {{ event.code }}', false)).toMatchObject({ usable: true, issues: ['leaves out {{ contact.first_name }}'] });
    expect(await compareLiquid(vars, 'Hi {{ contact.last_name }}', false)).toMatchObject({ usable: false });
  });
});
