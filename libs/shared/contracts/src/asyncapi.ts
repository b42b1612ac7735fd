/**
 * The AsyncAPI 3.0 document of Leakwatch's four integration topics: every message with its JSON schema, the
 * Kafka key and the CloudEvents binary-mode headers. Served at `/docs/asyncapi.json`; validated by the
 * official `@asyncapi/parser` in the tests. Kept beside the TypeScript contracts it describes.
 */
import { LEAK_ID_PATTERN_SOURCE, LEAK_STATUSES, RISKS, ROLES } from './vocabulary';
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const time: Schema = { type: 'string', format: 'date-time' };
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type as string, 'null'] });
const nstr = nullable(str);
const leakid: Schema = { type: 'string', pattern: LEAK_ID_PATTERN_SOURCE, description: 'HMAC-MD5 leak id (32 lowercase hex)' };
const sha256: Schema = { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of a token; null for credentials and masked tokens' };
const status: Schema = { type: 'string', enum: [...LEAK_STATUSES] };
const risk: Schema = { type: 'string', enum: [...RISKS] };
const role: Schema = { type: 'string', enum: [...ROLES] };
const freeForm: Schema = { type: ['object', 'null'], additionalProperties: true };
const source: Schema = object({ name: str, url: nstr });
const identity: Schema = { ...object({ email: nstr, username: nstr }), type: ['object', 'null'] };
const site: Schema = { ...object({ url: nstr, domain: nstr }), type: ['object', 'null'] };

/** An object schema whose listed properties are all required unless named in `optional`. */
function object(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return { type: 'object', properties, required: Object.keys(properties).filter((p) => !optional.includes(p)) };
}

interface TopicSpec {
  address: string;
  key: string;
  producer: string;
  description: string;
  messages: Record<string, { summary: string; payload: Schema }>;
}

const TOPIC_SPECS: Record<string, TopicSpec> = {
  findings: {
    address: 'leakwatch.findings.v1',
    key: 'the leak id',
    producer: 'ingest',
    description: 'Findings accepted by ingest (manual, gitleaks, TruffleHog, SARIF, GitHub), and scanner-side resolutions.',
    messages: {
      FindingReceived: {
        summary: 'A finding was accepted; leak-lifecycle turns it into a new leak or a sighting.',
        payload: object(
          {
            finding_id: str, leakid, kind: { type: 'string', enum: ['token', 'credential'] }, secret_type: str, fingerprint: sha256,
            preview: str, identity, site, org_id: nstr, source, risk, blockable: { type: 'boolean' }, location: freeForm, found_at: time,
            batch_id: nstr,
          },
          ['location', 'batch_id'],
        ),
      },
      FindingResolutionReceived: {
        summary: 'A scanner reported how it resolved a finding (e.g. GitHub: revoked, false positive, reopened).',
        payload: object({ leakid, status, reason: str, source, reported_at: time }),
      },
    },
  },
  leaks: {
    address: 'leakwatch.leaks.v1',
    key: 'the leak id (all events of one leak in one partition, in order)',
    producer: 'leak-lifecycle',
    description: 'Every event of every leak, mapped from leak-lifecycle’s stored events to this versioned contract.',
    messages: {
      LeakDetected: {
        summary: 'A new leak.',
        payload: object({
          leakid, kind: { type: 'string', enum: ['token', 'credential'] }, secret_type: str, fingerprint: sha256, preview: str, identity, site,
          org_id: nstr, source, risk, blockable: { type: 'boolean' }, location: freeForm, detected_at: time,
        }),
      },
      LeakSighted: { summary: 'The same secret was seen again.', payload: object({ leakid, source, seen_at: time, location: freeForm }) },
      LeakStatusChanged: {
        summary: 'A decision (or a regression: a fixed leak seen again) changed the status.',
        payload: object({ leakid, from: status, to: status, comment: nstr, reason: { type: 'string', enum: ['decision', 'regression'] } }),
      },
      VirtualPatchApplied: { summary: 'Gateways must refuse the token.', payload: object({ leakid }) },
      VirtualPatchRemoved: {
        summary: 'Gateways may accept the token again.',
        payload: object({ leakid, reason: { type: 'string', enum: ['disabled', 'status_changed'] } }),
      },
      LeakedTokenUseAttempted: {
        summary: 'A gateway saw the leaked token presented.',
        payload: object({ leakid, attempted_at: time, key_id: nstr, blocked: { type: 'boolean' }, count: { type: 'integer', minimum: 2 }, first_attempted_at: time }, ['count', 'first_attempted_at']),
      },
    },
  },
  access: {
    address: 'leakwatch.access.v1',
    key: 'the organisation id (a global key’s own id)',
    producer: 'access-control',
    description: 'Organisations, API keys (hashes only) and domain verification.',
    messages: {
      OrganizationCreated: { summary: 'A new organisation.', payload: object({ org_id: str, name: str }) },
      ApiKeyIssued: {
        summary: 'A key was issued; only its SHA-256 travels.',
        payload: object(
          {
            key_id: str, name: str, role, org_id: nstr, user_email: nstr, type: { type: 'string', enum: ['public', 'private'] },
            limit: { type: 'integer', minimum: 0 }, expires_at: nullable(time), key_hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            prefix: str, issued_at: time,
          },
          ['user_email'],
        ),
      },
      ApiKeyRotated: { summary: 'A key got a new value.', payload: object({ key_id: str, org_id: nstr, key_hash: str, prefix: str, rotated_at: time }) },
      ApiKeyRevoked: { summary: 'A key stops working.', payload: object({ key_id: str, org_id: nstr, revoked_at: time }) },
      DomainClaimed: { summary: 'An organisation claimed a domain.', payload: object({ org_id: str, domain: str, token: str, claimed_at: time }) },
      DomainVerified: {
        summary: 'Ownership proven (DNS TXT or HTTPS file).',
        payload: object({ org_id: str, domain: str, method: { type: 'string', enum: ['dns', 'http'] }, verified_at: time, expires_at: time }),
      },
      DomainRevoked: { summary: 'A verification was withdrawn.', payload: object({ org_id: str, domain: str, revoked_at: time }) },
    },
  },
  gateway: {
    address: 'leakwatch.gateway.v1',
    key: 'the API key id',
    producer: 'gateway',
    description: 'API usage (aggregated per flush) and attempts to use leaked tokens.',
    messages: {
      ApiUsageRecorded: {
        summary: 'Admitted requests of one key on one UTC day, per flush of one gateway process (sum them).',
        payload: object({
          key_id: str, day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, requests: { type: 'integer', minimum: 1 },
          first_request_at: time, last_request_at: time,
        }),
      },
      LeakedTokenUseAttempted: {
        summary: 'A presented token matched a leak.',
        payload: object({ leakid, attempted_at: time, key_id: nstr, blocked: { type: 'boolean' }, count: { type: 'integer', minimum: 2 }, first_attempted_at: time }, ['count', 'first_attempted_at']),
      },
    },
  },
};

const CLOUD_EVENTS_HEADERS: Schema = {
  type: 'object',
  description: 'CloudEvents 1.0, Kafka protocol binding, binary content mode.',
  properties: {
    ce_specversion: { type: 'string', const: '1.0' },
    ce_id: { type: 'string', description: 'The stored event id (consumers deduplicate by it)' },
    ce_source: { type: 'string', description: 'leakwatch/<service>' },
    ce_type: { type: 'string', description: 'The message name' },
    ce_time: time,
    ce_subject: { type: 'string', description: 'The stream id, e.g. leak-<leakid>' },
    ce_partitionkey: { type: 'string', description: 'Partitioning extension: equals the message key' },
    ce_schemaversion: { type: 'string' },
    ce_streamrevision: { type: 'string', pattern: '^\\d+$' },
    ce_correlationid: str,
    ce_causationid: str,
    ce_actorkeyid: str,
    ce_actororgid: str,
    ce_actorrole: str,
    'content-type': { type: 'string', const: 'application/json' },
  },
  required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'ce_subject', 'ce_partitionkey', 'content-type'],
};

/** The whole document; pure data, identical in every process. */
export function asyncApiDocument(version = '1'): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const [name, topic] of Object.entries(TOPIC_SPECS)) {
    const channelMessages: Record<string, unknown> = {};
    for (const [type, message] of Object.entries(topic.messages)) {
      const id = `${name}.${type}`;
      messages[id] = {
        name: type,
        title: type,
        summary: message.summary,
        contentType: 'application/json',
        headers: CLOUD_EVENTS_HEADERS,
        payload: message.payload,
        bindings: { kafka: { key: { type: 'string', description: topic.key }, bindingVersion: '0.5.0' } },
      };
      channelMessages[type] = { $ref: `#/components/messages/${id.replace(/\//g, '~1')}` };
    }
    channels[name] = {
      address: topic.address,
      title: topic.address,
      description: `${topic.description} Producer: ${topic.producer}. Keep unlimited retention: consumers rebuild local state from the beginning.`,
      messages: channelMessages,
      bindings: { kafka: { partitions: 3, topicConfiguration: { 'retention.ms': -1 }, bindingVersion: '0.5.0' } },
    };
    operations[`consume-${name}`] = {
      action: 'receive',
      title: `Consume ${topic.address}`,
      channel: { $ref: `#/channels/${name}` },
      messages: Object.keys(channelMessages).map((type) => ({ $ref: `#/channels/${name}/messages/${type}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Leakwatch integration events',
      version,
      description:
        'Leak, finding, access and gateway events published by Leakwatch on Kafka as CloudEvents 1.0 (binary mode): ' +
        'attributes in ce_* headers, JSON data as the value, the aggregate id as the key (and as ce_partitionkey). ' +
        'Delivery is at least once: deduplicate by ce_id. A breaking change gets a new topic version.',
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: { host: '{brokers}', protocol: 'kafka', description: 'The brokers of KAFKA_BROKERS', variables: { brokers: { default: 'localhost:9092' } } },
    },
    channels,
    operations,
    components: { messages },
  };
}

/** The message names of each topic, as the document declares them (tests compare them with the TypeScript contracts). */
export const ASYNCAPI_TOPIC_MESSAGES: Record<string, readonly string[]> = Object.fromEntries(
  Object.values(TOPIC_SPECS).map((t) => [t.address, Object.keys(t.messages)]),
);
