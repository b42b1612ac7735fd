/**
 * A throwaway Kafka cluster for one test file: spawns tools/kafka-mock (librdkafka's mock cluster),
 * building it first when the binary is missing or older than its source. Real Kafka protocol on
 * loopback, no JVM or container. See tools/kafka-mock/README.md for its limits.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

export interface KafkaMockTopic {
  name: string;
  /** Defaults to 3. */
  partitions?: number;
}

export interface KafkaMockOptions {
  /** Topics to pre-create: the mock does not serve kafkajs `admin.createTopics`. */
  topics: Array<string | KafkaMockTopic>;
  /** Number of mock brokers (default 1). */
  brokers?: number;
  /** How long to wait for the bootstrap line (ms, default 15 000). */
  startTimeoutMs?: number;
}

export interface KafkaMock {
  /** Bootstrap servers, ready for `new Kafka({ brokers })`. */
  brokers: string[];
  /** Terminates the cluster and resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const BUILD_SCRIPT = path.resolve(__dirname, '../../../../tools/kafka-mock/build.js');

/**
 * Returns the kafka-mock binary, building it on first use from the librdkafka source inside the
 * node-rdkafka npm package (about a minute once; cached per librdkafka version outside node_modules,
 * and built under a lock so parallel workers wait for one build). Needs only a C toolchain.
 */
export function ensureKafkaMockBinary(): string {
  try {
    const out = execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
    return out.toString().trim();
  } catch (error) {
    const output = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`Building tools/kafka-mock failed (it needs a C compiler and make):\n${output}`);
  }
}

export async function startKafkaMock(options: KafkaMockOptions): Promise<KafkaMock> {
  const binary = ensureKafkaMockBinary();
  const args: string[] = ['--brokers', String(options.brokers ?? 1)];
  for (const topic of options.topics) {
    const spec = typeof topic === 'string' ? topic : `${topic.name}:${topic.partitions ?? 3}`;
    args.push('--topic', spec);
  }
  // stdin stays an open pipe: the mock exits when it closes, so a crashed test run leaves no orphan.
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // 'error' (e.g. the binary cannot be executed) may come without an 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });

  let bootstrap: string;
  try {
    bootstrap = await readFirstLine(child, options.startTimeoutMs ?? 15_000, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    brokers: bootstrap.split(',').map((b) => b.trim()).filter(Boolean),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        child.stdin.destroy();
      })();
      return stopping;
    },
  };
}

function readFirstLine(child: ChildProcessWithoutNullStreams, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      child.stdout.resume(); // keep draining so the child can never block on a full pipe
    };
    const onData = (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline >= 0) {
        cleanup();
        resolve(buffered.slice(0, newline).trim());
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`kafka-mock exited before it was ready (code ${code}, signal ${signal}): ${stderr()}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`kafka-mock printed no bootstrap servers within ${timeoutMs} ms: ${stderr()}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
