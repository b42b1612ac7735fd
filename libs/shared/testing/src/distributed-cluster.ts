/**
 * The distributed topology without Docker: the six services as separate Node processes (each `apps/<name>`
 * entry point, exactly what `npm run start:service` runs), each with its own PostgreSQL database (event
 * store + read models), integration events over a Kafka-protocol broker. Used by the five-process e2e
 * suite (which kills services with SIGKILL and restarts them on the same port) and by
 * `npm run start:distributed`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@leakwatch/postgres-server';
import { leakwatchNodeFlags } from './node-flags';

export const SERVICES = ['access-control', 'ingest', 'leak-lifecycle', 'stats', 'notifications', 'gateway'] as const;
export type Service = (typeof SERVICES)[number];
type Upstream = Exclude<Service, 'gateway'>;

const ROOT = path.resolve(__dirname, '../../../..');
const UPSTREAM_ENV: Record<Upstream, string> = {
  ingest: 'INGEST_URL',
  'leak-lifecycle': 'LEAK_LIFECYCLE_URL',
  'access-control': 'ACCESS_CONTROL_URL',
  stats: 'STATS_URL',
  notifications: 'NOTIFICATIONS_URL',
};

/**
 * What every service needs with the Kafka-protocol test broker (kafka-mock): it rejects idempotent producers, a
 * killed consumer's partitions should move on after 6 s rather than 30 s, and it answers a fetch only at the end
 * of its wait (so a short wait keeps the last hop short). Not for a real Kafka.
 */
export const TEST_BROKER_ENV: Readonly<Record<string, string>> = { KAFKA_IDEMPOTENT: 'false', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_MAX_WAIT_MS: '50' };

/** A new database per service in one PostgreSQL (named after the service, `-` as `_`), as `ClusterOptions.databases`. */
export async function databasePerService(pg: { newDatabase(name: string): Promise<string> }): Promise<Record<Service, string>> {
  const databases = {} as Record<Service, string>;
  for (const service of SERVICES) databases[service] = await pg.newDatabase(service.replace('-', '_'));
  return databases;
}

export interface ClusterOptions {
  /** One database URL per service (they may also all be the same URL). */
  databases: Record<Service, string>;
  kafkaBrokers: string[];
  adminKey?: string;
  /** Gateway port (0 = a free one); the other services always get free loopback ports. */
  gatewayPort?: number;
  host?: string;
  logLevel?: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Where each service's output goes; default: kept in memory (see `output`). */
  onOutput?: (service: Service, chunk: string) => void;
  startTimeoutMs?: number;
}

export interface ServiceProcess {
  name: Service;
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the service printed, across restarts. */
  output(): string;
}

export interface Cluster {
  gatewayUrl: string;
  services: Record<Service, ServiceProcess>;
  /** SIGKILL: no shutdown hook runs, in-flight work is lost as in a crash. Resolves once the process is gone. */
  kill(service: Service): Promise<void>;
  /** Starts a stopped or killed service again, on the same port, and waits for /health 200. */
  restart(service: Service): Promise<void>;
  /** Starts one more process of `service` (same database and broker, its own port): a replica. A gateway replica has the same upstreams. */
  addReplica(service: Service): Promise<ServiceProcess>;
  /** SIGTERM every service (gateway first) and replica, and wait for them. */
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const host = options.host ?? '127.0.0.1';
  const ports = {} as Record<Service, number>;
  // No two services on one port: each free port is asked of the OS before any service binds, so exclude those taken.
  for (const name of SERVICES) ports[name] = name === 'gateway' && options.gatewayPort ? options.gatewayPort : await freePort(Object.values(ports));
  const urlOf = (name: Service) => `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${ports[name]}`;
  const outputs = Object.fromEntries(SERVICES.map((s) => [s, ''])) as Record<Service, string>;
  const services = {} as Record<Service, ServiceProcess>;

  const envOf = (name: Service): NodeJS.ProcessEnv => ({
    ...process.env,
    ...options.env,
    PORT: String(ports[name]),
    HOST: host,
    DATABASE_URL: options.databases[name],
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...(options.adminKey ? { LEAKWATCH_ADMIN_KEY: options.adminKey } : {}),
    ...(name === 'gateway'
      ? Object.fromEntries((Object.keys(UPSTREAM_ENV) as Upstream[]).map((u) => [UPSTREAM_ENV[u], urlOf(u)]))
      : {}),
  });

  const replicas: ServiceProcess[] = [];
  const launch = (name: Service, port: number) => {
    const child = spawn(process.execPath, [...leakwatchNodeFlags(), '-r', './tools/register.js', `apps/${name}/src/main.ts`], {
      cwd: ROOT,
      env: { ...envOf(name), PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return child;
  };

  const spawnService = async (name: Service): Promise<void> => {
    const child = launch(name, ports[name]);
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      if (options.onOutput) options.onOutput(name, text);
      else outputs[name] = (outputs[name] + text).slice(-200_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    services[name] = { name, url: urlOf(name), port: ports[name], child, output: () => outputs[name] };
    await waitHealthy(services[name], options.startTimeoutMs ?? 90_000);
  };

  const killChild = async (child: ChildProcess, signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  };

  try {
    // Upstreams first, in parallel; the gateway last, so its first health check finds them up.
    await Promise.all(SERVICES.filter((s) => s !== 'gateway').map(spawnService));
    await spawnService('gateway');
  } catch (error) {
    await Promise.all(Object.values(services).map((s) => killChild(s.child, 'SIGKILL')));
    throw error;
  }

  return {
    gatewayUrl: urlOf('gateway'),
    services,
    kill: (name) => killChild(services[name].child, 'SIGKILL'),
    restart: async (name) => {
      await killChild(services[name].child, 'SIGTERM');
      await spawnService(name);
    },
    addReplica: async (name) => {
      const port = await freePort();
      const child = launch(name, port);
      let output = '';
      const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000));
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const replica: ServiceProcess = { name, url: `http://127.0.0.1:${port}`, port, child, output: () => output };
      replicas.push(replica);
      await waitHealthy(replica, options.startTimeoutMs ?? 90_000);
      return replica;
    },
    stop: async () => {
      await killChild(services.gateway.child, 'SIGTERM');
      await Promise.all([
        ...SERVICES.filter((s) => s !== 'gateway').map((s) => killChild(services[s].child, 'SIGTERM')),
        ...replicas.map((r) => killChild(r.child, 'SIGTERM')),
      ]);
    },
  };
}

async function waitHealthy(service: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { exitCode, signalCode } = service.child;
    if (exitCode !== null || signalCode !== null) {
      throw new Error(`${service.name} exited (${exitCode ?? signalCode}) before it was healthy:\n${service.output().slice(-4000)}`);
    }
    const status = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) {
      service.child.kill('SIGKILL');
      throw new Error(`${service.name} not healthy within ${timeoutMs} ms (last /health: ${status}):\n${service.output().slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}
