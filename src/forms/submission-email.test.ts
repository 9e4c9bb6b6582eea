import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import type { Form } from './forms.js';
import { validateSubmission } from './signup.js';

const form = { fields: [], consentText: null } as unknown as Form;

describe("a signup form submission's email", () => {
  it.each(['victim@example.net,attacker', 'Victim<victim@example.net>', 'victim@example.net\r\nBcc: other@example.net', 'victim@localhost'])('%j is refused at the email field', (email) => {
    let thrown: unknown;
    try {
      validateSubmission(form, { email });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues).toEqual([{ path: 'email', message: 'Please enter a valid email address.' }]);
  });

  it('is stored as one normalised mailbox', () => {
    expect(validateSubmission(form, { email: ' Anna@Müller.DE ' }).email).toBe('anna@xn--mller-kva.de');
  });
});
