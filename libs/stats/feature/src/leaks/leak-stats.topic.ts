/**
 * The stats leak read model (`st_leaks`, `st_leak_activity`, `st_leak_decisions`) as one registered topic
 * read model: what LeakStatsConsumer applies live, page by page, and what `leakwatch projections rebuild
 * stats` replays — the same `applyMessages`, so both give the same rows.
 */
import type { PoolClient } from 'pg';
import { CloudEvent, TOPICS, TopicReadModel } from '@leakwatch/messaging';
import { LEAK_DECISIONS_SCHEMA_SQL, LEAK_DECISIONS_TABLES, readLeakDecision } from '../reports/leak-decisions.read-model';
import { readLeakEvent } from './leak-events.reader';
import { LEAK_STATS_SCHEMA_SQL, LEAK_STATS_TABLES, LeakStatsItem, applyLeakFactsPage } from './leak-stats.read-model';

/** The facts of a page (with each status change's decision row); `skipped` hears of events without a stream revision. */
export function leakStatsItems(messages: CloudEvent[], skipped?: (event: CloudEvent) => void): LeakStatsItem[] {
  return messages.flatMap((event) => {
    const fact = readLeakEvent(event);
    if (!fact) {
      if (!event.extensions?.streamrevision) skipped?.(event);
      return [];
    }
    const decision = readLeakDecision(event);
    return [{ fact, decision }];
  });
}

export const leakStatsReadModel: TopicReadModel = {
  name: 'stats-leaks',
  topic: TOPICS.leaks,
  tables: [...LEAK_STATS_TABLES, ...LEAK_DECISIONS_TABLES],
  async setup(client: PoolClient) {
    await client.query(LEAK_STATS_SCHEMA_SQL);
    await client.query(LEAK_DECISIONS_SCHEMA_SQL);
  },
  applyMessages: (messages, client) => applyLeakFactsPage(client, leakStatsItems(messages)),
};
