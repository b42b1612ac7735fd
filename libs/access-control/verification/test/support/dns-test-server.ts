/**
 * A real authoritative DNS server on 127.0.0.1 (UDP, free port) built with dns2, serving a tiny test zone.
 * Names in `silent` are received and never answered, so clients time out for real.
 */
import { createSocket } from 'node:dgram';
import { AddressInfo } from 'node:net';
import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestZone {
  /** name → TXT records, each record a list of <character-string>s. */
  txt?: Record<string, string[][]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  /** Queries for these names are swallowed (timeouts). */
  silent?: string[];
}

export interface DnsTestServer {
  /** `127.0.0.1:<port>`, ready for `dnsServers`. */
  address: string;
  queries: { name: string; type: number }[];
  close(): Promise<void>;
}

export async function startDnsTestServer(zone: TestZone): Promise<DnsTestServer> {
  const queries: { name: string; type: number }[] = [];
  const known = new Set([...Object.keys(zone.txt ?? {}), ...Object.keys(zone.a ?? {}), ...Object.keys(zone.aaaa ?? {})]);
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const [question] = request.questions;
      const name = question.name.toLowerCase();
      queries.push({ name, type: question.type });
      if (zone.silent?.includes(name)) return;
      const response = Packet.createResponseFromRequest(request);
      response.header.aa = 1;
      if (!known.has(name)) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
      } else {
        const record = (fields: { type: number; data?: string[]; address?: string }) =>
          new Packet.Resource({ name, class: Packet.CLASS.IN, ttl: 60, ...fields });
        if (question.type === Packet.TYPE.TXT) response.answers.push(...(zone.txt?.[name] ?? []).map((data) => record({ type: Packet.TYPE.TXT, data })));
        if (question.type === Packet.TYPE.A) response.answers.push(...(zone.a?.[name] ?? []).map((address) => record({ type: Packet.TYPE.A, address })));
        if (question.type === Packet.TYPE.AAAA) response.answers.push(...(zone.aaaa?.[name] ?? []).map((address) => record({ type: Packet.TYPE.AAAA, address })));
      }
      // Known name without records of that type: NOERROR with no answers (NODATA).
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { port } = addresses.udp as AddressInfo;
  return { address: `127.0.0.1:${port}`, queries, close: () => server.close() };
}

/** A UDP port nobody listens on (bound, then released): queries to it get ICMP port-unreachable. */
export async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
