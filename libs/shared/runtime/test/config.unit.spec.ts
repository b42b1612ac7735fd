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
