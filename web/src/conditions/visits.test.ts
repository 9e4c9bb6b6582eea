import { describe, expect, it } from 'vitest';
// The server's own parser: what the segment editor writes must be what the API accepts, and its
// messages must land on the row's fields. (A test only; the app talks to the server over HTTP.)
import { parseConditions } from '../../../src/segments/definition.js';
import { ValidationError } from '../../../src/core/errors.js';
import { blankVisit, withCount, withUrl, VISIT_TYPES } from './visits';

const issues = (c: unknown) => {
  try {
    parseConditions(c);
    return [];
  } catch (err) {
    return (err as ValidationError).issues.map((i) => i.path);
  }
};

describe('segment visit rows', () => {
  it('a new row of each type is a valid segment as it is', () => {
    for (const type of VISIT_TYPES) expect(issues({ all: [blankVisit(type)] }), type).toEqual([]);
  });

  it('an emptied pattern means any page; a pattern without / is named at its field', () => {
    const row = blankVisit('visits');
    if (row.type !== 'visits') throw new Error('visits');
    expect(withUrl(row, '  ')).not.toHaveProperty('url');
    expect(issues({ all: [withUrl(row, '')] })).toEqual([]);
    expect(issues({ all: [withUrl(row, 'pricing')] })).toEqual(['conditions.all.0.url']);
  });

  it('counts typed as text become whole numbers; nonsense reaches the server, which names the field', () => {
    const row = blankVisit('sessions');
    expect(withCount(row, 'atLeast', '4')).toMatchObject({ atLeast: 4 });
    expect(issues({ any: [withCount(row, 'withinDays', 'soon')] })).toEqual(['conditions.any.0.withinDays']);
    expect(issues({ any: [withCount(row, 'atLeast', '0')] })).toEqual(['conditions.any.0.atLeast']);
  });
});
