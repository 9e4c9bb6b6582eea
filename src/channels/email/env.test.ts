import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { parseEmailEnv } from './env.js';

describe('process-wide email defaults from the environment', () => {
  it('without QATRA_SMTP_URL mail goes to the outbox', () => {
    expect(parseEmailEnv({}).settings).toMatchObject({ provider: 'outbox', from: { address: 'qatra@localhost.localdomain', name: 'Qatra' } });
  });

  it('parses an SMTP URL with credentials (secrets kept apart) and a From mailbox', () => {
    const r = parseEmailEnv({ QATRA_SMTP_URL: 'smtps://us%40er:p%3Ass@mail.example.com?maxConnections=3', QATRA_EMAIL_FROM: 'Shop <shop@example.com>' });
    expect(r.settings).toMatchObject({
      provider: 'smtp',
      from: { name: 'Shop', address: 'shop@example.com' },
      smtp: { host: 'mail.example.com', port: 465, secure: true, user: 'us@er', maxConnections: 3 },
    });
    expect(r.secrets).toEqual({ password: 'p:ss' });
    expect(JSON.stringify(r.settings)).not.toContain('p:ss');
  });

  it('names the variable when a value is wrong', () => {
    expect(() => parseEmailEnv({ QATRA_SMTP_URL: 'http://x' })).toThrow(ValidationError);
    let caught: unknown;
    try {
      parseEmailEnv({ QATRA_SMTP_URL: 'smtp://x', QATRA_EMAIL_FROM: 'nope' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues[0]!.path).toBe('QATRA_EMAIL_FROM');
  });
});
