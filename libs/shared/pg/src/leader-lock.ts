/**
 * Leadership among replicas through a PostgreSQL session advisory lock: whichever process holds
 * `pg_try_advisory_lock(hashtext(name))` on its own dedicated connection leads; the others retry every
 * `retryMs`. The lock lives exactly as long as that connection: a leader that crashes, is killed or loses its
 * network drops it at once (the server ends the session), and a standby takes over on its next try. A leader
 * that sees its connection fail steps down before anyone else can lead.
 *
 * Used so that two replicas of a service never run the same relay at the same time (each would publish
 * every event).
 */
import { Client, ClientConfig } from 'pg';

export interface LeaderLockOptions {
  /** Connection settings of the dedicated session (not a pooled client: the lock must outlive queries). */
  connection: ClientConfig;
  name: string;
  /** How often a standby tries to take the lead (default 1 000 ms). */
  retryMs?: number;
  /** Called when this process becomes the leader; leadership work starts here. */
  onLead: () => Promise<void> | void;
  /** Called when leadership is lost (connection failure) or given up (stop); leadership work stops here. */
  onStepDown: () => Promise<void> | void;
  onError?: (error: Error) => void;
}

export class LeaderLock {
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaderLockOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts trying to lead; returns at once (the first attempt runs now, in the background). */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Steps down (running `onStepDown` if leading), releases the lock by closing the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.transition;
    await this.stepDown();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.transition = this.transition.then(() => this.tryToLead());
    }, delayMs);
  }

  private async tryToLead(): Promise<void> {
    if (this.stopped || this.leading) return;
    try {
      const client = this.client ?? (await this.connect());
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.options.name]);
      if (rows[0]?.locked && !this.stopped) {
        this.leading = true;
        await this.options.onLead();
        return;
      }
      if (rows[0]?.locked) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.options.name]);
    } catch (error) {
      this.options.onError?.(error as Error);
      await this.dropConnection();
    }
    this.schedule(this.options.retryMs ?? 1_000);
  }

  private async connect(): Promise<Client> {
    // TCP keepalive: a leader cut off from the server by the network notices its dead session (and steps down)
    // instead of waiting on a socket that never errors.
    const client = new Client({ keepAlive: true, keepAliveInitialDelayMillis: 5_000, ...this.options.connection });
    // A broken session means the server has released the lock (or is about to): stop leading now.
    client.on('error', (error) => {
      this.options.onError?.(error);
      void this.lost();
    });
    client.on('end', () => void this.lost());
    await client.connect();
    this.client = client;
    return client;
  }

  private lost(): Promise<void> {
    this.client = undefined;
    this.transition = this.transition.then(async () => {
      const wasLeading = this.leading;
      this.leading = false;
      if (wasLeading) await this.options.onStepDown();
      this.schedule(this.options.retryMs ?? 1_000);
    });
    return this.transition;
  }

  private async stepDown(): Promise<void> {
    const wasLeading = this.leading;
    this.leading = false;
    if (wasLeading) await this.options.onStepDown();
    await this.dropConnection();
  }

  private async dropConnection(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}
