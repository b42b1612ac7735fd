/**
 * The one typed, validated place for process configuration. Every setting is an environment variable
 * (documented in the README's configuration table); an invalid value stops start-up with a message naming it.
 */
import { plainToInstance, Transform } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsIn, IsOptional, IsString, IsUrl, Matches, MinLength, ValidateBy, buildMessage, validateSync } from 'class-validator';
import path from 'node:path';
import { defaultSecretsKeyFile, isInside, SECRETS_KEY_LIST, SecretsKeySettings } from './secrets-keyring';

export const SERVICE_NAMES = ['gateway', 'ingest', 'leak-lifecycle', 'access-control', 'stats', 'notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const URL_OPTIONS = { require_tld: false, require_protocol: true };

/** An optional whole number in [min, max], with one message naming the range (`abc` is not silently NaN). */
function IntSetting(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Transform(({ value }) => (value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value).trim()) ? Number(value) : Number.NaN)),
    ValidateBy({
      name: 'intSetting',
      validator: {
        validate: (value) => Number.isSafeInteger(value) && value >= min && value <= max,
        defaultMessage: buildMessage(() => `$property must be a whole number from ${min} to ${max}`),
      },
    }),
  );
}

export class LeakwatchEnvironment {
  @IntSetting(0, 65535)
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

  @IntSetting(1_000, 300_000)
  KAFKA_SESSION_TIMEOUT_MS?: number;

  @IntSetting(10, 60_000)
  KAFKA_MAX_WAIT_MS?: number;

  @IsOptional() @IsIn(['true', 'false'], { message: 'KAFKA_IDEMPOTENT must be true or false' })
  KAFKA_IDEMPOTENT?: string;

  @IsOptional() @IsIn(['true', 'false'], { message: 'KAFKA_SSL must be true or false' })
  KAFKA_SSL?: string;

  @IsOptional() @IsString() LEAKWATCH_INSTANCE_ID?: string;

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

  @IntSetting(10, 3_600_000)
  LEAKWATCH_NOTIFY_RETRY_BASE_MS?: number;

  @IntSetting(1, 30)
  LEAKWATCH_NOTIFY_MAX_ATTEMPTS?: number;

  @IsOptional() @Matches(/^[0-9a-zA-Z.:[\]-]+$/, { message: 'HOST must be an address or host name to listen on, e.g. 0.0.0.0 or 127.0.0.1' })
  HOST?: string;

  @IntSetting(1024, 1_099_511_627_776)
  LEAKWATCH_INGEST_MAX_BYTES?: number;

  @IntSetting(1, 100_000_000)
  LEAKWATCH_INGEST_MAX_RECORDS?: number;

  @IntSetting(0, 1_000_000)
  LEAKWATCH_SHARED_READ_BUFFER?: number;

  @IsOptional() @Matches(/^[0-9a-fA-F]{64,}$/, { message: 'LEAKWATCH_LEAKID_KEY must be at least 64 hex characters (32 bytes)' })
  LEAKWATCH_LEAKID_KEY?: string;

  @IntSetting(1, 3650)
  LEAKWATCH_DOMAIN_VERIFICATION_DAYS?: number;

  @IsOptional() @Matches(/^\s*[^,\s]+(:\d{1,5})?\s*(,\s*[^,\s]+(:\d{1,5})?\s*)*$/, { message: 'LEAKWATCH_DNS_SERVERS must be host or host:port, comma-separated' })
  LEAKWATCH_DNS_SERVERS?: string;

  @IsOptional() @IsIn(['true', 'false'], { message: 'LEAKWATCH_VERIFICATION_ALLOW_PRIVATE must be true or false' })
  LEAKWATCH_VERIFICATION_ALLOW_PRIVATE?: string;

  @IntSetting(1, 65535)
  LEAKWATCH_VERIFICATION_HTTP_PORT?: number;

  @IntSetting(100, 60_000)
  LEAKWATCH_DNS_TIMEOUT_MS?: number;

  @IntSetting(100, 120_000)
  LEAKWATCH_HTTP_TIMEOUT_MS?: number;

  @IsOptional() @IsUrl(URL_OPTIONS) INGEST_URL?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) LEAK_LIFECYCLE_URL?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) ACCESS_CONTROL_URL?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) STATS_URL?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) NOTIFICATIONS_URL?: string;
}

export interface LeakwatchConfig {
  port: number;
  /** Address to listen on (`HOST`, default all interfaces). */
  host: string;
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
  /** Report intake limits: bytes and records per report (413 beyond). */
  ingest: { maxBytes: number; maxRecords: number; leakIdKey?: string };
  /** Domain verification (access-control). */
  verification: {
    validDays: number;
    dnsServers: string[];
    /** Tests only: loopback/private targets and plain HTTP for the well-known file. */
    allowPrivateTargets: boolean;
    /** Tests only: port of the local HTTP server serving the well-known file. */
    httpPort?: number;
    dnsTimeoutMs: number;
    httpTimeoutMs: number;
  };
  /**
   * Events the PostgreSQL store's shared all-stream reader keeps for subscriptions of the same filter that have not
   * reached them yet (`LEAKWATCH_SHARED_READ_BUFFER`, default 5000); 0: every subscription reads on its own.
   */
  sharedReadBuffer: number;
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
  /** This replica's name in its per-process consumer groups (LEAKWATCH_INSTANCE_ID); unset: a random id per start. */
  instanceId?: string;
  sasl?: { mechanism: (typeof KAFKA_SASL_MECHANISMS)[number]; username: string; password: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /** One line per bad variable: `NAME: what is wrong`. */
  constructor(message: string, readonly problems: string[] = []) {
    super(message);
  }
}

/**
 * Every setting, validated at once: a ConfigError lists EVERY bad variable (not just the first), one per line.
 * Values are named, never echoed (a key pasted into the wrong variable must not end up in a log).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LeakwatchConfig {
  const raw = plainToInstance(LeakwatchEnvironment, pickKnown(env));
  // One complaint per variable, each line starting with its name.
  const problems = validateSync(raw, { whitelist: true, stopAtFirstError: true }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => (m.startsWith(`${e.property} `) ? m : `${e.property}: ${m}`)),
  );
  if (raw.KAFKA_SASL_MECHANISM && (raw.KAFKA_SASL_USERNAME === undefined || raw.KAFKA_SASL_PASSWORD === undefined)) {
    problems.push('KAFKA_SASL_MECHANISM: needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  const dataDirForCheck = path.resolve(raw.LEAKWATCH_DATA_DIR ?? '.leakwatch');
  const keyFileForCheck = path.resolve(raw.LEAKWATCH_SECRETS_KEY_FILE ?? defaultSecretsKeyFile(dataDirForCheck));
  // A key kept in the data directory would be copied, backed up and stolen with the secrets it protects.
  if (isInside(keyFileForCheck, dataDirForCheck)) problems.push(`LEAKWATCH_SECRETS_KEY_FILE: must be outside LEAKWATCH_DATA_DIR (${dataDirForCheck})`);
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.map((line) => `  - ${line}`).join('\n')}`, problems);
  const dataDir = path.resolve(raw.LEAKWATCH_DATA_DIR ?? '.leakwatch');
  const keyFile = keyFileForCheck;
  return {
    port: raw.PORT ?? 8080,
    host: raw.HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl: raw.DATABASE_URL,
    eventStoreUrl: raw.EVENTSTORE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS?.split(','),
    kafka: {
      sessionTimeoutMs: raw.KAFKA_SESSION_TIMEOUT_MS ?? 30_000,
      maxWaitMs: raw.KAFKA_MAX_WAIT_MS ?? 5_000,
      idempotent: raw.KAFKA_IDEMPOTENT !== 'false',
      ssl: raw.KAFKA_SSL === 'true',
      ...(raw.LEAKWATCH_INSTANCE_ID?.trim() ? { instanceId: raw.LEAKWATCH_INSTANCE_ID.trim() } : {}),
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
    ingest: { maxBytes: raw.LEAKWATCH_INGEST_MAX_BYTES ?? 256 * 1024 * 1024, maxRecords: raw.LEAKWATCH_INGEST_MAX_RECORDS ?? 500_000, leakIdKey: raw.LEAKWATCH_LEAKID_KEY },
    verification: {
      validDays: raw.LEAKWATCH_DOMAIN_VERIFICATION_DAYS ?? 30,
      dnsServers: (raw.LEAKWATCH_DNS_SERVERS ?? '').split(',').map((server) => server.trim()).filter(Boolean),
      allowPrivateTargets: raw.LEAKWATCH_VERIFICATION_ALLOW_PRIVATE === 'true',
      httpPort: raw.LEAKWATCH_VERIFICATION_HTTP_PORT,
      dnsTimeoutMs: raw.LEAKWATCH_DNS_TIMEOUT_MS ?? 3000,
      httpTimeoutMs: raw.LEAKWATCH_HTTP_TIMEOUT_MS ?? 5000,
    },
    sharedReadBuffer: raw.LEAKWATCH_SHARED_READ_BUFFER ?? 5000,
    upstreams: {
      ingest: raw.INGEST_URL,
      'leak-lifecycle': raw.LEAK_LIFECYCLE_URL,
      'access-control': raw.ACCESS_CONTROL_URL,
      stats: raw.STATS_URL,
      notifications: raw.NOTIFICATIONS_URL,
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
  'LEAKWATCH_SECRETS_KEY', 'LEAKWATCH_SECRETS_KEY_FILE', 'LEAKWATCH_INSTANCE_ID',
  'LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES', 'LEAKWATCH_NOTIFY_ALLOW_HTTP', 'LEAKWATCH_NOTIFY_RETRY_BASE_MS', 'LEAKWATCH_NOTIFY_MAX_ATTEMPTS',
  'INGEST_URL', 'LEAK_LIFECYCLE_URL', 'ACCESS_CONTROL_URL', 'STATS_URL', 'NOTIFICATIONS_URL',
  'HOST', 'LEAKWATCH_INGEST_MAX_BYTES', 'LEAKWATCH_INGEST_MAX_RECORDS', 'LEAKWATCH_LEAKID_KEY',
  'LEAKWATCH_DOMAIN_VERIFICATION_DAYS', 'LEAKWATCH_DNS_SERVERS', 'LEAKWATCH_VERIFICATION_ALLOW_PRIVATE', 'LEAKWATCH_VERIFICATION_HTTP_PORT',
  'LEAKWATCH_DNS_TIMEOUT_MS', 'LEAKWATCH_HTTP_TIMEOUT_MS', 'LEAKWATCH_SHARED_READ_BUFFER',
];
