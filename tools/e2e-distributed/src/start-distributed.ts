/**
 * `npm run start:distributed`: the distributed topology on one machine, without Docker — the five services as
 * five processes (the same entry points as in containers), a database per service, integration events over
 * the Kafka protocol. Uses `DATABASE_URL` (a PostgreSQL server; one database per service is created in it when
 * missing) and `KAFKA_BROKERS` when set; otherwise starts a PostgreSQL from npm under `LEAKWATCH_DATA_DIR`
 * and the Kafka-protocol test broker (tools/kafka-mock). Ctrl-C stops everything.
 */
import path from 'node:path';
import { Client } from 'pg';
import { PostgresServer } from '@leakwatch/postgres-server';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { Cluster, KafkaMock, SERVICES, Service, startCluster, startKafkaMock } from '@leakwatch/testing';

const HELP = `Usage: npm run start:distributed

Starts Leakwatch's five services as separate processes (gateway on $PORT, default 8080).

Environment:
  DATABASE_URL        postgres://… of a server to use (a database per service is created: <db>_<service>).
                      Unset: a PostgreSQL from npm under $LEAKWATCH_DATA_DIR/distributed (default ./.leakwatch).
  KAFKA_BROKERS       host:port,… of a Kafka cluster. Unset: the Kafka-protocol test broker (tools/kafka-mock),
                      which keeps messages in memory only: at each start the relays republish every stored event
                      (consumers deduplicate by event id), so nothing is missing after a restart.
  PORT                the gateway's port (default 8080); the other services take free loopback ports.
  LEAKWATCH_ADMIN_KEY the bootstrap global_admin key (else access-control prints a random one once).
  LOG_LEVEL           default info.
`;

/** Connects to `adminUrl`'s database and creates `<prefix>_<service>` for each service when missing. */
async function ensureDatabases(adminUrl: string, prefix: string): Promise<Record<Service, string>> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const databases = {} as Record<Service, string>;
  try {
    for (const service of SERVICES) {
      const name = `${prefix}_${service.replace('-', '_')}`;
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${name}"`);
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
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const log = (message: string) => process.stdout.write(`[start:distributed] ${message}\n`);
  let pg: PostgresServer | undefined;
  let broker: KafkaMock | undefined;
  let cluster: Cluster | undefined;
  const stop = async () => {
    log('stopping…');
    await cluster?.stop().catch(() => undefined);
    await broker?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(() => process.exit(0)));

  try {
    let adminUrl = process.env.DATABASE_URL;
    let prefix = adminUrl ? new URL(adminUrl).pathname.replace(/^\//, '') || 'leakwatch' : 'leakwatch';
    if (!adminUrl) {
      const dir = path.resolve(process.env.LEAKWATCH_DATA_DIR ?? '.leakwatch', 'distributed');
      pg = new PostgresServer({ dir });
      await pg.start();
      adminUrl = pg.url('postgres');
      prefix = 'leakwatch';
      log(`PostgreSQL from npm on 127.0.0.1:${pg.port} (data in ${dir})`);
    }
    const databases = await ensureDatabases(adminUrl, prefix);
    let brokers = process.env.KAFKA_BROKERS?.split(',');
    const env: Record<string, string> = {};
    if (!brokers) {
      broker = await startKafkaMock({ topics: [...ALL_TOPICS] });
      brokers = broker.brokers;
      await republishEverything(databases);
      // The test broker rejects idempotent producers and answers a fetch only at the end of its wait.
      Object.assign(env, { KAFKA_IDEMPOTENT: 'false', KAFKA_MAX_WAIT_MS: '50', KAFKA_SESSION_TIMEOUT_MS: '6000' });
      log(`Kafka-protocol test broker (in memory) on ${brokers.join(',')}`);
    }
    cluster = await startCluster({
      databases,
      kafkaBrokers: brokers,
      adminKey: process.env.LEAKWATCH_ADMIN_KEY,
      gatewayPort: Number(process.env.PORT ?? 8080),
      host: process.env.HOST ?? '127.0.0.1',
      logLevel: process.env.LOG_LEVEL ?? 'info',
      env,
      onOutput: (service, chunk) => {
        for (const line of chunk.split('\n').filter(Boolean)) process.stdout.write(`${service.padEnd(14)} | ${line}\n`);
      },
    });
    for (const service of SERVICES) log(`${service.padEnd(14)} ${cluster.services[service].url}`);
    log(`Leakwatch (distributed) is up: ${cluster.gatewayUrl} — Ctrl-C stops it`);
  } catch (error) {
    process.stderr.write(`[start:distributed] failed: ${(error as Error).message}\n`);
    await stop();
    process.exit(1);
  }
}

void main();
