import { ConfigError, loadConfig } from '../src';

describe('notification settings', () => {
  it('default: https only, public addresses only, retries from 10 s, 10 attempts', () => {
    expect(loadConfig({}).notifications).toEqual({ allowedAddresses: [], allowInsecureHttp: false, retryBaseMs: 10_000, maxAttempts: 10 });
  });

  it('reads exceptions, plain http and the retry schedule', () => {
    const config = loadConfig({ LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES: '127.0.0.1,10.1.0.0/16', LEAKWATCH_NOTIFY_ALLOW_HTTP: 'true', LEAKWATCH_NOTIFY_RETRY_BASE_MS: '200', LEAKWATCH_NOTIFY_MAX_ATTEMPTS: '3' });
    expect(config.notifications).toEqual({ allowedAddresses: ['127.0.0.1', '10.1.0.0/16'], allowInsecureHttp: true, retryBaseMs: 200, maxAttempts: 3 });
  });

  it.each([
    [{ LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES: 'localhost' }, /LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES must be IPs or CIDRs/],
    [{ LEAKWATCH_NOTIFY_ALLOW_HTTP: 'yes' }, /LEAKWATCH_NOTIFY_ALLOW_HTTP must be true or false/],
    [{ LEAKWATCH_NOTIFY_RETRY_BASE_MS: '1' }, /LEAKWATCH_NOTIFY_RETRY_BASE_MS/],
    [{ LEAKWATCH_NOTIFY_MAX_ATTEMPTS: '0' }, /LEAKWATCH_NOTIFY_MAX_ATTEMPTS/],
  ])('refuses %p naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
