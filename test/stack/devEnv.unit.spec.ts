import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { devEnv } from '../../src/stack/devEnv.js';

const stack = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/hunt_matcher_dev',
  kafkaBrokers: ['127.0.0.1:9092'],
  gatewayUrl: 'http://127.0.0.1:4000',
};

describe('npm run dev', () => {
  it('listens on the loopback address only, since it prints its tokens', () => {
    expect(loadConfig(devEnv({}, stack)).host).toBe('127.0.0.1');
  });

  it('listens where HOST says when it is set', () => {
    expect(loadConfig(devEnv({ HOST: '0.0.0.0' }, stack)).host).toBe('0.0.0.0');
  });

  it("reads Lobstr's stand-in when it runs one, and the real API with the key the caller gives", () => {
    const standIn = loadConfig(devEnv({}, { ...stack, lobstrUrl: 'http://127.0.0.1:4100' })).lobstr;
    expect(standIn).toMatchObject({ apiUrl: 'http://127.0.0.1:4100', apiKey: 'dev-lobstr-key' });
    const real = loadConfig(devEnv({ LOBSTR_API_KEY: 'key-of-mine' }, stack)).lobstr;
    expect(real).toMatchObject({ apiUrl: 'https://api.lobstr.io', apiKey: 'key-of-mine' });
  });
});
