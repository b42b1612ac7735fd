/** Durable relay checkpoints in PostgreSQL (`messaging_checkpoints`), as `<commit>/<prepare>` text. */
import type { Pool } from 'pg';
import { GlobalPosition, decodePosition, encodePosition } from '@leakwatch/event-store';
import { CheckpointStore } from '../relay/checkpoint-store.port';
import { ensureMessagingSchema } from './messaging-schema';

export class PostgresCheckpointStore implements CheckpointStore {
  private constructor(private readonly pool: Pool) {}

  /** Creates the tables if needed. The pool stays owned by the caller. */
  static async create(pool: Pool): Promise<PostgresCheckpointStore> {
    await ensureMessagingSchema(pool);
    return new PostgresCheckpointStore(pool);
  }

  async load(name: string): Promise<GlobalPosition | undefined> {
    const result = await this.pool.query<{ position: string }>('SELECT position FROM messaging_checkpoints WHERE name = $1', [name]);
    return result.rows[0] ? decodePosition(result.rows[0].position) : undefined;
  }

  /**
   * Commits without waiting for the WAL flush (`synchronous_commit` off for this statement's transaction only):
   * a checkpoint is saved after the work it covers committed — earlier in the WAL, which is written in order —
   * so a crash can lose a checkpoint but never keep one past work that was lost; a lost one means redelivery,
   * which consumers and the relay handle already (at-least-once). Saves are frequent; flushes are not free.
   */
  async save(name: string, position: GlobalPosition): Promise<void> {
    await this.pool.query(
      `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO messaging_checkpoints (name, position, updated_at) SELECT $1, $2, now() FROM relaxed
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
      [name, encodePosition(position)],
    );
  }
}
