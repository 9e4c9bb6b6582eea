import { describe, expect, it } from 'vitest';
import { isBotUserAgent, markBots } from './bots.js';
import type { Call } from './call.js';

const BOTS = {
  Googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Googlebot smartphone':
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  bingbot: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36',
  AhrefsBot: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  facebookexternalhit: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  HeadlessChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
  curl: 'curl/8.5.0',
  wget: 'Wget/1.21.4',
  'python-requests': 'python-requests/2.31.0',
  YandexBot: 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
  GPTBot: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
  Slackbot: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'a generic crawler': 'SomeNewCrawler/0.1 (+https://example.net/crawler)',
};

const PEOPLE = {
  'Chrome on Windows': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Safari on iPhone': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Firefox on Linux': 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Edge on Windows': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  'Samsung Internet': 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  'a Cubot phone (the word ends in "bot")': 'Mozilla/5.0 (Linux; Android 10; Cubot X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  'Instagram in-app browser': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 334.0.4.32.98',
};

describe('bot user agents', () => {
  it.each(Object.entries(BOTS))('%s is a bot', (_name, ua) => expect(isBotUserAgent(ua)).toBe(true));
  it.each(Object.entries(PEOPLE))('%s is a person', (_name, ua) => expect(isBotUserAgent(ua)).toBe(false));

  it('no user agent (server libraries send none) is not a bot; nor is a non-string', () => {
    expect(isBotUserAgent(undefined)).toBe(false);
    expect(isBotUserAgent('')).toBe(false);
    expect(isBotUserAgent({ ua: 'Googlebot' })).toBe(false);
  });

  it('HeadlessChrome is a visitor only when the operator allows it; crawlers stay bots', () => {
    expect(isBotUserAgent(BOTS.HeadlessChrome, { allowHeadless: true })).toBe(false);
    expect(isBotUserAgent(BOTS.Googlebot, { allowHeadless: true })).toBe(true);
  });

  it('a hostile user agent (100 KB of near-matches) costs a bounded test', () => {
    const ua = 'Mozilla/5.0 '.repeat(10_000);
    const t0 = performance.now();
    expect(isBotUserAgent(ua)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('markBots marks only the crawlers and returns the same array when there are none', () => {
    const call = (ua: string): Call => ({
      type: 'page',
      messageId: ua,
      userId: 'u',
      anonymousId: null,
      previousId: null,
      traits: null,
      name: 'page',
      properties: {},
      context: { userAgent: ua },
      timestamp: 0,
      receivedAt: 0,
    });
    const people = [call(PEOPLE['Chrome on Windows'])];
    expect(markBots(people)).toBe(people);
    expect(markBots([call(BOTS.curl), ...people]).map((c) => c.bot === true)).toEqual([true, false]);
  });
});
