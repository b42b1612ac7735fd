/**
 * A stop is not held up by gateways: a blocklist long-poll in progress (up to 25 s, then a keep-alive
 * connection Fastify would keep for 72 s) answers at once when the process shuts down, with its connection
 * closed. Before this, SIGTERM took about 95 s with one gateway following the blocklist.
 */
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';

describe('graceful shutdown (e2e)', () => {
  let e2e: E2e | undefined;
  afterAll(() => e2e?.app.cleanUp());

  it('answers a waiting blocklist long-poll and exits promptly on SIGTERM', async () => {
    e2e = await startE2e();
    const app = e2e.app;
    const poll = fetch(`${app.url}/api/v1/tokens/blocklist?wait=25`, { headers: { 'x-api-key': E2E_ADMIN_KEY } }).then(async (r) => ({
      status: r.status,
      connection: r.headers.get('connection'),
      body: await r.json(),
    }));
    // The poll is waiting (nothing changes): SIGTERM now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    expect(await app.stop()).toBe(0);
    const took = Date.now() - started;
    expect(await poll).toEqual({ status: 200, connection: 'close', body: { changes: [], next_cursor: 0 } });
    expect(took).toBeLessThan(20_000); // the poll's own 25 s wait would be longer; it used to be ~95 s
  }, 90_000);
});
