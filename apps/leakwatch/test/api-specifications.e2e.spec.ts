/**
 * The command handlers of access control, ingest and leak decisions as specifications: given the streams
 * already hold these events, when this HTTP request arrives, then this answer and exactly these new events
 * (or none). Every service module in one process (embedded mode), real PostgreSQL, real HTTP.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { domainStream, orgStream } from '@leakwatch/access-control/domain';
import { LEAK_ID_PATTERN, leakStream } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { RunningLeakwatch, loadConfig, startLeakwatch } from '@leakwatch/runtime';
import { ThrowawayPostgres, apiSpecification, startThrowawayPostgres } from '@leakwatch/testing';
import { embeddedModules } from '../src/services';

const ADMIN_KEY = 'lw_api_specification_admin_key_0123456789';

describe('command handlers as specifications (given events → when a request → then an answer and events)', () => {
  let pg: ThrowawayPostgres;
  let app: RunningLeakwatch;
  let store: EventStore;
  // The gateway counts each key's requests and writes the counts every second: not any request's events.
  const spec = apiSpecification(() => ({ url: app.url, store, background: /^usage-/ }));
  const orgA = randomUUID();
  const orgB = randomUUID();
  const keys: Record<'adminA' | 'analystA' | 'adminB', string> = { adminA: '', analystA: '', adminB: '' };
  const organization = (orgId: string, name: string) => ({ [orgStream(orgId)]: [{ type: 'OrganizationCreated', data: { org_id: orgId, name } }] });

  const leakDetected = (leakid: string, orgId: string) => ({
    type: 'LeakDetected',
    data: {
      leakid, kind: 'token', secret_type: 'github-pat', fingerprint: createHash('sha256').update(randomBytes(16)).digest('hex'), preview: 'ghp_…(40)',
      identity: null, site: null, org_id: orgId, source: { name: 'spec', url: null }, risk: 'high', blockable: true, location: null,
      detected_at: new Date().toISOString(), finding_id: randomUUID(),
    },
  });
  const newLeakId = () => randomBytes(16).toString('hex');

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    app = await startLeakwatch(
      { name: 'all', modules: embeddedModules() },
      { ...loadConfig({ LOG_LEVEL: 'silent' }), port: 0, databaseUrl: await pg.newDatabase('api_specifications'), adminKey: ADMIN_KEY },
    );
    store = app.app.get<EventStore>(EVENT_STORE);
    // The organisations exist as events only; keys for them are issued through the API.
    const issued = await spec
      .given({ ...organization(orgA, 'Acme'), ...organization(orgB, 'Bravo') })
      .when({ method: 'POST', path: '/api/v1/api-keys', key: ADMIN_KEY, body: { name: 'sec', role: 'admin', org_id: orgA } })
      .then({ status: 201, body: { role: 'admin', org_id: orgA }, events: [{ stream: /^apikey-/, type: 'ApiKeyIssued', data: { role: 'admin', org_id: orgA } }] });
    keys.adminA = (issued.body as { key: string }).key;
    const issue = async (role: string, org_id: string) =>
      (await (await fetch(`${app.url}/api/v1/api-keys`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: role, role, org_id }) })).json()) as { key: string };
    keys.analystA = (await issue('analyst', orgA)).key;
    keys.adminB = (await issue('admin', orgB)).key;
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await pg?.stop();
  });

  describe('access control', () => {
    it('an org admin issues a key in its own organisation, never a global one', async () => {
      await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/api-keys', key: keys.adminA, body: { name: 'ci', role: 'analyst' } })
        .then({ status: 201, body: { role: 'analyst', org_id: orgA }, events: [{ stream: /^apikey-/, type: 'ApiKeyIssued', data: { role: 'analyst', org_id: orgA, name: 'ci' } }] });
      await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/api-keys', key: keys.adminA, body: { name: 'root', role: 'global_admin' } })
        .then({ status: 403, body: { type: expect.stringMatching(/forbidden-role$/) }, events: [] });
    });

    it('refuses a key for another organisation, or for one that does not exist, recording nothing', async () => {
      await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/api-keys', key: keys.adminA, body: { name: 'x', role: 'analyst', org_id: orgB } })
        .then({ status: 403, body: { type: expect.stringMatching(/foreign-organization$/) }, events: [] });
      const nowhere = randomUUID();
      await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/api-keys', key: ADMIN_KEY, body: { name: 'x', role: 'analyst', org_id: nowhere } })
        .then({ status: 404, body: { type: expect.stringMatching(/org-not-found$/), detail: `No organisation ${nowhere}.` }, events: [] });
    });

    it('revokes a claimed domain; a domain never claimed answers 404', async () => {
      const domain = `spec-${randomBytes(3).toString('hex')}.example`;
      const stream = domainStream(orgA, domain);
      await spec
        .given({ [stream]: [{ type: 'DomainClaimed', data: { org_id: orgA, domain, token: 'tok', claimed_at: new Date().toISOString() } }] })
        .when({ method: 'DELETE', path: `/api/v1/domains/${domain}`, key: keys.adminA })
        .then({ status: 200, body: { domain, status: 'revoked' }, events: [{ stream, type: 'DomainRevoked', data: { org_id: orgA, domain } }] });
      await spec
        .given()
        .when({ method: 'DELETE', path: `/api/v1/domains/never-${domain}`, key: keys.adminA })
        .then({ status: 404, body: { type: expect.stringMatching(/domain-not-claimed$/) }, events: [] });
    });
  });

  describe('ingest', () => {
    it('records a finding per secret added by hand; an analyst adds nothing', async () => {
      const token = `ghp_${randomBytes(18).toString('hex')}`;
      const added = await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/leaks', key: keys.adminA, body: { source: { name: 'spec' }, tokens: [{ value: token }] } })
        .then({ status: 201, events: [{ stream: /^finding-/, type: 'FindingReceived', data: { org_id: orgA, kind: 'token', source: { name: 'spec' } } }] });
      expect((added.body as { leakids: string[] }).leakids).toEqual([expect.stringMatching(LEAK_ID_PATTERN)]);
      expect(JSON.stringify(added.events.map((e) => e.data))).not.toContain(token); // the secret itself is never stored
      await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/leaks', key: keys.analystA, body: { source: { name: 'spec' }, tokens: [{ value: `ghp_${randomBytes(18).toString('hex')}` }] } })
        .then({ status: 403, events: [] });
    });
  });

  describe('leak decisions', () => {
    it('fixing an open leak records the change from open to fixed', async () => {
      const leakid = newLeakId();
      await spec
        .given({ [leakStream(leakid)]: [leakDetected(leakid, orgA)] })
        .when({ method: 'POST', path: '/api/v1/leaks/status', key: keys.adminA, body: { leakid, status: 'fixed', comment: 'rotated' } })
        .then({
          status: 200,
          body: { results: [{ leakid, status: 'fixed', previous_status: 'open', changed: true }], updated: 1, unchanged: 0 },
          events: [{ stream: leakStream(leakid), type: 'LeakStatusChanged', data: { from: 'open', to: 'fixed', comment: 'rotated', reason: 'decision' } }],
        });
    });

    it('patching a fixed leak is refused and records nothing', async () => {
      const leakid = newLeakId();
      await spec
        .given({ [leakStream(leakid)]: [leakDetected(leakid, orgA), { type: 'LeakStatusChanged', data: { leakid, from: 'open', to: 'fixed', comment: null, reason: 'decision' } }] })
        .when({ method: 'POST', path: '/api/v1/leaks/virtual-patch', key: keys.adminA, body: { leakid, enabled: true } })
        .then({ status: 409, events: [] });
    });

    it('another organisation’s leak is not found, and an analyst decides nothing', async () => {
      const leakid = newLeakId();
      await spec
        .given({ [leakStream(leakid)]: [leakDetected(leakid, orgB)] })
        .when({ method: 'POST', path: '/api/v1/leaks/status', key: keys.adminA, body: { leakid, status: 'fixed' } })
        .then({ status: 404, events: [] });
      await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/leaks/status', key: keys.analystA, body: { leakid, status: 'fixed' } })
        .then({ status: 403, events: [] });
      await spec
        .given()
        .when({ method: 'POST', path: '/api/v1/leaks/status', key: keys.adminB, body: { leakid, status: 'false_positive' } })
        .then({ status: 200, events: [{ stream: leakStream(leakid), type: 'LeakStatusChanged', data: { from: 'open', to: 'false_positive' } }] });
    });
  });
});
