/**
 * A real DNS server on 127.0.0.1 (UDP, free port) for tests, with records that can change while it runs
 * (publish a TXT record after a domain was claimed). Unknown names get NXDOMAIN.
 */
import type { AddressInfo } from 'node:net';
import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for LEAKWATCH_DNS_SERVERS / `dnsServers`. */
  address: string;
  /** Sets the TXT records of a name (each record one string). */
  setTxt(name: string, records: string[]): void;
  /** Sets the A records of a name. */
  setA(name: string, addresses: string[]): void;
  close(): Promise<void>;
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[]>();
  const a = new Map<string, string[]>();
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const [question] = request.questions;
      const name = question.name.toLowerCase();
      const response = Packet.createResponseFromRequest(request);
      response.header.aa = 1;
      if (!txt.has(name) && !a.has(name)) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
      } else if (question.type === Packet.TYPE.TXT) {
        for (const data of txt.get(name) ?? []) response.answers.push({ name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 1, data } as never);
      } else if (question.type === Packet.TYPE.A) {
        for (const address of a.get(name) ?? []) response.answers.push({ name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 1, address } as never);
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { port } = addresses.udp as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setTxt: (name, records) => void txt.set(name.toLowerCase(), records),
    setA: (name, list) => void a.set(name.toLowerCase(), list),
    close: () => server.close(),
  };
}
