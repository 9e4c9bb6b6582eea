import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../../../core/errors.js';
import { awsSnsTrust, snsMessageOf, snsStringToSign, topicRegion } from './sns.js';
import { mailgunBaseUrl } from '../mailgun/mailgun.js';
import { sesBaseUrl } from './ses.js';

const base = {
  Type: 'Notification',
  MessageId: 'm-1',
  TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
  Message: 'hello\nworld',
  Timestamp: '2026-01-05T12:00:00.000Z',
  SignatureVersion: '2',
  Signature: 'AAAA',
  SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem',
};

describe('SNS messages', () => {
  it('the string to sign lists the fields in the documented order, Subject only when present (null counts as absent)', () => {
    expect(snsStringToSign(snsMessageOf({ ...base, Subject: 'Hi' }))).toBe(
      'Message\nhello\nworld\nMessageId\nm-1\nSubject\nHi\nTimestamp\n2026-01-05T12:00:00.000Z\nTopicArn\narn:aws:sns:eu-west-1:123456789012:t\nType\nNotification\n',
    );
    expect(snsStringToSign(snsMessageOf({ ...base, Subject: null }))).not.toContain('Subject');
    const confirmation = snsMessageOf({ ...base, Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription', Token: 'tok' });
    expect(snsStringToSign(confirmation)).toBe(
      'Message\nhello\nworld\nMessageId\nm-1\nSubscribeURL\nhttps://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription\nTimestamp\n2026-01-05T12:00:00.000Z\nToken\ntok\nTopicArn\narn:aws:sns:eu-west-1:123456789012:t\nType\nSubscriptionConfirmation\n',
    );
  });

  it('a body without the signed fields, or with a non-string one, is refused as unsigned', () => {
    expect(() => snsMessageOf({ ...base, Signature: undefined })).toThrow(ForbiddenError);
    expect(() => snsMessageOf({ ...base, Subject: 42 })).toThrow(ForbiddenError);
    expect(() => snsMessageOf([])).toThrow(ForbiddenError);
  });

  it('only https certificates on the topic region’s SNS host are trusted', () => {
    const ok = (url: string, region = 'eu-west-1') => awsSnsTrust.allowed(new URL(url), region);
    expect(ok('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem')).toBe(true);
    expect(ok('https://sns.cn-north-1.amazonaws.com.cn/x.pem', 'cn-north-1')).toBe(true);
    expect(ok('http://sns.eu-west-1.amazonaws.com/x.pem')).toBe(false);
    expect(ok('https://sns.us-east-1.amazonaws.com/x.pem')).toBe(false);
    expect(ok('https://sns.eu-west-1.amazonaws.com.evil.example/x.pem')).toBe(false);
    expect(ok('https://sns.eu-west-1.amazonaws.com:8443/x.pem')).toBe(false);
    expect(ok('https://user@sns.eu-west-1.amazonaws.com/x.pem')).toBe(false);
    expect(topicRegion('arn:aws:sns:eu-west-1:123456789012:t')).toBe('eu-west-1');
    expect(topicRegion('arn:aws:sns:eu-west-1:123:t')).toBeNull();
  });

  it('regions choose the public endpoints (SES per region, Mailgun US or EU), baseUrl overrides them', () => {
    expect(sesBaseUrl('eu-west-1')).toBe('https://email.eu-west-1.amazonaws.com');
    expect(mailgunBaseUrl({ region: 'eu' })).toBe('https://api.eu.mailgun.net');
    expect(mailgunBaseUrl({ region: 'us' })).toBe('https://api.mailgun.net');
    expect(mailgunBaseUrl({ region: 'eu', baseUrl: 'http://127.0.0.1:1' })).toBe('http://127.0.0.1:1');
  });
});
