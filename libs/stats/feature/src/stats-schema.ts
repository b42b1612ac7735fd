/**
 * Creates the stats context's own tables (`st_*`) once per process, before the consumers start.
 * Read models are disposable: dropping them and the consumer groups' offsets rebuilds them from the topics.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';
import { PG_POOL } from '@leakwatch/runtime';
import { API_USAGE_SCHEMA_SQL } from './usage/api-usage.read-model';
import { LEAK_STATS_SCHEMA_SQL } from './leaks/leak-stats.read-model';
import { LEAK_VERSIONS_SCHEMA_SQL } from './leaks/leak-versions.read-model';
import { LEAK_DECISIONS_SCHEMA_SQL } from './reports/leak-decisions.read-model';

export function setUpStatsSchema(pool: Pool): Promise<void> {
  return createSchemaOnce(pool, 'leakwatch:stats-schema', async (client) => {
    await client.query(API_USAGE_SCHEMA_SQL);
    await client.query(LEAK_STATS_SCHEMA_SQL);
    await client.query(LEAK_VERSIONS_SCHEMA_SQL);
    await client.query(LEAK_DECISIONS_SCHEMA_SQL);
  });
}

@Injectable()
export class StatsSchema {
  private done?: Promise<void>;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  ready(): Promise<void> {
    this.done ??= setUpStatsSchema(this.pool).catch((error) => {
      this.done = undefined;
      throw error;
    });
    return this.done;
  }
}
