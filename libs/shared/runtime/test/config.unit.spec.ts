import path from 'node:path';
import { ConfigError, loadConfig } from '../src';

describe('configuration', () => {
  it('defaults to embedded mode on port 8080 with ./.leakwatch', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, dataDir: path.resolve('.leakwatch'), logLevel: 'info' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kafkaBrokers).toBeUndefined();
  });

  it('reads the distributed-mode settings', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u:p@db:5432/leakwatch',
      EVENTSTORE_URL: 'kurrentdb://kurrentdb:2113?tls=false',
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
      INGEST_URL: 'http://ingest:8080',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://u:p@db:5432/leakwatch',
      eventStoreUrl: 'kurrentdb://kurrentdb:2113?tls=false',
      kafkaBrokers: ['kafka-1:9092', 'kafka-2:9092'],
      logLevel: 'debug',
      upstreams: { ingest: 'http://ingest:8080' },
    });
  });

  it('reads the Kafka client settings: real-Kafka defaults, test-broker and secured overrides', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'k:9092' }).kafka).toEqual({ sessionTimeoutMs: 30_000, maxWaitMs: 5_000, idempotent: true, ssl: false });
    const config = loadConfig({
      KAFKA_BROKERS: 'k:9092',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_MAX_WAIT_MS: '50',
      KAFKA_IDEMPOTENT: 'false',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'leakwatch',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(config.kafka).toEqual({
      sessionTimeoutMs: 6000,
      maxWaitMs: 50,
      idempotent: false,
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'leakwatch', password: 's3cret' },
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', KAFKA_BROKERS: '' })).toMatchObject({ port: 8080, kafkaBrokers: undefined });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ URL/],
    [{ KAFKA_BROKERS: 'kafka' }, /KAFKA_BROKERS must be host:port/],
    [{ EVENTSTORE_URL: 'http://x' }, /EVENTSTORE_URL/],
    [{ LEAKWATCH_ADMIN_KEY: 'short' }, /LEAKWATCH_ADMIN_KEY must be at least 24 characters/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ STATS_URL: 'stats' }, /STATS_URL/],
    [{ KAFKA_SESSION_TIMEOUT_MS: '5' }, /KAFKA_SESSION_TIMEOUT_MS/],
    [{ KAFKA_MAX_WAIT_MS: 'soon' }, /KAFKA_MAX_WAIT_MS/],
    [{ KAFKA_IDEMPOTENT: 'yes' }, /KAFKA_IDEMPOTENT must be true or false/],
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, /KAFKA_SASL_MECHANISM must be one of plain/],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/],
  ])('refuses %p naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('configuration: one validated schema for every setting', () => {
  it('lists EVERY bad variable at once, one line each, without echoing values', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ LEAKWATCH_INGEST_MAX_BYTES: 'abc', PORT: 'x', LEAKWATCH_DNS_SERVERS: 'a b', LEAKWATCH_DOMAIN_VERIFICATION_DAYS: '0', LEAKWATCH_LEAKID_KEY: 'c0ffee', KAFKA_SASL_MECHANISM: 'plain' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems).toEqual([
      'PORT must be a whole number from 0 to 65535',
      'LEAKWATCH_INGEST_MAX_BYTES must be a whole number from 1024 to 1099511627776',
      'LEAKWATCH_LEAKID_KEY must be at least 64 hex characters (32 bytes)',
      'LEAKWATCH_DOMAIN_VERIFICATION_DAYS must be a whole number from 1 to 3650',
      'LEAKWATCH_DNS_SERVERS must be host or host:port, comma-separated',
      'KAFKA_SASL_MECHANISM: needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    ]);
    expect(error?.message).not.toContain('c0ffee');
  });

  it.each(['abc', '12abc', '1.5', '-1', ''])('never silently drops the ingest cap: LEAKWATCH_INGEST_MAX_BYTES=%p', (value) => {
    if (value === '') return expect(loadConfig({ LEAKWATCH_INGEST_MAX_BYTES: value }).ingest.maxBytes).toBe(256 * 1024 * 1024);
    expect(() => loadConfig({ LEAKWATCH_INGEST_MAX_BYTES: value })).toThrow(/LEAKWATCH_INGEST_MAX_BYTES must be a whole number/);
  });

  it('reads the settings services used to read themselves: listen address, ingest limits, domain verification', () => {
    const config = loadConfig({
      HOST: '127.0.0.1', LEAKWATCH_INGEST_MAX_BYTES: '262144', LEAKWATCH_INGEST_MAX_RECORDS: '1000',
      LEAKWATCH_DNS_SERVERS: '127.0.0.1:5353, 10.0.0.2', LEAKWATCH_VERIFICATION_ALLOW_PRIVATE: 'true', LEAKWATCH_VERIFICATION_HTTP_PORT: '8081',
    });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      ingest: { maxBytes: 262144, maxRecords: 1000 },
      verification: { validDays: 30, dnsServers: ['127.0.0.1:5353', '10.0.0.2'], allowPrivateTargets: true, httpPort: 8081, dnsTimeoutMs: 3000, httpTimeoutMs: 5000 },
    });
  });

  it('shares all-stream reads by default (LEAKWATCH_SHARED_READ_BUFFER events per filter), 0 turns it off, nonsense is refused', () => {
    expect(loadConfig({}).sharedReadBuffer).toBe(5000);
    expect(loadConfig({ LEAKWATCH_SHARED_READ_BUFFER: '0' }).sharedReadBuffer).toBe(0);
    expect(loadConfig({ LEAKWATCH_SHARED_READ_BUFFER: '20000' }).sharedReadBuffer).toBe(20000);
    expect(() => loadConfig({ LEAKWATCH_SHARED_READ_BUFFER: 'lots' })).toThrow(/LEAKWATCH_SHARED_READ_BUFFER must be a whole number from 0 to 1000000/);
  });
});
