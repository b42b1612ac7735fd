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

  async save(name: string, position: GlobalPosition): Promise<void> {
    await this.pool.query(
      `INSERT INTO messaging_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
      [name, encodePosition(position)],
    );
  }
}
