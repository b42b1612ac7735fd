/**
 * The yardstick of the token-check benchmark: a bare Fastify hello-world JSON endpoint (no NestJS, no auth, no
 * validation, a constant answer), the fastest a Node HTTP endpoint gets on this machine. Port on stdout's first line.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
void app.listen({ port: 0, host: '127.0.0.1' }).then(() => {
  process.stdout.write(`${(app.server.address() as { port: number }).port}\n`);
});
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
