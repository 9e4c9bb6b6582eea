import { describe, expect, it } from 'vitest';
import { STEP_CHANNELS, TEMPLATE_CHANNELS, templateIdsFor, templatesFor } from './channels';

describe('the channel lists of the web app', () => {
  it('offers an SMS message step or broadcast only SMS templates, and an email one only email templates', () => {
    const templates = [{ id: 'welcome', channel: 'email' }, { id: 'otp', channel: 'sms' }, { id: 'legacy' }];
    expect(templatesFor(templates, 'sms').map((x) => x.id)).toEqual(['otp']);
    expect(templatesFor(templates, 'email').map((x) => x.id)).toEqual(['welcome', 'legacy']);
    const channels = { welcome: 'email', otp: 'sms' };
    expect(templateIdsFor(['welcome', 'otp', 'legacy'], channels, 'sms')).toEqual(['otp']);
    expect(templateIdsFor(['welcome', 'otp', 'legacy'], channels, 'email')).toEqual(['welcome', 'legacy']);
    expect(templateIdsFor(['welcome', 'otp'], channels, 'webhook')).toEqual([]);
  });

  it('lists SMS among template channels and webhook only among step channels', () => {
    expect(TEMPLATE_CHANNELS).toEqual(['email', 'sms']);
    expect(STEP_CHANNELS).toEqual(['email', 'sms', 'webhook']);
  });
});
