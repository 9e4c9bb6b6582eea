import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../core/errors.js';
import { readCandidates } from './answer.js';

describe('reading a model answer into suggestions', () => {
  it('reads the JSON asked for, a fenced block, a bare list and numbered lines alike', () => {
    expect(readCandidates('{"suggestions": ["a", "b"]}', ['subject'], 'subject')).toEqual([{ subject: 'a' }, { subject: 'b' }]);
    expect(readCandidates('Sure!\n```json\n["a"]\n```', ['subject'], 'subject')).toEqual([{ subject: 'a' }]);
    expect(readCandidates('1. "First"\n2) Second\n- Third', ['subject'], 'subject')).toEqual([{ subject: 'First' }, { subject: 'Second' }, { subject: 'Third' }]);
  });

  it('keeps only the string fields asked for from objects', () => {
    expect(readCandidates('{"suggestions": [{"subject": "s", "body": "b", "evil": "x", "preheader": 3}]}', ['subject', 'preheader', 'body'], 'subject')).toEqual([{ subject: 's', body: 'b' }]);
    expect(readCandidates('{"subject": "s", "body": "b"}', ['subject', 'body'], 'subject')).toEqual([{ subject: 's', body: 'b' }]);
  });

  it('an answer with nothing readable is a bad answer, not an empty list', () => {
    expect(() => readCandidates('   ', ['subject'], 'subject')).toThrow(UpstreamError);
    expect(() => readCandidates('{"suggestions": [1, 2]}', ['subject', 'body'], 'subject')).toThrow(/no suggestions/);
  });
});
