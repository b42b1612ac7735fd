/**
 * Makes accepted findings durable: one `FindingReceived` per finding on the leak's finding stream
 * (`finding-<leakid>`), which the relay/bus delivers to leak-lifecycle. Only after every append
 * succeeded does the HTTP layer answer 201/202. Also tells new leaks from duplicates.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { FINDING_RECEIVED, FindingReceivedV1 } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { PG_POOL } from '@leakwatch/runtime';
import { FindingInput, normalizeFinding } from '../normalization/normalize-finding';
import { loadLeakIdKey } from './leak-id-key';

export interface IntakeResult {
  leakids: string[];
  created: number;
  duplicates: number;
  batch_id: string;
}

@Injectable()
export class FindingIntake implements OnModuleInit {
  private key?: Buffer;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(PG_POOL) private readonly pool: Pool) {}

  async onModuleInit(): Promise<void> {
    this.key = await loadLeakIdKey(this.pool);
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ingest_leaks (leakid text PRIMARY KEY, first_seen timestamptz NOT NULL DEFAULT now())`);
  }

  async accept(caller: Caller, inputs: FindingInput[]): Promise<IntakeResult> {
    const batchId = randomUUID();
    const at = new Date().toISOString();
    const findings = inputs.map((input) => normalizeFinding(input, { key: this.key!, orgId: caller.orgId ?? null, at, batchId }));
    const metadata = { occurred_at: at, actor: { key_id: caller.keyId, org_id: caller.orgId, role: caller.role, user_email: caller.email }, correlation_id: batchId };
    for (const finding of findings) await this.append(finding, metadata);
    const fresh = await this.pool.query<{ leakid: string }>(
      `INSERT INTO ingest_leaks (leakid) SELECT DISTINCT unnest($1::text[]) ON CONFLICT (leakid) DO NOTHING RETURNING leakid`,
      [findings.map((f) => f.leakid)],
    );
    const leakids = [...new Set(findings.map((f) => f.leakid))];
    return { leakids, created: fresh.rowCount ?? 0, duplicates: findings.length - (fresh.rowCount ?? 0), batch_id: batchId };
  }

  private async append(finding: FindingReceivedV1, metadata: Record<string, unknown>): Promise<void> {
    await this.store.appendToStream(
      `finding-${finding.leakid}`,
      [{ id: finding.finding_id, type: FINDING_RECEIVED, data: finding, metadata }],
      { expectedRevision: 'any' },
    );
  }
}
