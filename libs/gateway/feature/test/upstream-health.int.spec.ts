/**
 * The gateway's health names each upstream service: up when its /health/live answers, down with the reason
 * (unreachable, slow, or an error status) otherwise. Real HTTP servers on loopback.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { HealthRegistry } from '@leakwatch/runtime';
import { checkUpstream, registerUpstreamHealth } from '../src/routing/upstream-health';

describe('upstream health', () => {
  const servers: Server[] = [];
  const serve = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('registers one check per configured upstream, named after the service', () => {
    const registry = new HealthRegistry();
    registerUpstreamHealth(registry, { ingest: 'http://127.0.0.1:1', 'leak-lifecycle': 'http://127.0.0.1:2', stats: undefined });
    expect(registry.entries().map(([name]) => name)).toEqual(['upstream_ingest', 'upstream_leak_lifecycle']);
  });

  it('is up when /health/live answers 200, down with the reason otherwise', async () => {
    const paths: string[] = [];
    const live = await serve((req, res) => {
      paths.push(req.url ?? '');
      res.end('{"status":"ok"}');
    });
    await expect(checkUpstream(live)).resolves.toEqual({ url: live });
    expect(paths).toEqual(['/health/live']);

    const failing = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    await expect(checkUpstream(failing)).rejects.toThrow(`${failing} answered 500`);

    const slow = await serve(() => undefined); // never answers
    await expect(checkUpstream(slow, 200)).rejects.toThrow('no answer within 200 ms');

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(checkUpstream(`http://127.0.0.1:${port}`)).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port} unreachable: .*ECONNREFUSED`));
  });
});
