/**
 * The TypeScript policy and its SQL mirror must agree: generated callers × generated leaks, each leak's
 * type decided by `classifyLeak`/`canRead` and by `leakTypeSql`/`leakVisibleSql` evaluated in a real
 * PostgreSQL, over the columns as the read models store them (lowercase email, its domain, site domain, org).
 * Small alphabets make the interesting coincidences (same email, vouched or not, own org) frequent.
 */
import fc from 'fast-check';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { Caller, LeakAccessFacts, ROLES, canRead, classifyLeak, emailDomain, leakTypeSql, leakVisibleSql } from '../src';

const DOMAINS = ['alpha.example', 'eu.alpha.example', 'bravo.example', 'notalpha.example'];
const ORGS = ['org-a', 'org-b'];
const email = fc.tuple(fc.constantFrom('ceo', 'dev'), fc.constantFrom(...DOMAINS)).map(([local, domain]) => `${local}@${domain}`);

const callers = fc.record({
  keyId: fc.constant('k'),
  role: fc.constantFrom(...ROLES),
  orgId: fc.option(fc.constantFrom(...ORGS), { nil: undefined }),
  email: fc.option(email, { nil: undefined }),
  verifiedDomains: fc.subarray(DOMAINS.slice(0, 3)),
}) as fc.Arbitrary<Caller>;

const leaks = fc.record({
  identityEmail: fc.option(email, { nil: undefined }),
  siteDomain: fc.option(fc.constantFrom(...DOMAINS, 'shop.bravo.example'), { nil: undefined }),
  ingestedByOrgId: fc.option(fc.constantFrom(...ORGS), { nil: undefined }),
}) as fc.Arbitrary<LeakAccessFacts>;

describe('policy: TypeScript and SQL agree (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  let query: (sql: string, params: unknown[]) => Promise<{ rows: Array<{ type: string | null; visible: boolean }> }>;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    const pool = await pg.newPool('authz');
    query = (sql, params) => pool.query(sql, params);
  });
  afterAll(async () => pg?.stop());

  it('gives every generated caller the same type and visibility for every generated leak', async () => {
    await fc.assert(
      fc.asyncProperty(callers, fc.array(leaks, { minLength: 1, maxLength: 8 }), async (caller, facts) => {
        const params: unknown[] = [];
        const bind = (value: unknown) => `$${params.push(value)}`;
        const rows = facts
          .map((f) => {
            const columns = [f.identityEmail ?? null, emailDomain(f.identityEmail) ?? null, f.siteDomain ?? null, f.ingestedByOrgId ?? null];
            return `(${columns.map((c) => `${bind(c)}::text`).join(', ')}, ${facts.indexOf(f)})`;
          })
          .join(', ');
        const sql = `SELECT ${leakTypeSql(caller, bind)} AS type, ${leakVisibleSql(caller, bind)} AS visible
          FROM (VALUES ${rows}) AS leaks (identity_email, identity_domain, site_domain, org_id, i) ORDER BY i`;
        const { rows: fromSql } = await query(sql, params);
        facts.forEach((f, i) => {
          expect({ leak: f, type: fromSql[i].type }).toEqual({ leak: f, type: classifyLeak(caller, f) });
          // NULL in a WHERE clause is "not visible", as false.
          expect({ leak: f, visible: fromSql[i].visible === true }).toEqual({ leak: f, visible: canRead(caller, f).allowed });
        });
      }),
      { numRuns: 300, seed: 20261207 },
    );
  }, 120_000);
});
