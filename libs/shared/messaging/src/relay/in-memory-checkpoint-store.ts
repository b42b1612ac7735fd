/** Checkpoints for unit tests; `saves` records every write so tests can assert when a checkpoint moved. */
import type { GlobalPosition } from '@leakwatch/event-store';
import { CheckpointStore } from './checkpoint-store.port';

export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, GlobalPosition>();
  readonly saves: Array<{ name: string; position: GlobalPosition }> = [];

  async load(name: string): Promise<GlobalPosition | undefined> {
    return this.positions.get(name);
  }

  async save(name: string, position: GlobalPosition): Promise<void> {
    this.positions.set(name, position);
    this.saves.push({ name, position });
  }
}
