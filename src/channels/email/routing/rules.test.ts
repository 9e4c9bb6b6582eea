import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { checkRules, route, routingRuleSchema, type RoutingRule } from './rules.js';

const rules = (...r: unknown[]): RoutingRule[] => r.map((x) => routingRuleSchema.parse(x));
const order = ['primary', 'backup', 'gmail'];

describe('routing rules', () => {
  it('route transactional mail by kind, and Gmail recipients (exact and *. suffix) by domain; the rest goes in list order', () => {
    const r = rules({ kind: 'transactional', providers: [{ id: 'backup' }] }, { domains: ['gmail.com', 'googlemail.com', '*.example.org'], providers: [{ id: 'gmail' }, { id: 'primary' }] });
    expect(route(order, r, { kind: 'transactional', domain: 'gmail.com', messageId: 'm1' })).toEqual(['backup']);
    expect(route(order, r, { kind: 'marketing', domain: 'gmail.com', messageId: 'm1' })).toEqual(['gmail', 'primary']);
    expect(route(order, r, { kind: 'marketing', domain: 'googlemail.com', messageId: 'm1' })).toEqual(['gmail', 'primary']);
    expect(route(order, r, { kind: 'marketing', domain: 'mx.example.org', messageId: 'm1' })).toEqual(['gmail', 'primary']);
    expect(route(order, r, { kind: 'marketing', domain: 'example.org', messageId: 'm1' })).toEqual(['primary', 'backup', 'gmail']);
    expect(route(order, r, { kind: 'marketing', domain: 'notgmail.com', messageId: 'm1' })).toEqual(['primary', 'backup', 'gmail']);
  });

  it('split 80/20 by weight, the same provider for the same message every time, the other one next for failover', () => {
    const r = rules({
      providers: [
        { id: 'backup', weight: 20 },
        { id: 'primary', weight: 80 },
      ],
    });
    let primary = 0;
    for (let i = 0; i < 2000; i++) {
      const input = { kind: 'marketing' as const, domain: 'example.com', messageId: `msg_${i}` };
      const picked = route(order, r, input);
      expect(route(order, r, input)).toEqual(picked);
      expect([...picked].sort()).toEqual(['backup', 'primary']);
      if (picked[0] === 'primary') primary++;
    }
    expect(primary / 2000).toBeGreaterThan(0.76);
    expect(primary / 2000).toBeLessThan(0.84);
  });

  it('a weight of 0 is a standby: never first, tried on failover', () => {
    const r = rules({
      providers: [
        { id: 'backup', weight: 0 },
        { id: 'primary', weight: 1 },
      ],
    });
    for (let i = 0; i < 200; i++) expect(route(order, r, { kind: 'marketing', domain: 'a.com', messageId: `m${i}` })).toEqual(['primary', 'backup']);
  });

  it('refuse rules that route nowhere, with the field path and the reason', () => {
    const refused = (r: RoutingRule[]) => {
      try {
        checkRules(order, r);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).issues;
      }
      throw new Error('accepted');
    };
    expect(refused(rules({ kind: 'transactional', domains: ['gmail.com'], providers: [] }))).toEqual([
      { path: 'body.rules.0.providers', message: 'routes nowhere: transactional mail to gmail.com would have no provider' },
    ]);
    expect(refused(rules({ kind: 'marketing', providers: [{ id: 'gmail' }] }, { providers: [{ id: 'primary', weight: 0 }] }))).toEqual([
      { path: 'body.rules.1.providers', message: 'routes nowhere: every weight of the rule for mail is 0' },
    ]);
    expect(refused(rules({ providers: [{ id: 'nope' }] }))).toEqual([{ path: 'body.rules.0.providers.0.id', message: 'no provider "nope" in the list' }]);
    expect(refused(rules({ providers: [{ id: 'primary' }, { id: 'primary' }] }))[0]!.path).toBe('body.rules.0.providers.1.id');
    expect(() => checkRules(order, rules({ kind: 'marketing', providers: [{ id: 'gmail' }] }))).not.toThrow();
  });
});
