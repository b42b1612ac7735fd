/**
 * A real `node:http` server on 127.0.0.1 (free port) playing every website the HTTP check meets. It routes on
 * the Host header, so names resolved by the test DNS server to 127.0.0.1 reach their own "site".
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export type Site = (req: http.IncomingMessage, res: http.ServerResponse, port: number) => void;

export interface HttpTestServer {
  port: number;
  /** Host names (lowercase, no port) that were actually requested — proof of what was, and was not, contacted. */
  hits: string[];
  close(): Promise<void>;
}

export async function startHttpTestServer(sites: Record<string, Site>): Promise<HttpTestServer> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    hits.push(host);
    const site = sites[host];
    if (!site) {
      res.writeHead(421).end('misdirected');
      return;
    }
    site(req, res, (server.address() as AddressInfo).port);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // slow sites hold sockets open on purpose
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on (bound, then released). */
export async function closedTcpPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
