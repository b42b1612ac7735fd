/**
 * `leakwatch history <leakid>`: a leak's full audit trail straight from the event store (every event:
 * revision, type, time, actor, data), as a table, JSON or CSV — for auditors, and for when the API is down.
 */
import { Command, Option } from 'commander';
import { isLeakId, withoutPasswordHash } from '@leakwatch/contracts';
import { openDatabase } from '../database';
import { openEventSource } from '../projections/event-source';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description("Export a leak's history (every event, oldest first) from the event store")
    .argument('<leakid>', '32 lowercase hex characters')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--as-of <time>', 'only the events up to this ISO 8601 time')
    .action(async (leakid: string, options: { format: 'table' | 'json' | 'csv'; asOf?: string }) => {
      if (!isLeakId(leakid)) throw new Error(`"${leakid}" is not a leak id (32 lowercase hex characters)`);
      const asOf = options.asOf ? new Date(options.asOf) : undefined;
      if (asOf && Number.isNaN(asOf.getTime())) throw new Error(`--as-of "${options.asOf}" is not an ISO 8601 time`);
      const db = await openDatabase();
      const source = await openEventSource(db.pool, db.describe).catch(async (error) => {
        await db.close();
        throw error;
      });
      try {
        const events = (await source.store.readStream(`leak-${leakid}`))
          .map((e) => ({ revision: e.revision, type: e.type, time: (e.metadata.occurred_at as string | undefined) ?? e.recordedAt.toISOString(), actor: e.metadata.actor ?? null, data: e.type === 'LeakDetected' ? withoutPasswordHash(e.data as { kind?: unknown; fingerprint?: string | null }) : e.data }))
          .filter((e) => !asOf || e.time <= asOf.toISOString());
        if (!events.length) throw new Error(`no events for leak ${leakid}${asOf ? ` up to ${asOf.toISOString()}` : ''}`);
        if (options.format === 'json') return console.log(JSON.stringify({ leakid, events }, null, 2));
        if (options.format === 'csv') {
          const quote = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
          console.log('revision,type,time,actor_key_id,actor_role,actor_email,data');
          for (const e of events) {
            const actor = (e.actor ?? {}) as { key_id?: string; role?: string; user_email?: string };
            console.log([e.revision, e.type, e.time, actor.key_id, actor.role, actor.user_email, JSON.stringify(e.data)].map(quote).join(','));
          }
          return;
        }
        console.table(events.map((e) => ({ revision: e.revision, type: e.type, time: e.time, actor: describeActor(e.actor), change: summary(e.type, e.data) })));
      } finally {
        await source.close();
        await db.close();
      }
    });
}

function describeActor(actor: unknown): string {
  const a = (actor ?? {}) as { user_email?: string; role?: string; key_id?: string };
  return [a.user_email, a.role].filter(Boolean).join(' / ') || a.key_id || 'system';
}

function summary(type: string, data: unknown): string {
  const d = data as Record<string, unknown>;
  if (type === 'LeakStatusChanged') return `${d.from} → ${d.to}${d.comment ? ` (${d.comment})` : ''}`;
  if (type === 'LeakDetected' || type === 'LeakSighted') return `source ${(d.source as { name?: string })?.name ?? '?'}`;
  if (type === 'LeakedTokenUseAttempted') return `${typeof d.count === 'number' && d.count > 1 ? `${d.count} attempts, ` : ''}${d.blocked ? 'blocked' : 'not blocked'}`;
  return '';
}
