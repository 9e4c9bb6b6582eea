import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';

describe('configuration', () => {
  it('reads QATRA_METRICS_TOKEN and QATRA_METRICS_PORT; both off by default; a bad port names the variable', () => {
    expect(parseConfig({})).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
    expect(parseConfig({ QATRA_METRICS_TOKEN: 'abc', QATRA_METRICS_PORT: '9464' })).toMatchObject({ metricsToken: 'abc', metricsPort: 9464 });
    expect(() => parseConfig({ QATRA_METRICS_PORT: 'nine' })).toThrow(/QATRA_METRICS_PORT/);
  });
});
