import { describe, expect, it } from 'vitest';
import { twilioSignature, validTwilioSignature } from './signature.js';

// Twilio's published example (docs "Webhooks security", and the test vectors of its libraries).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('X-Twilio-Signature', () => {
  it("reproduces Twilio's published example signature, whatever the order of the parameters", () => {
    expect(twilioSignature(URL_, PARAMS, TOKEN)).toBe(SIGNATURE);
    const reordered = { To: PARAMS.To, Digits: PARAMS.Digits, From: PARAMS.From, CallSid: PARAMS.CallSid, Caller: PARAMS.Caller };
    expect(validTwilioSignature(URL_, reordered, TOKEN, SIGNATURE)).toBe(true);
  });

  it("signs a parameter sent more than once with each distinct value, sorted (the libraries' published vector)", () => {
    const params = { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] };
    expect(twilioSignature(URL_, params, TOKEN)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('accepts the signature of the URL with the default port written out, or without it', () => {
    const withPort = twilioSignature('https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS, TOKEN);
    expect(withPort).not.toBe(SIGNATURE);
    expect(validTwilioSignature(URL_, PARAMS, TOKEN, withPort)).toBe(true);
    expect(validTwilioSignature('https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS, TOKEN, SIGNATURE)).toBe(true);
    // A non-default port is part of the URL: signed without it, it does not match.
    const port8443 = twilioSignature('https://mycompany.com:8443/myapp.php?foo=1&bar=2', PARAMS, TOKEN);
    expect(validTwilioSignature('https://mycompany.com:8443/myapp.php?foo=1&bar=2', PARAMS, TOKEN, port8443)).toBe(true);
    expect(validTwilioSignature(URL_, PARAMS, TOKEN, port8443)).toBe(false);
  });

  it('works for http URLs with port 80 and IPv6 hosts', () => {
    const signed = twilioSignature('http://[::1]:80/hooks?x=1', PARAMS, TOKEN);
    expect(validTwilioSignature('http://[::1]/hooks?x=1', PARAMS, TOKEN, signed)).toBe(true);
  });

  it('refuses a changed value, an extra or missing parameter, another URL or token, and an empty or missing signature', () => {
    expect(validTwilioSignature(URL_, { ...PARAMS, Digits: '9999' }, TOKEN, SIGNATURE)).toBe(false);
    expect(validTwilioSignature(URL_, { ...PARAMS, Extra: '' }, TOKEN, SIGNATURE)).toBe(false);
    const { Digits: _dropped, ...missing } = PARAMS;
    expect(validTwilioSignature(URL_, missing, TOKEN, SIGNATURE)).toBe(false);
    expect(validTwilioSignature(`${URL_}&x=1`, PARAMS, TOKEN, SIGNATURE)).toBe(false);
    expect(validTwilioSignature('http://mycompany.com/myapp.php?foo=1&bar=2', PARAMS, TOKEN, SIGNATURE)).toBe(false);
    expect(validTwilioSignature(URL_, PARAMS, '54321', SIGNATURE)).toBe(false);
    expect(validTwilioSignature(URL_, PARAMS, TOKEN, '')).toBe(false);
    expect(validTwilioSignature(URL_, PARAMS, TOKEN, undefined)).toBe(false);
    expect(validTwilioSignature(URL_, PARAMS, TOKEN, 'invalid 王')).toBe(false);
    expect(validTwilioSignature(URL_, PARAMS, '', twilioSignature(URL_, PARAMS, ''))).toBe(false);
  });
});
