/**
 * The first-start message: the printed key, and where to use it — the console's address when this process
 * serves it (embedded mode), the gateway's otherwise. No key is printed for one chosen with LEAKWATCH_ADMIN_KEY.
 */
import type { CommandBus } from '@nestjs/cqrs';
import type { EventStore } from '@leakwatch/event-store';
import { HealthRegistry, ListeningHooks } from '@leakwatch/runtime';
import { answer } from '../src/application/access-result';
import { BootstrapAdminKey } from '../src/application/bootstrap-admin-key';

async function firstStart(service: string, adminKey?: string): Promise<string> {
  const store = { readStream: async () => [] } as unknown as EventStore;
  const commands = { execute: async () => answer({}) } as unknown as CommandBus;
  const hooks = new ListeningHooks();
  const bootstrap = new BootstrapAdminKey(commands, store, { adminKey } as never, hooks, new HealthRegistry(), service);
  bootstrap.onModuleInit();
  let printed = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    await hooks.run('http://localhost:8080');
  } finally {
    write.mockRestore();
  }
  return printed;
}

describe('the first-start message of the bootstrap admin key', () => {
  it('names the console address in embedded mode, with the key', async () => {
    const printed = await firstStart('all');
    expect(printed).toMatch(/global_admin API key \(shown once, store it now\):\s+lw_\S+/);
    expect(printed).toContain('Open the web console at http://localhost:8080/ and sign in with it');
  });

  it("points at the gateway's address when this process is the access-control service", async () => {
    const printed = await firstStart('access-control');
    expect(printed).toContain("Open the web console at the gateway's address, path /");
    expect(printed).not.toContain('localhost:8080');
  });

  it('prints no key for a key chosen with LEAKWATCH_ADMIN_KEY (the log line says it was created)', async () => {
    const printed = await firstStart('all', 'lw_chosen_by_the_operator_0123456789');
    expect(printed).toContain('bootstrap global_admin key created');
    expect(printed).not.toMatch(/shown once|lw_chosen_by_the_operator|web console/);
  });
});
