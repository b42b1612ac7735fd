/**
 * The benchmark's HTTP load generator: HTTP/1.1 keep-alive over raw sockets (no HTTP client library, so the
 * generator costs little CPU next to the server it measures on 2 cores), run in its own process (`load-worker.ts`)
 * so the benchmark's orchestration never shares an event loop with it.
 *
 * Two modes, same settings for every endpoint of a run:
 * - closed loop: `connections` sockets, each sends its next request as soon as the answer arrived (max throughput);
 * - fixed rate: `rate` requests/s spread over the sockets; a request that finds no free socket waits, and its
 *   latency counts from when it was due (no coordinated omission: a stalled server shows in p99).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { connect, Socket } from 'node:net';

export interface LoadSpec {
  port: number;
  /** Complete requests (head and body), sent in rotation. */
  requests: string[];
  connections: number;
  durationMs: number;
  /** Fixed rate (requests/s); closed loop when absent. */
  rate?: number;
  /** Statuses counted as success. */
  ok: number[];
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

/** Runs `spec` in a separate Node process (tools/bench/token-check/load-worker.ts) and returns its figures. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load-worker.ts'), [], { execArgv: ['-r', path.resolve(__dirname, '../../register.js')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`load generator exited with ${code}`)) : undefined));
    child.send(spec);
  });
}

/** A request as bytes: method, path, headers, optional JSON body. */
export function httpRequest(method: string, target: string, headers: Record<string, string> = {}, body?: string): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body !== undefined) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

/** One keep-alive connection: write a request, parse one answer (Content-Length framed), repeat. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private onAnswer?: (status: number) => void;
  readonly socket: Socket;

  constructor(port: number, onError: () => void) {
    this.socket = connect({ port, host: '127.0.0.1', noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', onError);
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(request: string, onAnswer: (status: number) => void): void {
    this.onAnswer = onAnswer;
    this.socket.write(request);
  }

  private read(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.buffer.subarray(0, headEnd).toString('latin1');
      const status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const bodyLength = length ? Number(length[1]) : 0;
      if (!length && status !== 204 && status !== 304) throw new Error(`answer without Content-Length (status ${status})`);
      if (this.buffer.length < headEnd + 4 + bodyLength) return;
      this.buffer = this.buffer.subarray(headEnd + 4 + bodyLength);
      const done = this.onAnswer;
      this.onAnswer = undefined;
      done?.(status);
    }
  }
}

/** The generator itself (called in the worker process). */
export async function generate(spec: LoadSpec): Promise<LoadResult> {
  let errors = 0;
  const latencies: number[] = [];
  const connections = Array.from({ length: spec.connections }, () => new Connection(spec.port, () => errors++));
  await Promise.all(connections.map((c) => c.ready()));
  const ok = new Set(spec.ok);
  let next = 0;
  const request = () => spec.requests[next++ % spec.requests.length];
  const started = performance.now();
  const deadline = started + spec.durationMs;

  if (!spec.rate) {
    await Promise.all(
      connections.map(
        (c) =>
          new Promise<void>((resolve) => {
            const loop = () => {
              if (performance.now() >= deadline) return resolve();
              const t0 = performance.now();
              c.send(request(), (status) => {
                latencies.push(performance.now() - t0);
                if (!ok.has(status)) errors++;
                loop();
              });
            };
            loop();
          }),
      ),
    );
  } else {
    const interval = 1000 / spec.rate;
    const idle = [...connections];
    const due: number[] = []; // times the waiting requests were due
    let scheduled = 0;
    const dispatch = () => {
      while (idle.length && due.length) {
        const c = idle.pop() as Connection;
        const dueAt = due.shift() as number;
        c.send(request(), (status) => {
          latencies.push(performance.now() - dueAt);
          if (!ok.has(status)) errors++;
          idle.push(c);
          dispatch();
        });
      }
    };
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (started + scheduled * interval <= Math.min(now, deadline)) due.push(started + scheduled++ * interval);
        dispatch();
        if (now < deadline) setTimeout(tick, 1);
        else {
          const drain = () => (idle.length === connections.length || performance.now() > deadline + 5000 ? resolve() : setTimeout(drain, 5));
          drain();
        }
      };
      tick();
    });
  }
  const seconds = (performance.now() - started) / 1000;
  for (const c of connections) c.socket.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  return { requests: latencies.length, errors, seconds, rps: latencies.length / Math.min(seconds, spec.durationMs / 1000), p50: at(50), p99: at(99) };
}
