/**
 * Makes accepted findings durable: `FindingReceived` events, appended in chunks of up to 1000 per
 * transaction on batch streams (`finding-<batch>-<n>`, routed by each event's leakid), which the
 * relay/bus delivers to leak-lifecycle. Only after every append succeeded does HTTP answer 201/202.
 * Findings are normalised one by one as they are read, so no plaintext outlives its record.
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

export interface IntakeBatch {
  readonly batchId: string;
  /** Normalises one finding now (the plaintext is not kept). */
  add(input: FindingInput): FindingReceivedV1;
  readonly size: number;
}

const CHUNK = 1000;

@Injectable()
export class FindingIntake implements OnModuleInit {
  private key?: Buffer;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Inject(PG_POOL) private readonly pool: Pool) {}

  async onModuleInit(): Promise<void> {
    this.key = await loadLeakIdKey(this.pool);
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ingest_leaks (leakid text PRIMARY KEY, first_seen timestamptz NOT NULL DEFAULT now())`);
  }

  begin(caller: Caller): IntakeBatch & { findings: FindingReceivedV1[]; caller: Caller; at: string } {
    const key = this.key;
    if (!key) throw new Error('FindingIntake used before initialisation');
    const batchId = randomUUID();
    const at = new Date().toISOString();
    const findings: FindingReceivedV1[] = [];
    return {
      batchId,
      findings,
      caller,
      at,
      get size() {
        return findings.length;
      },
      add(input: FindingInput) {
        const finding = normalizeFinding(input, { key, orgId: caller.orgId ?? null, at, batchId });
        findings.push(finding);
        return finding;
      },
    };
  }

  /** Appends the batch durably and tells new leaks from duplicates. */
  async commit(batch: ReturnType<FindingIntake['begin']>): Promise<IntakeResult> {
    const { caller, findings, batchId, at } = batch;
    const metadata = { occurred_at: at, actor: { key_id: caller.keyId, org_id: caller.orgId, role: caller.role, user_email: caller.email }, correlation_id: batchId };
    for (let offset = 0, chunk = 0; offset < findings.length; offset += CHUNK, chunk++) {
      const slice = findings.slice(offset, offset + CHUNK);
      await this.store.appendToStream(
        `finding-${batchId}-${chunk}`,
        slice.map((finding) => ({ id: finding.finding_id, type: FINDING_RECEIVED, data: finding, metadata })),
        { expectedRevision: 'no_stream' },
      );
    }
    const leakids = [...new Set(findings.map((f) => f.leakid))];
    let created = 0;
    for (let offset = 0; offset < leakids.length; offset += 10_000) {
      const fresh = await this.pool.query(`INSERT INTO ingest_leaks (leakid) SELECT unnest($1::text[]) ON CONFLICT (leakid) DO NOTHING`, [leakids.slice(offset, offset + 10_000)]);
      created += fresh.rowCount ?? 0;
    }
    return { leakids, created, duplicates: findings.length - created, batch_id: batchId };
  }

  async accept(caller: Caller, inputs: FindingInput[]): Promise<IntakeResult> {
    const batch = this.begin(caller);
    inputs.forEach((input) => batch.add(input));
    return this.commit(batch);
  }
}
