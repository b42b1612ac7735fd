/**
 * access-control's read model as a specification: given these events → then these rows, whether the events
 * arrive one by one, twice each, or as one page.
 */
import type { Pool } from 'pg';
import { apiKeyAggregate, apiKeyStream, domainAggregate, domainStream, organizationAggregate, orgStream } from '@leakwatch/access-control/domain';
import { InMemoryEventStore, RecordedEvent, decideAndAppend } from '@leakwatch/event-store';
import { ThrowawayPostgres, projectionSpecification, startThrowawayPostgres } from '@leakwatch/testing';
import { accessProjection } from '../src/read-model/access.projection';

const ORG = '6f1d2c1e-0000-4000-8000-000000000001';
const KEY = '6f1d2c1e-0000-4000-8000-0000000000aa';
const at = (minute: number) => `2026-11-25T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('access-control projection', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  const spec = projectionSpecification<RecordedEvent>(accessProjection, () => pool);

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('access_projection');
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await pg?.stop();
  });

  /** Events exactly as the command loop records them. */
  async function history(): Promise<RecordedEvent[]> {
    const store = new InMemoryEventStore();
    await decideAndAppend(store, orgStream(ORG), organizationAggregate, { type: 'CreateOrganization', orgId: ORG, name: ' Acme ' }, { occurred_at: at(0) });
    const key = { key_id: KEY, name: 'ci', role: 'analyst' as const, org_id: ORG, user_email: null, type: 'private' as const, limit: 100, expires_at: null, key_hash: 'h1', prefix: 'lw_ab' };
    await decideAndAppend(store, apiKeyStream(KEY), apiKeyAggregate, { type: 'IssueApiKey', key, at: at(1) }, {});
    await decideAndAppend(store, apiKeyStream(KEY), apiKeyAggregate, { type: 'RotateApiKey', keyId: KEY, keyHash: 'h2', prefix: 'lw_cd', at: at(2) }, {});
    await decideAndAppend(store, apiKeyStream(KEY), apiKeyAggregate, { type: 'RevokeApiKey', keyId: KEY, at: at(3) }, {});
    const domain = domainStream(ORG, 'acme.example');
    await decideAndAppend(store, domain, domainAggregate, { type: 'ClaimDomain', orgId: ORG, domain: 'acme.example', token: 't1', at: at(4) }, {});
    await decideAndAppend(store, domain, domainAggregate, { type: 'RecordVerification', method: 'dns', at: at(5), validForDays: 30 }, {});
    await decideAndAppend(store, domain, domainAggregate, { type: 'RevokeDomain', at: at(6) }, {});
    // Claimed again after the revocation: a new token, pending, the old verification forgotten.
    await decideAndAppend(store, domain, domainAggregate, { type: 'ClaimDomain', orgId: ORG, domain: 'acme.example', token: 't2', at: at(7) }, {});
    return store.readAll();
  }

  it('an organisation: its trimmed name, created when the event happened', async () => {
    await spec.given(await history()).then(`SELECT org_id, name, created_at FROM ac_orgs`, [{ org_id: ORG, name: 'Acme', created_at: new Date(at(0)) }]);
  });

  it('a key issued, rotated and revoked: the last prefix, both times, the stream revision', async () => {
    await spec.given(await history()).then(`SELECT key_id, prefix, role, org_id, rotated_at, revoked_at, revision FROM ac_api_keys`, [
      { key_id: KEY, prefix: 'lw_cd', role: 'analyst', org_id: ORG, rotated_at: new Date(at(2)), revoked_at: new Date(at(3)), revision: 2 },
    ]);
  });

  it('a domain claimed, verified, revoked and claimed again: pending with the new token only', async () => {
    await spec.given(await history()).then(`SELECT domain, status, token, method, verified_at, revoked_at, revision FROM ac_domains`, [
      { domain: 'acme.example', status: 'pending', token: 't2', method: null, verified_at: null, revoked_at: null, revision: 3 },
    ]);
  });
});
