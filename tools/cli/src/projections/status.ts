/** What `projections list` shows per runner: its tables (rows), its checkpoint, and how far it is behind. */
import type { Pool } from 'pg';
import { comparePositions, decodePosition } from '@leakwatch/event-store';
import { unionFilter } from '@leakwatch/projections';
import { EventSource } from './event-source';
import { RunnerDefinition, runnerTables } from './registry';

export interface RunnerStatus {
  runner: string;
  service: string;
  /** `rows` is null while the table does not exist yet (the runner never started). */
  tables: Array<{ name: string; rows: number | null }>;
  checkpoint: string | null;
  checkpoint_updated_at: string | null;
  /** Events after the checkpoint that the runner reads (its projections' filter): what it still has to apply. */
  lag: number;
}

export async function runnerStatus(pool: Pool, source: EventSource, runner: RunnerDefinition): Promise<RunnerStatus> {
  const tables = [];
  for (const name of runnerTables(runner)) {
    const { rows } = await pool.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
    // Table names come from our own projection definitions, never from user input.
    const count = rows[0].present ? Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)).rows[0].n) : null;
    tables.push({ name, rows: count });
  }
  const checkpoint = (runner.busGroups && (await busCheckpoint(pool, runner.busGroups))) || (await readCheckpoint(pool, runner.name));
  return {
    runner: runner.name,
    service: runner.service,
    tables,
    checkpoint: checkpoint?.position ?? null,
    checkpoint_updated_at: checkpoint?.updated_at.toISOString() ?? null,
    lag: await source.count(checkpoint ? decodePosition(checkpoint.position) : undefined, unionFilter(runner.projections)),
  };
}

async function readCheckpoint(pool: Pool, name: string): Promise<{ position: string; updated_at: Date } | undefined> {
  const { rows: present } = await pool.query<{ present: boolean }>(`SELECT to_regclass('projection_checkpoints') IS NOT NULL AS present`);
  if (!present[0].present) return undefined;
  const { rows } = await pool.query<{ position: string; updated_at: Date }>(`SELECT position, updated_at FROM projection_checkpoints WHERE name = $1`, [name]);
  return rows[0];
}

/**
 * A bus-fed read model's checkpoint: the least advanced of its consumer groups' (any service prefix) in
 * messaging_checkpoints — the embedded-mode bus; undefined when none has one (Kafka mode, or never ran).
 */
async function busCheckpoint(pool: Pool, groups: string[]): Promise<{ position: string; updated_at: Date } | undefined> {
  const { rows: present } = await pool.query<{ present: boolean }>(`SELECT to_regclass('messaging_checkpoints') IS NOT NULL AS present`);
  if (!present[0].present) return undefined;
  const { rows } = await pool.query<{ name: string; position: string; updated_at: Date }>(
    `SELECT name, position, updated_at FROM messaging_checkpoints WHERE name LIKE 'bus:%' AND split_part(name, '.', 2) <> '' AND EXISTS (
       SELECT 1 FROM unnest($1::text[]) AS g(suffix) WHERE right(name, length(g.suffix) + 1) = '.' || g.suffix)`,
    [groups],
  );
  // Every group must have one: a group that never ran has everything still to do.
  if (!groups.every((g) => rows.some((r) => r.name.endsWith(`.${g}`)))) return undefined;
  return rows.reduce<(typeof rows)[number] | undefined>((least, r) => (!least || comparePositions(decodePosition(r.position), decodePosition(least.position)) < 0 ? r : least), undefined);
}
