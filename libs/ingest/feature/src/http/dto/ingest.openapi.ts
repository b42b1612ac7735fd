/** The answers of the ingest endpoints, as named OpenAPI schemas. */
import { apiSchema, s } from '@leakwatch/runtime';

const leakid = s.leakid();

export const MANUAL_LEAKS_RESULT_SCHEMA = apiSchema(
  'ManualLeaksResult',
  s.object({
    leakids: s.array(leakid, { description: 'One per given secret, in order (tokens first, then credentials)' }),
    created: s.integer({ minimum: 0 }),
    duplicates: s.integer({ minimum: 0, description: 'Secrets already known: recorded as sightings' }),
  }),
);

export const REPORT_INTAKE_RESULT_SCHEMA = apiSchema(
  'ReportIntakeResult',
  s.object({
    batch_id: s.uuid(),
    accepted: s.integer({ minimum: 0, description: 'Findings durably stored' }),
    duplicates: s.integer({ minimum: 0 }),
    rejected: s.array(s.object({ index: s.integer({ minimum: 0 }), error: s.string() }), { description: 'Records that were not taken, by index and reason; the others were' }),
  }),
);
export const REPORT_INTAKE_EXAMPLE = { batch_id: 'a6fe845c-9d0c-415c-839f-f2d727ec7da7', accepted: 2, duplicates: 0, rejected: [{ index: 2, error: 'Secret is missing' }] };

export const GITHUB_WEBHOOK_SECRET_SCHEMA = apiSchema(
  'GithubWebhookSecret',
  s.object({
    org_id: s.uuid(),
    secret: s.string({ description: 'The webhook secret: shown in this answer only' }),
    webhook_path: s.string({ examples: ['/api/v1/ingest/github?org_id=71157f19-a659-44d3-98a6-6ebac5901975'] }),
    content_type: s.enumOf(['application/json']),
    events: s.array(s.string()),
  }),
);

export const GITHUB_WEBHOOK_RESULT_SCHEMA = apiSchema(
  'GithubWebhookResult',
  s.partial(
    {},
    {
      ok: s.boolean(),
      ignored: s.string({ description: 'The event name of an event that is not secret_scanning_alert' }),
      action: s.string({ examples: ['created', 'resolved', 'reopened', 'validated'] }),
      leakid,
      status: s.string({ description: 'The leak’s new status, or ignored / known alert / unknown alert / unchanged' }),
      reason: s.string(),
      duplicates: s.integer({ minimum: 0 }),
      repository: s.string(),
      alert_number: s.integer(),
      duplicate_delivery: s.boolean(),
      delivery_id: s.string(),
      detail: s.string(),
    },
    { description: 'What the delivery did: a finding (leakid), a status decision, or nothing (and why)' },
  ),
);
