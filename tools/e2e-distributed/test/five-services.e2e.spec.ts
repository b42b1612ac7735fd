/**
 * Distributed mode end to end: the six services as six Node processes (their real entry points), each with
 * its own PostgreSQL database, integration events over the Kafka protocol (kafka-mock), every request through
 * the gateway. One round of the product's main path: an organisation's admin adds a leak by hand and uploads a
 * gitleaks report, fixes one leak, virtually patches another, a gateway check of the patched token is blocked,
 * the attempt shows in the leak's history and in `/api/v1/stats/leaks`, `/api/stats` counts the requests, and
 * the fix reaches a webhook subscribed through the notifications service (delivered at least once).
 *
 * Each round also issues an API key and rotates it through the gateway (access-control's flow: the gateway
 * learns both from `leakwatch.access.v1`; the new secret works, the old one is refused).
 *
 * Then the same round once per service while that service is killed with SIGKILL at a random moment of it and
 * restarted: nothing acknowledged is lost, nothing is applied twice. The moment is drawn (seeded) within the
 * measured duration of an undisturbed round, so it falls mid-flow. A request that got no answer (the process
 * died under it) may or may not have happened, so each figure is held between what was acknowledged and what
 * was sent; with nothing unanswered that is an exact count.
 *
 * The gateway counts usage and records token-use attempts in batches off the request path; the README promises
 * that a SIGKILL of the gateway loses at most its last unflushed second of usage counts and of recorded
 * attempts. So after the gateway's kill the lower bounds are what was acknowledged minus exactly those: the
 * requests (attempts) the old process acknowledged in the last 1 000 ms before the kill.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { CloudEvent as SdkCloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { Kafka, logLevel } from 'kafkajs';
import { asyncApiDocument } from '@leakwatch/contracts';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { Cluster, databasePerService, eventually, eventuallyDefined, KafkaMock, seededRandom, SERVICES, startCluster, startKafkaMock, startThrowawayPostgres, TEST_BROKER_ENV, ThrowawayPostgres } from '@leakwatch/testing';

const ADMIN_KEY = 'lw_five_services_admin_key_0123456789abc';
const SEED = Number(process.env.LEAKWATCH_E2E_SEED ?? Date.now() % 1_000_000);


interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** When the answered request was sent and its answer arrived (ms since the epoch). */
  sentAt: number;
  answeredAt: number;
}

/** An acknowledged request, timed: the gateway admitted it between `sentAt` and `answeredAt`. */
type Ack = Pick<Answer, 'sentAt' | 'answeredAt'>;

/** A SIGKILL: signalled at `at`, the process gone at `goneAt`. */
interface Kill {
  at: number;
  goneAt: number;
}

/**
 * How many acknowledged requests a SIGKILL of the gateway may have lost, by the README's bound: those the killed
 * process answered (sent before it was gone) within `windowMs` before the kill. Everything else must be counted.
 */
function lossBound(acks: Ack[], kills: Kill[], windowMs: number): number {
  return kills.reduce((n, kill) => n + acks.filter((a) => a.answeredAt > kill.at - windowMs && a.sentAt < kill.goneAt).length, 0);
}
/** The README: "loses at most its last unflushed second of usage counts and of recorded token-use attempts". */
const USAGE_FLUSH_MS = 1_000;
const ATTEMPTS_FLUSH_MS = 1_000;

/** Per-figure bookkeeping: `acked` requests were answered 2xx, `sent` is every attempt (answered or not). */
class Tally {
  acked = 0;
  sent = 0;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const token = () => `ghp_${randomBytes(18).toString('hex')}`;

function gitleaksReport(secrets: string[]): string {
  return JSON.stringify(
    secrets.map((secret, i) => ({
      RuleID: 'github-pat', Description: 'GitHub Personal Access Token', StartLine: i + 1, EndLine: i + 1, StartColumn: 1,
      EndColumn: 40, Match: `token = "${secret}"`, Secret: secret, File: `config/${i}.env`, SymlinkFile: '',
      Commit: randomBytes(20).toString('hex'), Entropy: 4.5, Author: 'dev', Email: 'dev@acme.test',
      Date: '2026-11-01T10:00:00Z', Message: 'add config', Tags: [], Fingerprint: `${i}`, Link: '',
    })),
  );
}

describe('distributed mode: six services as processes, over the Kafka protocol', () => {
  let pg: ThrowawayPostgres;
  let kafka: KafkaMock;
  let cluster: Cluster;
  let orgAdmin: string;
  let orgAdminId: string;
  const rng = seededRandom(SEED);
  // Figures across all rounds, for the organisation-wide checks.
  const requests = new Tally(); // every request of the org admin key that /api/stats counts
  const attempts = new Tally(); // blocked token checks (each records one attempt)
  let fixedLeaks = 0;
  // Timed acknowledgements of the two figures the gateway batches, and the gateway's kills.
  const requestAcks: Ack[] = [];
  const attemptAcks: Ack[] = [];
  const gatewayKills: Kill[] = [];
  // Durations of undisturbed rounds: the kill moments are drawn within the fastest.
  const undisturbedRoundMs: number[] = [];
  // Outbound notifications (the notifications service): what a subscribed webhook receiver got.
  let receiver: Server | undefined;
  const delivered: Array<{ type: string; leakid?: string }> = [];

  /** One HTTP call through the gateway; a network error or a 5xx is "no answer" (null). */
  const send = async (method: string, path: string, key: string | undefined, body?: unknown, raw?: string): Promise<Answer | null> => {
    const sentAt = Date.now();
    try {
      const response = await fetch(`${cluster.gatewayUrl}${path}`, {
        method,
        headers: { ...(key ? { 'x-api-key': key } : {}), ...(body !== undefined || raw ? { 'content-type': 'application/json' } : {}) },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      if (response.status >= 500) return null;
      return { status: response.status, body: text ? JSON.parse(text) : undefined, sentAt, answeredAt: Date.now() };
    } catch {
      return null;
    }
  };

  /** Retries until answered; counts every attempt in `tally` (sent) and the answer (acked). */
  const call = async (tally: Tally | null, method: string, path: string, body?: unknown, raw?: string, key = orgAdmin): Promise<Answer> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (tally) tally.sent++;
      if (key === orgAdmin) requests.sent++;
      const answer = await send(method, path, key, body, raw);
      if (answer) {
        if (tally) tally.acked++;
        // A 401 may come from an upstream that has not learnt the key yet, after the gateway admitted it: sent only.
        if (key === orgAdmin && answer.status !== 401 && answer.status !== 429) {
          requests.acked++;
          requestAcks.push(answer);
        }
        return answer;
      }
      if (Date.now() > deadline) throw new Error(`${method} ${path}: no answer within 120 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };


  beforeAll(async () => {
    console.log(`five-services e2e: kill schedule seed ${SEED} (replay with LEAKWATCH_E2E_SEED=${SEED})`);
    [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
    const databases = await databasePerService(pg);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const event = JSON.parse(body) as { type: string; data?: { leakid?: string } };
        delivered.push({ type: event.type, leakid: event.data?.leakid });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    cluster = await startCluster({
      databases,
      kafkaBrokers: kafka.brokers,
      adminKey: ADMIN_KEY,
      logLevel: 'warn',
      env: {
        ...TEST_BROKER_ENV,
        LEAKWATCH_SECRETS_KEY: randomBytes(32).toString('hex'),
        // The webhook receiver is this test, on loopback over plain HTTP.
        LEAKWATCH_NOTIFY_ALLOWED_ADDRESSES: '127.0.0.1',
        LEAKWATCH_NOTIFY_ALLOW_HTTP: 'true',
      },
    });

    // The bootstrap key travels access-control → Kafka → the gateway's access directory.
    await eventuallyDefined('bootstrap key works at the gateway', async () => ((await send('GET', '/api/v1/orgs', ADMIN_KEY))?.status === 200 ? true : undefined), { timeoutMs: 60_000 });
    const org = await send('POST', '/api/v1/orgs', ADMIN_KEY, { name: 'Acme' });
    expect(org).toMatchObject({ status: 201 });
    const key = await send('POST', '/api/v1/api-keys', ADMIN_KEY, { name: 'security team', role: 'admin', org_id: org?.body.org_id });
    expect(key).toMatchObject({ status: 201 });
    orgAdmin = key?.body.key;
    orgAdminId = key?.body.id;
    // A new key works at the gateway (and at every service) once access events have arrived. Every poll may be
    // counted (the gateway may admit it while leak-lifecycle still answers 401), so each is sent; the 200 is acked.
    const works = await eventuallyDefined('org admin key works', async () => {
      requests.sent++;
      const answer = await send('GET', '/api/v1/leaks?limit=1', orgAdmin);
      return answer?.status === 200 ? answer : undefined;
    }, { timeoutMs: 60_000 });
    requests.acked++;
    requestAcks.push(works);
    // Subscribe the receiver to status changes through the gateway (routed to the notifications service).
    const address = receiver.address() as { port: number };
    const subscribed = await call(null, 'POST', '/api/v1/notifications/subscriptions', { url: `http://127.0.0.1:${address.port}/hook`, event_types: ['LeakStatusChanged'] });
    expect(subscribed).toMatchObject({ status: 201, body: { event_types: ['LeakStatusChanged'] } });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    receiver?.close();
    await kafka?.stop();
    await pg?.stop();
  }, 60_000);

  /**
   * The product's main path once, with fresh secrets. Returns when every effect is visible; asserts the
   * per-leak figures (sightings, attempts) between acknowledged and sent.
   */
  async function round(label: string): Promise<void> {
    const [manual1, manual2, report1, report2] = [token(), token(), token(), token()];
    // access-control's flow, part 1: a key issued (retried if unanswered: each retry may add a key of that name).
    const keyIssues = new Tally();
    const issued = await call(keyIssues, 'POST', '/api/v1/api-keys', { name: `round ${label}`, role: 'analyst' });
    expect(issued).toMatchObject({ status: 201, body: { key: expect.any(String), id: expect.any(String) } });
    const manualAdds = new Tally();
    const added = await call(manualAdds, 'POST', '/api/v1/leaks', { source: { name: `manual-${label}` }, tokens: [{ value: manual1 }, { value: manual2 }] });
    expect(added.status).toBe(201);
    const [fixMe, patchMe] = added.body.leakids as string[];

    const uploads = new Tally();
    const report = gitleaksReport([report1, report2]);
    const accepted = await call(uploads, 'POST', '/api/v1/ingest/gitleaks', undefined, report);
    expect(accepted).toMatchObject({ status: 202, body: { rejected: [] } });

    // Findings → leak-lifecycle (Kafka) → leaks; a token check (not blocked: records nothing) finds their ids.
    const reportLeak = await eventuallyDefined(`report leak of ${label} is known to the gateway`, async () => {
      const check = await call(null, 'POST', '/api/v1/tokens/check', { sha256: sha256(report1) });
      return check.status === 200 && check.body.leaked ? (check.body.leakid as string) : undefined;
    }, { timeoutMs: 60_000 });

    // A manual add is intake too (ingest answers with the derived ids; leak-lifecycle makes the leaks from the findings
    // topic, whose partitions are consumed independently): decide once both leaks are readable, as the README says.
    for (const id of [fixMe, patchMe]) {
      await eventuallyDefined(`manual leak ${id} of ${label} readable`, async () => ((await call(null, 'GET', `/api/v1/leaks/${id}`)).status === 200 ? true : undefined), { timeoutMs: 60_000 });
    }
    const fixed = await call(null, 'POST', '/api/v1/leaks/status', { leakid: fixMe, status: 'fixed', comment: `rotated (${label})` });
    expect(fixed).toMatchObject({ status: 200, body: { results: [{ leakid: fixMe, status: 'fixed' }] } });
    fixedLeaks++;
    const patched = await call(null, 'POST', '/api/v1/leaks/virtual-patch', { leakid: patchMe, enabled: true });
    expect(patched.status).toBe(200);
    // access-control's flow, part 2: the round's key rotated (a retry after a lost answer rotates again; the last answer holds the live secret).
    const rotated = await call(null, 'POST', `/api/v1/api-keys/${issued.body.id}/rotate`);
    expect(rotated).toMatchObject({ status: 200, body: { id: issued.body.id, key: expect.any(String) } });
    expect(rotated.body.key).not.toBe(issued.body.key);

    // Leak events → Kafka → the gateway's blocklist: the patched token is refused.
    const roundAttempts = new Tally();
    // Every check of the patched token may record an attempt (one that timed out may have been blocked): each
    // is sent; an answered blocked one is acked (and timed, for the gateway's loss bound).
    await eventuallyDefined(`patched token of ${label} is blocked at the gateway`, async () => {
      const check = await call(roundAttempts, 'POST', '/api/v1/tokens/check', { token: manual2 });
      if (check.body?.blocked) {
        attemptAcks.push(check);
        return true;
      }
      roundAttempts.acked--; // answered, not blocked: nothing recorded
      roundAttempts.sent--;
      return undefined;
    }, { timeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      const before = roundAttempts.acked;
      const check = await call(roundAttempts, 'POST', '/api/v1/tokens/check', { token: manual2 });
      expect(check.body).toMatchObject({ leaked: true, blocked: true, leakid: patchMe });
      expect(roundAttempts.acked).toBe(before + 1);
      attemptAcks.push(check);
    }
    attempts.acked += roundAttempts.acked;
    attempts.sent += roundAttempts.sent;

    // A second upload of the same report: every finding is a new sighting of an existing leak.
    const again = await call(uploads, 'POST', '/api/v1/ingest/gitleaks', undefined, report);
    expect(again).toMatchObject({ status: 202, body: { rejected: [] } });

    // Everything visible through the gateway; per-leak figures between acknowledged and sent.
    const leak = async (id: string) => (await call(null, 'GET', `/api/v1/leaks/${id}`)).body;
    await eventuallyDefined(`fix of ${label} visible`, async () => ((await leak(fixMe)).status === 'fixed' ? true : undefined), { timeoutMs: 60_000 });
    await eventuallyDefined(`sightings of ${label} visible`, async () => ((await leak(reportLeak)).sightings >= uploads.acked ? true : undefined), { timeoutMs: 60_000 });
    // The read model agrees with the stream, and holds every acknowledged attempt but those a gateway kill may
    // have lost (the last second before it; the bound is read at each poll, as a kill may land while waiting).
    // Repeats within a flush window are one event with a `count`: the history's attempts are the counts' sum.
    const roundAttemptAcks = attemptAcks.slice(-roundAttempts.acked);
    const patchedLeak = await eventuallyDefined(`attempts of ${label} in the leak and its history`, async () => {
      const l = await leak(patchMe);
      const history = (await call(null, 'GET', `/api/v1/leaks/${patchMe}/history`)).body;
      const inHistory = (history.events as Array<{ type: string; data: { count?: number } }>)
        .filter((e) => e.type === 'LeakedTokenUseAttempted')
        .reduce((n, e) => n + (e.data.count ?? 1), 0);
      const lowerBound = roundAttempts.acked - lossBound(roundAttemptAcks, gatewayKills, ATTEMPTS_FLUSH_MS);
      return l.attempts >= lowerBound && l.attempts === inHistory ? l : undefined;
    }, { timeoutMs: 60_000 });
    expect(patchedLeak).toMatchObject({ status: 'open', virtual_patch: true });
    expect(patchedLeak.attempts).toBeLessThanOrEqual(roundAttempts.sent);

    const sighted = await leak(reportLeak);
    expect(sighted.sightings).toBeGreaterThanOrEqual(uploads.acked);
    expect(sighted.sightings).toBeLessThanOrEqual(uploads.sent);
    // Leak events → Kafka → the notifications service → the subscribed webhook: the fix is announced.
    await eventuallyDefined(`notification of ${label}'s fix delivered`, async () => (delivered.some((d) => d.type === 'LeakStatusChanged' && d.leakid === fixMe) ? true : undefined), { timeoutMs: 60_000 });
    const manualLeak = await leak(fixMe);
    expect(manualLeak.sightings).toBeGreaterThanOrEqual(1);
    expect(manualLeak.sightings).toBeLessThanOrEqual(manualAdds.sent);

    // The round's key at the gateway: the rotated secret works, the issued one is refused (both learnt from
    // leakwatch.access.v1, across a restart of either end), and the key exists once per issue that may have happened.
    await eventuallyDefined(`rotation of ${label}'s key reached the gateway`, async () => {
      const [fresh, old] = await Promise.all([send('GET', '/api/v1/leaks?limit=1', rotated.body.key), send('GET', '/api/v1/leaks?limit=1', issued.body.key)]);
      return fresh?.status === 200 && old?.status === 401 ? true : undefined;
    }, { timeoutMs: 60_000 });
    const keys = (await call(null, 'GET', '/api/v1/api-keys')).body.items as Array<{ id: string; name: string; status: string }>;
    const named = keys.filter((k) => k.name === `round ${label}`);
    expect(named.map((k) => k.id)).toContain(issued.body.id);
    expect(named.length).toBeLessThanOrEqual(keyIssues.sent);
  }

  /** Organisation-wide figures at the stats service (fed by every topic) and Leak-Lookup's /api/stats. */
  async function checkStats(): Promise<void> {
    const stats = await eventuallyDefined('leak statistics caught up', async () => {
      const answer = await call(null, 'GET', '/api/v1/stats/leaks?days=1');
      const today = answer.body.per_day?.at(-1);
      const enough = answer.body.by_status?.fixed === fixedLeaks && today && today.token_use_attempts >= attempts.acked - lossBound(attemptAcks, gatewayKills, ATTEMPTS_FLUSH_MS);
      return enough ? answer.body : undefined;
    }, { timeoutMs: 60_000 });
    expect(stats.per_day.at(-1).token_use_attempts).toBeLessThanOrEqual(attempts.sent);
    expect(stats.by_status.fixed).toBe(fixedLeaks);
    expect(stats.virtual_patched).toBe(fixedLeaks); // one patched leak per round, like one fixed

    // /api/stats: today's requests of the org admin key (usage flushed every second by the gateway), all of the
    // acknowledged ones but what a gateway kill may have lost (its last second).
    const usageLowerBound = requests.acked - lossBound(requestAcks, gatewayKills, USAGE_FLUSH_MS);
    const counted = await eventually(`usage counted (at least ${usageLowerBound})`, async () => {
      const answer = await send('POST', '/api/stats', undefined, { key: orgAdmin });
      return answer?.body?.message?.requests as unknown;
    }, (n) => typeof n === 'number' && n >= usageLowerBound, { timeoutMs: 30_000 });
    expect(counted).toBeLessThanOrEqual(requests.sent);
    expect(orgAdminId).toEqual(expect.any(String));
  }

  /** A round nothing disturbs, timed. */
  async function timedRound(label: string): Promise<void> {
    const started = Date.now();
    await round(label);
    undisturbedRoundMs.push(Date.now() - started);
  }

  it('runs the whole path across six processes', async () => {
    await timedRound('steady');
    await checkStats();
  }, 180_000);

  it('every message on every topic is a CloudEvent the official SDK parses, keyed by its partitionkey, as the AsyncAPI document declares', async () => {
    const served = await send('GET', '/docs/asyncapi.json', undefined);
    expect(served?.body).toEqual(asyncApiDocument());
    // Message name → required payload fields, per topic address, from the served document.
    const doc = served?.body as { channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>; components: { messages: Record<string, { payload: { required: string[] } }> } };
    const declared = new Map<string, Map<string, string[]>>();
    for (const channel of Object.values(doc.channels)) {
      const byType = new Map<string, string[]>();
      for (const [type, ref] of Object.entries(channel.messages)) byType.set(type, doc.components.messages[ref.$ref.split('/').pop() as string].payload.required);
      declared.set(channel.address, byType);
    }
    const consumer = new Kafka({ brokers: kafka.brokers, clientId: 'conformance', logLevel: logLevel.NOTHING }).consumer({
      groupId: `conformance-${SEED}`,
      maxWaitTimeInMs: 50,
    });
    const seen = new Map<string, number>();
    const problems: string[] = [];
    let lastMessageAt = Date.now();
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...ALL_TOPICS], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          lastMessageAt = Date.now();
          seen.set(topic, (seen.get(topic) ?? 0) + 1);
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          const key = message.key?.toString() ?? '';
          try {
            const value = message.value?.toString() ?? '';
            const event = CloudEventsKafka.toEvent({ headers, key, value, body: value } as Parameters<typeof CloudEventsKafka.toEvent>[0]);
            const e = Array.isArray(event) ? event[0] : event;
            (e as SdkCloudEvent<unknown>).validate(); // the SDK's own schema check of every attribute (throws when one is invalid)
            const missing = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype'].filter((a) => !(e as unknown as Record<string, unknown>)[a]);
            if (missing.length) problems.push(`${topic}: ${e.id} lacks ${missing.join(', ')}`);
            if (e.specversion !== '1.0' || e.datacontenttype !== 'application/json') problems.push(`${topic}: ${e.id} ${e.specversion} ${e.datacontenttype}`);
            if ((e as unknown as { partitionkey?: string }).partitionkey !== key) problems.push(`${topic}: ${e.id} partitionkey ≠ message key`);
            if (typeof e.data !== 'object' || e.data === null) problems.push(`${topic}: ${e.id} data is not a JSON object`);
            const required = declared.get(topic)?.get(e.type);
            if (!required) problems.push(`${topic}: ${e.type} is not declared in the AsyncAPI document`);
            const missingFields = (required ?? []).filter((f) => !(f in (e.data as Record<string, unknown>)));
            if (missingFields.length) problems.push(`${topic}: ${e.type} ${e.id} lacks declared fields ${missingFields.join(', ')}`);
          } catch (error) {
            problems.push(`${topic}: not a CloudEvent: ${(error as Error).message}`);
          }
        },
      });
      await eventuallyDefined('every topic read to its end', async () =>
        ALL_TOPICS.every((t) => (seen.get(t) ?? 0) > 0) && Date.now() - lastMessageAt > 1_500 ? true : undefined, { timeoutMs: 60_000 });
    } finally {
      await consumer.disconnect();
    }
    expect(problems).toEqual([]);
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(ALL_TOPICS.map((t) => [t, expect.any(Number)])));
  }, 60_000);

  it('runs two replicas of leak-lifecycle: one relays, the other stands by and takes over when the leader is killed', async () => {
    const relayRole = async (url: string) => {
      type Health = { details?: { message_bus?: { relay?: string } } };
      const health = (await fetch(`${url}/health`).then((r) => r.json(), () => undefined)) as Health | undefined;
      return health?.details?.message_bus?.relay;
    };
    const original = cluster.services['leak-lifecycle'];
    const replica = await cluster.addReplica('leak-lifecycle');
    expect(await relayRole(original.url)).toBe('leader');
    expect(await relayRole(replica.url)).toBe('standby');
    // Both consume (the findings and attempts groups share partitions); every figure still adds up once.
    await timedRound('replicas');
    await checkStats();
    // The leader dies: its database session ends, the replica's relay takes over from the checkpoint. The
    // process comes back (on the gateway's upstream address) as the standby.
    await cluster.kill('leak-lifecycle');
    await eventuallyDefined('the replica leads', async () => ((await relayRole(replica.url)) === 'leader' ? true : undefined), { timeoutMs: 30_000 });
    await cluster.restart('leak-lifecycle');
    expect(await relayRole(cluster.services['leak-lifecycle'].url)).toBe('standby');
    await round('replica-leads');
    await checkStats();
    expect(await relayRole(replica.url)).toBe('leader');
  }, 300_000);

  for (const victim of SERVICES) {
    it(`survives kill -9 of ${victim} at a random moment, with nothing lost or counted twice`, async () => {
      // A moment within an undisturbed round (the fastest measured; 3 s if none ran), so the kill falls mid-flow;
      // should a round still end before it (rounds vary), the flow runs again until the kill lands inside one.
      const roundMs = undisturbedRoundMs.length ? Math.min(...undisturbedRoundMs) : 3_000;
      const delayMs = Math.floor(rng() * roundMs);
      let signalledAt: number | undefined;
      const chaos = (async () => {
        await new Promise((r) => setTimeout(r, delayMs));
        signalledAt = Date.now();
        await cluster.kill(victim);
        if (victim === 'gateway') gatewayKills.push({ at: signalledAt, goneAt: Date.now() });
        await cluster.restart(victim);
      })();
      const durations: number[] = [];
      do {
        const started = Date.now();
        await round(`kill-${victim}-${durations.length}`);
        durations.push(Date.now() - started);
      } while (signalledAt === undefined);
      await chaos;
      const losses = victim === 'gateway'
        ? `; may lose ${lossBound(requestAcks, gatewayKills, USAGE_FLUSH_MS)} of ${requests.acked} acknowledged requests, ${lossBound(attemptAcks, gatewayKills, ATTEMPTS_FLUSH_MS)} of ${attempts.acked} attempts`
        : '';
      console.log(`kill -9 ${victim} at ${delayMs} ms (undisturbed round ${roundMs} ms); rounds ${durations.join(', ')} ms, the last interrupted${losses}`);
      await checkStats();
    }, 300_000);
  }
});
