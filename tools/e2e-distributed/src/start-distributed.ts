/**
 * `npm run start:distributed`: the distributed topology on one machine, without Docker — the six services
 * (gateway, access-control, ingest, leak-lifecycle, stats, notifications) as six processes (the same entry
 * points as in containers), a database per service, integration events over the Kafka protocol. Uses a
 * PostgreSQL server (`--database-url` / `DATABASE_URL`; one database per service is created in it when missing)
 * and a Kafka cluster (`--kafka-brokers` / `KAFKA_BROKERS`) when given; otherwise starts a PostgreSQL from npm
 * under `<data dir>/distributed` and the Kafka-protocol test broker (tools/kafka-mock) with the four topics.
 * Ctrl-C, SIGTERM, SIGHUP — or the death of the parent (`npm run` killed) — stops everything it started.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Client } from 'pg';
import { PostgresServer } from '@leakwatch/postgres-server';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { Cluster, KafkaMock, Service, SERVICES, startCluster, startKafkaMock, TEST_BROKER_ENV } from '@leakwatch/testing';

const MORE_HELP = `
Starts Leakwatch's six services as six processes on this machine:
  gateway         the only address you use (console at /, API at /api, docs at /docs); /health names each upstream
  access-control  organisations, API keys, domains
  ingest          scanner reports, GitHub webhooks, manual adds
  leak-lifecycle  leaks, decisions, virtual patches
  stats           statistics, daily limits, the Leak-Lookup compatible /api/stats
  notifications   outbound webhooks
The upstreams take free loopback ports (printed at start); each has its own database <db>_<service>.

Without --database-url: a PostgreSQL from npm under <data dir>/distributed (kept between runs).
Without --kafka-brokers: the Kafka-protocol test broker (tools/kafka-mock) with the topics
${ALL_TOPICS.map((t) => `  ${t}`).join('\n')}
  (3 partitions each). It keeps messages in memory only: at each start the relays republish every stored event
  (consumers deduplicate by event id), so nothing is missing after a restart. With a real Kafka, create these
  topics first with retention.ms=-1 and cleanup.policy=delete (see README, "Runtime modes").

Environment (a flag wins): PORT, HOST, LEAKWATCH_DATA_DIR, DATABASE_URL, KAFKA_BROKERS, LOG_LEVEL, and
  LEAKWATCH_ADMIN_KEY  the bootstrap global_admin key (>= 24 characters); unset on a first start, access-control
                       prints a random one once ("Your global_admin API key").
  LEAKWATCH_SECRETS_KEY  key(s) encrypting stored secrets, the same for every service; unset: a key file next to
                       the data directory (<data dir>-secrets.key), shared by ingest and notifications.
Every other Leakwatch setting in the environment reaches every service.

Examples:
  npm run start:distributed
  npm run start:distributed -- --port 9090 --data-dir /var/tmp/lw
  npm run start:distributed -- --database-url postgres://me:pw@db:5432/leakwatch --kafka-brokers k1:9092,k2:9092
`;

interface Options {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  kafkaBrokers?: string;
  logLevel: string;
}

function parseArguments(argv: string[]): Options {
  const port = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port (0–65535).');
    return n;
  };
  const program = new Command('npm run start:distributed --')
    .description('Leakwatch in distributed mode without Docker: six services as six processes, PostgreSQL, a Kafka-protocol broker')
    .addOption(new Option('--port <n>', "the gateway's port").env('PORT').default(8080).argParser(port))
    .addOption(new Option('--host <address>', 'where every service listens').env('HOST').default('127.0.0.1'))
    .addOption(new Option('--data-dir <dir>', 'data directory (PostgreSQL from npm in <dir>/distributed)').env('LEAKWATCH_DATA_DIR').default('.leakwatch'))
    .addOption(new Option('--database-url <url>', 'a PostgreSQL server to use instead (postgres://…/<db>; <db>_<service> databases are created)').env('DATABASE_URL'))
    .addOption(new Option('--kafka-brokers <host:port,…>', 'a Kafka cluster to use instead of the test broker').env('KAFKA_BROKERS'))
    .addOption(new Option('--log-level <level>', 'log level of every service').env('LOG_LEVEL').default('info'))
    .addHelpText('after', MORE_HELP)
    .showHelpAfterError('(npm run start:distributed -- --help lists the options)')
    .parse(argv);
  return program.opts<Options>();
}

/** Connects to `adminUrl`'s database and creates `<prefix>_<service>` for each service when missing. */
/**
 * Connects where databases can be created: the server's `postgres` maintenance database (the URL's own database
 * need not exist yet — it only names the others), else the URL as given.
 */
async function adminClient(serverUrl: string): Promise<Client> {
  const maintenance = new URL(serverUrl);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
  }
  const fallback = new Client({ connectionString: serverUrl });
  await fallback.connect();
  return fallback;
}

async function ensureDatabases(adminUrl: string, prefix: string): Promise<Record<Service, string>> {
  const admin = await adminClient(adminUrl);
  const databases = {} as Record<Service, string>;
  try {
    for (const service of SERVICES) {
      const name = `${prefix}_${service.replace(/-/g, '_')}`;
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      databases[service] = url.toString();
    }
  } finally {
    await admin.end();
  }
  return databases;
}

/** A fresh in-memory broker has none of the messages the relays published before: let them publish again. */
async function republishEverything(databases: Record<Service, string>): Promise<void> {
  for (const url of Object.values(databases)) {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DELETE FROM messaging_checkpoints WHERE name LIKE 'relay:%'`).catch(() => undefined); // absent on a first start
    } finally {
      await client.end();
    }
  }
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv);
  const log = (message: string) => process.stdout.write(`[start:distributed] ${message}\n`);
  let pg: PostgresServer | undefined;
  let broker: KafkaMock | undefined;
  let cluster: Cluster | undefined;
  let starting = true;
  let requested: string | undefined; // why a stop was asked for
  let requestedAt = 0;
  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      log(`${why}: stopping…`);
      await cluster?.stop().catch(() => undefined);
      await broker?.stop().catch(() => undefined);
      await pg?.stop().catch(() => undefined);
      log('stopped');
    })());
  const onSignal = (why: string) => {
    if (requested !== undefined) {
      // The same Ctrl-C can arrive twice (from the terminal and passed on by npm): only a later one forces.
      if (Date.now() - requestedAt < 1_000) return;
      log(`${why} again: killing the services at once`);
      for (const service of Object.values(cluster?.services ?? {})) service.child.kill('SIGKILL');
      process.exit(130); // PostgreSQL (exit hook) and the test broker (its stdin closes) follow
    }
    requested = why;
    requestedAt = Date.now();
    // While starting, the processes are not all known yet: main() stops after the step under way.
    if (!starting) void stop(why).then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
  // `npm run` killed: npm does not pass SIGTERM on to this process, but the parent changes — stop everything.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && requested === undefined) onSignal('parent process exited');
  }, 500).unref();
  // Output closed (a pipe reader gone: EPIPE) is a reason to stop, not to die leaving the services behind.
  process.stdout.once('error', () => onSignal('output closed'));
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // Last resort (an exit nobody planned): no service outlives this process.
  process.on('exit', () => {
    for (const service of Object.values(cluster?.services ?? {})) if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  });
  const shutdownIfAsked = async () => {
    if (requested === undefined) return;
    await stop(requested);
    process.exit(0);
  };

  try {
    let adminUrl = options.databaseUrl;
    let prefix = adminUrl ? new URL(adminUrl).pathname.replace(/^\//, '') || 'leakwatch' : 'leakwatch';
    const dataDir = path.resolve(options.dataDir);
    if (!adminUrl) {
      const dir = path.join(dataDir, 'distributed');
      pg = new PostgresServer({ dir });
      await pg.start();
      adminUrl = pg.url('postgres');
      prefix = 'leakwatch';
      log(`PostgreSQL from npm on 127.0.0.1:${pg.port} (data in ${dir})`);
    }
    await shutdownIfAsked();
    const databases = await ensureDatabases(adminUrl, prefix);
    log(`databases: ${SERVICES.map((s) => new URL(databases[s]).pathname.slice(1)).join(', ')}`);
    let brokers = options.kafkaBrokers?.split(',').map((b) => b.trim()).filter(Boolean);
    const env: Record<string, string> = { LEAKWATCH_DATA_DIR: dataDir };
    if (!brokers?.length) {
      broker = await startKafkaMock({ topics: [...ALL_TOPICS] });
      brokers = broker.brokers;
      await republishEverything(databases);
      Object.assign(env, TEST_BROKER_ENV);
      log(`Kafka-protocol test broker (in memory) on ${brokers.join(',')}, topics ${ALL_TOPICS.join(', ')}`);
    } else {
      log(`Kafka on ${brokers.join(',')} (topics must exist: ${ALL_TOPICS.join(', ')})`);
    }
    await shutdownIfAsked();
    log(`starting ${SERVICES.join(', ')}…`);
    cluster = await startCluster({
      databases,
      kafkaBrokers: brokers,
      adminKey: process.env.LEAKWATCH_ADMIN_KEY || undefined,
      gatewayPort: options.port,
      host: options.host,
      logLevel: options.logLevel,
      env,
      onOutput: (service, chunk) => {
        for (const line of chunk.split('\n').filter(Boolean)) process.stdout.write(`${service.padEnd(14)} | ${line}\n`);
      },
    });
    starting = false;
    await shutdownIfAsked();
    for (const service of SERVICES) log(`${service.padEnd(14)} ${cluster.services[service].url} (pid ${cluster.services[service].child.pid})`);
    log(`Leakwatch (distributed, ${SERVICES.length} services) is up: ${cluster.gatewayUrl} — health at ${cluster.gatewayUrl}/health — Ctrl-C stops it`);
  } catch (error) {
    starting = false;
    await shutdownIfAsked(); // e.g. Ctrl-C reached the services while they started
    process.stderr.write(`[start:distributed] failed: ${(error as Error).message}\n`);
    await stop('start failed');
    process.exit(1);
  }
}

void main();
