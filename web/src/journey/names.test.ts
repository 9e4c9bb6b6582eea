import { describe, expect, it } from 'vitest';
import { messages } from '../messages';
import { autoName, problemText, slugFor, stepLabel } from './names';

const t = (key: string, vars: Record<string, string | number> = {}) => {
  let s = (messages.en as Record<string, string>)[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
};

describe('names instead of ids', () => {
  it('a step is labelled by its name, else by its kind and template name', () => {
    const names = { 'welcome-1': 'Welcome email' };
    expect(autoName({ id: 'message-2', type: 'message', channel: 'email', template: 'welcome-1' }, names, t)).toBe('Send: Welcome email');
    expect(stepLabel({ id: 'message-2', type: 'message', channel: 'email', template: '' }, names, t)).toBe('Message');
    expect(stepLabel({ id: 'exit-2', type: 'exit', name: 'Done' }, names, t)).toBe('Done');
  });

  it('a journey id is a unique slug of its name', () => {
    expect(slugFor('Welcome series!', new Set())).toBe('welcome-series');
    expect(slugFor('Welcome series', new Set(['welcome-series', 'welcome-series-2']))).toBe('welcome-series-3');
    expect(slugFor('سلسلة الترحيب', new Set(['journey']))).toBe('journey-2');
    expect(slugFor('x'.repeat(200), new Set())).toHaveLength(56);
  });

  it('a validator message names the step by its label, in words', () => {
    const label = (id: string) => (id === 'message-2' ? 'Send: Welcome email' : null);
    expect(problemText('nodes[4] (id "message-2"): output "next" has no edge (add {from: message-2, output: next, to: …})', label, t)).toBe(
      '“Send: Welcome email” is not connected to a next step (output “next”).',
    );
    expect(problemText('nodes[4] (id "message-2"): not reachable from start "a"', label, t)).toBe('No step leads to “Send: Welcome email”.');
    expect(problemText('start "x" is not the id of a node', label, t)).toBe('start "x" is not the id of a node');
  });
});
