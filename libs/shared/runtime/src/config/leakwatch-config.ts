/**
 * The one typed, validated place for process configuration. Every setting is an environment variable
 * (documented in the README's configuration table); an invalid value stops start-up with a message naming it.
 */
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import path from 'node:path';
import { defaultSecretsKeyFile, isInside, SECRETS_KEY_LIST, SecretsKeySettings } from './secrets-keyring';

export const SERVICE_NAMES = ['gateway', 'ingest', 'leak-lifecycle', 'access-control', 'stats'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const URL_OPTIONS = { require_tld: false, require_protocol: true };

export class LeakwatchEnvironment {
  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional() @IsString() @MinLength(1)
  LEAKWATCH_DATA_DIR?: string;

  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional() @Matches(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\//, {
    message: 'EVENTSTORE_URL must be a kurrentdb:// or esdb:// connection string',
  })
  EVENTSTORE_URL?: string;

  @IsOptional() @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS?: string;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(1_000) @Max(300_000)
  KAFKA_SESSION_TIMEOUT_MS?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(10) @Max(60_000)
  KAFKA_MAX_WAIT_MS?: number;

  @IsOptional() @IsIn(['true', 'false'], { message: 'KAFKA_IDEMPOTENT must be true or false' })
  KAFKA_IDEMPOTENT?: string;

  @IsOptional() @IsIn(['true', 'false'], { message: 'KAFKA_SSL must be true or false' })
  KAFKA_SSL?: string;

  @IsOptional() @IsIn(KAFKA_SASL_MECHANISMS, { message: `KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` })
  KAFKA_SASL_MECHANISM?: (typeof KAFKA_SASL_MECHANISMS)[number];

  @IsOptional() @IsString() KAFKA_SASL_USERNAME?: string;
  @IsOptional() @IsString() KAFKA_SASL_PASSWORD?: string;

  @IsOptional() @IsString() @MinLength(24, { message: 'LEAKWATCH_ADMIN_KEY must be at least 24 characters' })
  LEAKWATCH_ADMIN_KEY?: string;

  @IsOptional() @IsIn(LOG_LEVELS)
  LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  @IsOptional() @Matches(SECRETS_KEY_LIST, { message: 'LEAKWATCH_SECRETS_KEY must be [<id>:]<64 hex characters>, comma-separated, the current key first' })
  LEAKWATCH_SECRETS_KEY?: string;

  @IsOptional() @IsString() @MinLength(1)
  LEAKWATCH_SECRETS_KEY_FILE?: string;

  @IsOptional() @Matches(/^[0-9a-fA-F:.]+(\/\d{1,3})?(,[0-9a-fA-F:.]+(\/\d{1,3})?)*$/, {
    message: 'LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES must be IPs or CIDRs, comma-separated (e.g. 127.0.0.1,10.1.0.0/16)',
  })
  LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES?: string;

  @IsOptional() @IsIn(['true', 'false'], { message: 'LEAKWATCH_NOTIFY_ALLOW_HTTP must be true or false' })
  LEAKWATCH_NOTIFY_ALLOW_HTTP?: string;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(10) @Max(3_600_000)
  LEAKWATCH_NOTIFY_RETRY_BASE_MS?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(1) @Max(30)
  LEAKWATCH_NOTIFY_MAX_ATTEMPTS?: number;

  @IsOptional() @IsUrl(URL_OPTIONS) INGEST_URL?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) LEAK_LIFECYCLE_URL?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) ACCESS_CONTROL_URL?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) STATS_URL?: string;
}

export interface LeakwatchConfig {
  port: number;
  /** Embedded mode keeps PostgreSQL here when no DATABASE_URL is given. */
  dataDir: string;
  databaseUrl?: string;
  eventStoreUrl?: string;
  kafkaBrokers?: string[];
  /** Kafka client settings beyond the brokers (distributed mode). */
  kafka: KafkaSettings;
  adminKey?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Keys encrypting stored secrets: `LEAKWATCH_SECRETS_KEY`, else a key file outside the data directory (see secrets-keyring.ts). */
  secrets: SecretsKeySettings;
  /** Outbound webhooks: SSRF exceptions (IPs/CIDRs), plain http allowed (tests), retry schedule. */
  notifications: { allowedAddresses: string[]; allowInsecureHttp: boolean; retryBaseMs: number; maxAttempts: number };
  /** Gateway upstreams in distributed mode; absent services are served in-process. */
  upstreams: Partial<Record<Exclude<ServiceName, 'gateway'>, string>>;
}

export interface KafkaSettings {
  /** Consumer group session timeout: how long a crashed member holds its partitions (kafkajs default 30 s). */
  sessionTimeoutMs: number;
  /** Longest a fetch waits on the broker for new messages. Kafka answers as soon as data arrives; the test broker only at the end of the wait. */
  maxWaitMs: number;
  /** Idempotent producer: no duplicates from producer retries. Real Kafka: on; librdkafka's mock cluster: off. */
  idempotent: boolean;
  ssl: boolean;
  sasl?: { mechanism: (typeof KAFKA_SASL_MECHANISMS)[number]; username: string; password: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LeakwatchConfig {
  const raw = plainToInstance(LeakwatchEnvironment, pickKnown(env));
  const errors = validateSync(raw, { whitelist: true });
  if (errors.length) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `  - ${e.property}: ${m}`));
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (raw.KAFKA_SASL_MECHANISM && (raw.KAFKA_SASL_USERNAME === undefined || raw.KAFKA_SASL_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration:\n  - KAFKA_SASL_MECHANISM: needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  const dataDir = path.resolve(raw.LEAKWATCH_DATA_DIR ?? '.leakwatch');
  const keyFile = path.resolve(raw.LEAKWATCH_SECRETS_KEY_FILE ?? defaultSecretsKeyFile(dataDir));
  // A key kept in the data directory would be copied, backed up and stolen with the secrets it protects.
  if (isInside(keyFile, dataDir)) throw new ConfigError(`Invalid configuration:\n  - LEAKWATCH_SECRETS_KEY_FILE: must be outside LEAKWATCH_DATA_DIR (${dataDir})`);
  return {
    port: raw.PORT ?? 8080,
    dataDir,
    databaseUrl: raw.DATABASE_URL,
    eventStoreUrl: raw.EVENTSTORE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS?.split(','),
    kafka: {
      sessionTimeoutMs: raw.KAFKA_SESSION_TIMEOUT_MS ?? 30_000,
      maxWaitMs: raw.KAFKA_MAX_WAIT_MS ?? 5_000,
      idempotent: raw.KAFKA_IDEMPOTENT !== 'false',
      ssl: raw.KAFKA_SSL === 'true',
      ...(raw.KAFKA_SASL_MECHANISM
        ? { sasl: { mechanism: raw.KAFKA_SASL_MECHANISM, username: raw.KAFKA_SASL_USERNAME ?? '', password: raw.KAFKA_SASL_PASSWORD ?? '' } }
        : {}),
    },
    adminKey: raw.LEAKWATCH_ADMIN_KEY,
    logLevel: raw.LOG_LEVEL ?? 'info',
    secrets: { keys: raw.LEAKWATCH_SECRETS_KEY, keyFile },
    notifications: {
      allowedAddresses: raw.LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES?.split(',') ?? [],
      allowInsecureHttp: raw.LEAKWATCH_NOTIFY_ALLOW_HTTP === 'true',
      retryBaseMs: raw.LEAKWATCH_NOTIFY_RETRY_BASE_MS ?? 10_000,
      maxAttempts: raw.LEAKWATCH_NOTIFY_MAX_ATTEMPTS ?? 10,
    },
    upstreams: {
      ingest: raw.INGEST_URL,
      'leak-lifecycle': raw.LEAK_LIFECYCLE_URL,
      'access-control': raw.ACCESS_CONTROL_URL,
      stats: raw.STATS_URL,
    },
  };
}

function pickKnown(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(KNOWN_KEYS.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k] as string]));
}

/** Empty values count as unset, so `PORT= npm start` behaves like no PORT. */
const KNOWN_KEYS = [
  'PORT', 'LEAKWATCH_DATA_DIR', 'DATABASE_URL', 'EVENTSTORE_URL', 'KAFKA_BROKERS', 'LEAKWATCH_ADMIN_KEY', 'LOG_LEVEL',
  'KAFKA_SESSION_TIMEOUT_MS', 'KAFKA_MAX_WAIT_MS', 'KAFKA_IDEMPOTENT', 'KAFKA_SSL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD',
  'LEAKWATCH_SECRETS_KEY', 'LEAKWATCH_SECRETS_KEY_FILE',
  'LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES', 'LEAKWATCH_NOTIFY_ALLOW_HTTP', 'LEAKWATCH_NOTIFY_RETRY_BASE_MS', 'LEAKWATCH_NOTIFY_MAX_ATTEMPTS',
  'INGEST_URL', 'LEAK_LIFECYCLE_URL', 'ACCESS_CONTROL_URL', 'STATS_URL',
];
