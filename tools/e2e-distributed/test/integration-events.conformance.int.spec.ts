/**
 * Every message type of every integration topic, as Leakwatch publishes it, read back with the official
 * `cloudevents` SDK and held to the AsyncAPI document.
 *
 * The stored events are what the services write: leak, API-key, domain and organisation events come from
 * their deciders (encoded by the contexts' codecs), findings and gateway events in the contracts' shapes on
 * the streams ingest and the gateway append to. They go through the real path: PostgreSQL event store → one
 * relay per producing service (the topics it owns, leak-lifecycle's registered leaks.v1 mapping) →
 * KafkaMessageBus → the Kafka protocol (kafka-mock). A plain kafkajs consumer reads the wire; each message is
 * parsed by the SDK's `Kafka.toEvent`, checked by the SDK's `validate()`, its seven attributes compared with
 * the stored event, its headers validated against the document's header schema and its `data` against the
 * message's payload schema (ajv), closed to undeclared fields so nothing internal leaks onto a topic.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import Ajv from 'ajv';
import { CloudEvent as SdkCloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { Kafka, logLevel } from 'kafkajs';
import { apiKeyAggregate, apiKeyStream, domainAggregate, domainStream, organizationAggregate, orgStream } from '@leakwatch/access-control/domain';
import {
  ApiUsageRecordedV1, API_USAGE_RECORDED, ASYNCAPI_TOPIC_MESSAGES, asyncApiDocument, FINDING_RECEIVED, FINDING_RESOLUTION_RECEIVED, FindingReceivedV1,
  FindingResolutionReceivedV1, LEAKED_TOKEN_USE_ATTEMPTED, LeakedTokenUseAttemptedV1,
} from '@leakwatch/contracts';
import type { Decider, EventCodec } from '@leakwatch/decider';
import { NewEvent, PostgresEventStore } from '@leakwatch/event-store';
import { leakAggregate } from '@leakwatch/leak-lifecycle/domain';
import { leakIntegrationMapper } from '@leakwatch/leak-lifecycle/feature';
import { ALL_TOPICS, EventRelay, IntegrationMapperRegistry, KafkaMessageBus, PostgresCheckpointStore, TOPICS } from '@leakwatch/messaging';
import { eventually, KafkaMock, startKafkaMock, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype'] as const;

/** What was stored, and what its message must say. */
interface Expected {
  id: string;
  topic: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  key: string;
}

/** Runs commands through a decider, each against the state so far; answers the codec-encoded events to append. */
function decideAll<S, C, E extends { type: string; data: unknown }>(aggregate: { decider: Decider<S, C, E, unknown>; codec: EventCodec<E> }, commands: C[]) {
  let state = aggregate.decider.initialState();
  const events: E[] = [];
  for (const command of commands) {
    const result = aggregate.decider.decide(command, state);
    if (!result.ok) throw new Error(`refused: ${String(result.refusal)}`);
    for (const event of result.events) {
      state = aggregate.decider.evolve(state, event);
      events.push(event);
    }
  }
  return events.map((e) => aggregate.codec.encode(e));
}

/** A copy of a JSON schema in which every object with declared properties accepts no others. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v)]));
  return 'properties' in copy && !('additionalProperties' in copy) ? { ...copy, additionalProperties: false } : copy;
}

describe('integration events: every message type on the wire is a CloudEvent the official SDK parses, as the AsyncAPI document declares', () => {
  let pg: ThrowawayPostgres;
  let kafka: KafkaMock;
  let pool: Pool;
  let store: PostgresEventStore;
  let bus: KafkaMessageBus;
  const relays: EventRelay[] = [];

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
    pool = await pg.newPool('conformance');
    pool.on('error', () => undefined);
    store = await PostgresEventStore.create(pool, { pollIntervalMs: 20 });
    bus = new KafkaMessageBus({ brokers: kafka.brokers, clientId: 'conformance-relays', logLevel: logLevel.NOTHING, logger: silent });
  }, 120_000);
  afterAll(async () => {
    for (const relay of relays) await relay.stop();
    await bus?.close();
    await store?.close();
    await Promise.all([kafka?.stop(), pg?.stop()]);
  }, 60_000);

  it('publishes one of every message type of every topic; each parses, validates and matches its schemas', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute, 0, 123)).toISOString();
    const orgId = randomUUID();
    const keyId = randomUUID();
    const leakid = randomBytes(16).toString('hex');
    const fingerprint = randomBytes(32).toString('hex');
    const actor = { key_id: keyId, org_id: orgId, role: 'admin' };
    const expected: Expected[] = [];

    /** Appends a stream's events as the producing service does (business time in occurred_at). */
    const append = async (service: string, topic: string, key: string, streamId: string, events: Array<Omit<NewEvent, 'id'>>, times: string[]) => {
      const stored = events.map((e, i) => ({ ...e, id: randomUUID(), metadata: { occurred_at: times[i], actor, correlation_id: randomUUID() } }));
      await store.appendToStream(streamId, stored, { expectedRevision: 'no_stream' });
      for (const [i, e] of stored.entries()) expected.push({ id: e.id, topic, type: e.type, source: `leakwatch/${service}`, subject: streamId, time: times[i], key });
    };

    // ingest: a finding of a token, and GitHub's resolution of it.
    const finding = {
      leakid, kind: 'token' as const, secret_type: 'github-pat', fingerprint, preview: 'ghp_…(40)', identity: { email: 'dev@acme.test', username: null },
      site: null, org_id: orgId, source: { name: 'gitleaks', url: null }, risk: 'critical' as const, blockable: true,
      location: { file: 'config/.env', line: 3 },
    };
    const received: FindingReceivedV1 = { ...finding, finding_id: randomUUID(), found_at: at(0), batch_id: randomUUID() };
    await append('ingest', TOPICS.findings, leakid, `finding-${received.batch_id}-0`, [{ type: FINDING_RECEIVED, data: received }], [at(0)]);
    const resolution: FindingResolutionReceivedV1 = { leakid, status: 'fixed', reason: 'revoked', source: { name: 'github', url: 'https://github.com/acme/app/security/secret-scanning/1' }, reported_at: at(1) };
    await append('ingest', TOPICS.findings, leakid, `finding-${randomUUID()}`, [{ type: FINDING_RESOLUTION_RECEIVED, data: resolution }], [at(1)]);

    // leak-lifecycle: the leak's whole life, decided by the Leak aggregate.
    const leakTimes = [at(2), at(3), at(4), at(5), at(6), at(7)];
    const leakEvents = decideAll(leakAggregate, [
      { type: 'RecordFinding', finding: { ...finding, finding_id: received.finding_id }, at: leakTimes[0] },
      { type: 'RecordFinding', finding: { ...finding, finding_id: randomUUID() }, at: leakTimes[1] },
      { type: 'SetVirtualPatch', enabled: true },
      { type: 'RecordTokenUseAttempt', at: leakTimes[3], keyId, blocked: true, count: 3, firstAt: leakTimes[2] }, // three folded repeats
      { type: 'SetVirtualPatch', enabled: false },
      { type: 'ChangeStatus', to: 'fixed', comment: 'rotated' },
    ]);
    await append('leak-lifecycle', TOPICS.leaks, leakid, `leak-${leakid}`, leakEvents, leakTimes);

    // access-control: an organisation, a key issued, rotated and revoked, a domain claimed, verified and revoked.
    await append('access-control', TOPICS.access, orgId, orgStream(orgId), decideAll(organizationAggregate, [{ type: 'CreateOrganization', orgId, name: 'Acme' }]), [at(8)]);
    const keyTimes = [at(9), at(10), at(11)];
    await append('access-control', TOPICS.access, orgId, apiKeyStream(keyId), decideAll(apiKeyAggregate, [
      {
        type: 'IssueApiKey', at: keyTimes[0],
        key: { key_id: keyId, name: 'ci', role: 'admin', org_id: orgId, user_email: null, type: 'private', limit: 1000, expires_at: null, key_hash: randomBytes(32).toString('hex'), prefix: 'lw_ab12' },
      },
      { type: 'RotateApiKey', keyId, keyHash: randomBytes(32).toString('hex'), prefix: 'lw_cd34', at: keyTimes[1] },
      { type: 'RevokeApiKey', keyId, at: keyTimes[2] },
    ]), keyTimes);
    const domainTimes = [at(12), at(13), at(14)];
    await append('access-control', TOPICS.access, orgId, domainStream(orgId, 'acme.test'), decideAll(domainAggregate, [
      { type: 'ClaimDomain', orgId, domain: 'acme.test', token: randomBytes(16).toString('hex'), at: domainTimes[0] },
      { type: 'RecordVerification', method: 'dns', at: domainTimes[1], validForDays: 30 },
      { type: 'RevokeDomain', at: domainTimes[2] },
    ]), domainTimes);

    // gateway: a usage batch and a recorded attempt, on the streams the gateway appends them to.
    const usage: ApiUsageRecordedV1 = { key_id: keyId, day: '2026-11-20', requests: 7, first_request_at: at(15), last_request_at: at(16) };
    await append('gateway', TOPICS.gateway, keyId, `usage-${keyId}-${usage.day}`, [{ type: API_USAGE_RECORDED, schemaVersion: 1, data: usage }], [at(16)]);
    const attempt: LeakedTokenUseAttemptedV1 = { leakid, attempted_at: at(17), key_id: keyId, blocked: true };
    await append('gateway', TOPICS.gateway, keyId, `gateway-attempts-${randomUUID()}`, [{ type: LEAKED_TOKEN_USE_ATTEMPTED, data: attempt }], [at(17)]);
    // And repeats a gateway folded into one report: the optional count and first time are declared too.
    const folded: LeakedTokenUseAttemptedV1 = { ...attempt, attempted_at: at(19), count: 4, first_attempted_at: at(18) };
    await append('gateway', TOPICS.gateway, keyId, `gateway-attempts-${randomUUID()}`, [{ type: LEAKED_TOKEN_USE_ATTEMPTED, data: folded }], [at(19)]);

    // One relay per producing service, each publishing the topic it owns, with the mapping the services register.
    const mappers = new IntegrationMapperRegistry();
    mappers.register(TOPICS.leaks, leakIntegrationMapper);
    const owners: Array<[string, string]> = [['ingest', TOPICS.findings], ['leak-lifecycle', TOPICS.leaks], ['access-control', TOPICS.access], ['gateway', TOPICS.gateway]];
    for (const [service, topic] of owners) {
      const relay = new EventRelay({
        store, bus, checkpoints: await PostgresCheckpointStore.create(pool), name: `relay:${service}`, service, topics: [topic], mappers, logger: silent, lingerMs: 5,
      });
      relays.push(relay);
      await relay.start();
    }

    // The wire, as a consumer outside Leakwatch reads it.
    const wire = new Map<string, { topic: string; key: string; headers: Record<string, string>; value: string }>();
    const consumer = new Kafka({ brokers: kafka.brokers, clientId: 'outside-consumer', logLevel: logLevel.NOTHING }).consumer({ groupId: 'outside', maxWaitTimeInMs: 50 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...ALL_TOPICS], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          wire.set(headers['ce_id'] ?? `no id ${wire.size}`, { topic, key: message.key?.toString() ?? '', headers, value: message.value?.toString() ?? '' });
        },
      });
      await eventually('every stored event on the wire', () => wire.size, (n) => n >= expected.length, { timeoutMs: 60_000, intervalMs: 50 });
    } finally {
      await consumer.disconnect();
    }
    expect(wire.size).toBe(expected.length);

    // One of every declared message type on every topic.
    const typesOnWire = Object.fromEntries(ALL_TOPICS.map((t) => [t, [...new Set([...wire.values()].filter((m) => m.topic === t).map((m) => m.headers['ce_type']))].sort()]));
    expect(typesOnWire).toEqual(Object.fromEntries(ALL_TOPICS.map((t) => [t, [...ASYNCAPI_TOPIC_MESSAGES[t]].sort()])));

    // The document's schemas, compiled: headers as declared, payloads closed to undeclared fields.
    const document = asyncApiDocument() as {
      channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
      components: { messages: Record<string, { headers: object; payload: object }> };
    };
    const ajv = new Ajv({ allErrors: true, format: 'full' });
    const declared = (topic: string, type: string) => {
      const channel = Object.values(document.channels).find((c) => c.address === topic);
      const ref = channel?.messages[type]?.$ref;
      return ref ? document.components.messages[ref.split('/').pop() as string] : undefined;
    };
    // The payload validators are not vacuous: a declared field missing, or an undeclared one added, fails.
    const leakDetected = ajv.compile(closed(declared(TOPICS.leaks, 'LeakDetected')?.payload) as object);
    const detectedOnWire = JSON.parse([...wire.values()].find((m) => m.headers['ce_type'] === 'LeakDetected')?.value ?? '{}');
    expect(leakDetected(detectedOnWire)).toBe(true);
    expect(leakDetected({ ...detectedOnWire, risk: undefined })).toBe(false);
    expect(leakDetected({ ...detectedOnWire, finding_id: received.finding_id })).toBe(false);

    const problems: string[] = [];
    for (const want of expected) {
      const where = `${want.topic} ${want.type}`;
      const message = wire.get(want.id);
      if (!message) {
        problems.push(`${where}: not on the wire`);
        continue;
      }
      let event: SdkCloudEvent<unknown>;
      try {
        const parsed = CloudEventsKafka.toEvent({ headers: message.headers, key: message.key, value: message.value, body: message.value } as Parameters<typeof CloudEventsKafka.toEvent>[0]);
        event = (Array.isArray(parsed) ? parsed[0] : parsed) as SdkCloudEvent<unknown>;
        event.validate(); // the SDK's own schema of every attribute; throws when one is invalid
      } catch (error) {
        problems.push(`${where}: not a valid CloudEvent for the SDK: ${(error as Error).message}`);
        continue;
      }
      const attributes = Object.fromEntries(ATTRIBUTES.map((a) => [a, (event as unknown as Record<string, unknown>)[a]]));
      const wanted = { specversion: '1.0', id: want.id, source: want.source, type: want.type, time: want.time, subject: want.subject, datacontenttype: 'application/json' };
      if (JSON.stringify(attributes) !== JSON.stringify(wanted)) problems.push(`${where}: attributes ${JSON.stringify(attributes)} ≠ ${JSON.stringify(wanted)}`);
      if (message.topic !== want.topic) problems.push(`${where}: on ${message.topic}`);
      if (message.key !== want.key || event['partitionkey'] !== want.key || message.headers['ce_partitionkey'] !== want.key) {
        problems.push(`${where}: key ${message.key}, partitionkey ${String(event['partitionkey'])}/${message.headers['ce_partitionkey']} ≠ ${want.key}`);
      }
      const schema = declared(want.topic, want.type);
      if (!schema) {
        problems.push(`${where}: not declared in the AsyncAPI document`);
        continue;
      }
      if (!ajv.validate(schema.headers, message.headers)) problems.push(`${where}: headers ${ajv.errorsText()}`);
      if (!ajv.validate(closed(schema.payload) as object, event.data)) problems.push(`${where}: data ${ajv.errorsText()}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
