import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, guardedLookup, isPublicAddress, UrlRefused } from '../../src/webhooks/addressPolicy.js';

const https = { allowHttp: false, allowedHosts: [] as string[] };

describe('the webhook address policy', () => {
  it.each([
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::a9fe:a9fe',
    '2001:db8::1',
  ])('calls %s not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('calls %s public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('takes https only, unless http is allowed, and never credentials', () => {
    expect(() => checkWebhookUrl('http://93.184.215.14/h', https)).toThrow(UrlRefused);
    expect(checkWebhookUrl('http://93.184.215.14/h', { ...https, allowHttp: true }).host).toBe('93.184.215.14');
    expect(() => checkWebhookUrl('https://a:b@93.184.215.14/h', https)).toThrow(/credentials/);
    expect(() => checkWebhookUrl('not a url', https)).toThrow(/absolute URL/);
    expect(() => checkWebhookUrl('ftp://93.184.215.14/h', https)).toThrow(/https/);
  });

  it('refuses a literal private address unless its host is allowed', () => {
    expect(() => checkWebhookUrl('https://127.0.0.1:8443/h', https)).toThrow(/127\.0\.0\.1/);
    expect(checkWebhookUrl('https://127.0.0.1:8443/h', { ...https, allowedHosts: ['127.0.0.1'] }).port).toBe('8443');
  });

  it('refuses, when a socket connects, a name that resolves to a private address, whatever it resolved to before', async () => {
    const lookup = guardedLookup(https);
    const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (error) => resolve(error)),
    );
    expect(refused?.code).toBe('EADDRNOTPUBLIC');
    const allowed = guardedLookup({ ...https, allowedHosts: ['localhost'] });
    const address = await new Promise<string>((resolve, reject) =>
      allowed('localhost', {}, (error, a) => (error ? reject(error) : resolve(a as string))),
    );
    expect(['127.0.0.1', '::1']).toContain(address);
  });
});
